#!/usr/bin/env python
"""Django's command-line utility for the newsroom archive."""

import os
import sys

# Commands whose writes carry their own context in the history (a request's, a job's), or
# that write nothing of the archive's.
UNRECORDED = {
    "runserver",
    "procrastinate",
    "test",
    "check",
    "collectstatic",
    "compilemessages",
    # Schema changes: their SQL is not to be touched (the context is sent with each statement).
    "migrate",
    "makemigrations",
    "sqlmigrate",
}


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    from django.core.management import execute_from_command_line

    name = sys.argv[1] if len(sys.argv) > 1 else ""
    if not name or name.startswith("-") or name in UNRECORDED:
        execute_from_command_line(sys.argv)
        return
    # Every other command's writes (loaddata, an import, a shell session) are recorded in the
    # history as this command's, with the account of whoever ran it on this machine.
    import getpass

    import django

    django.setup()
    from archive.history import recorded

    with recorded("command", command=name, operator=getpass.getuser()):
        execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
