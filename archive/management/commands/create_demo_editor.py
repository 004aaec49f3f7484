"""Create (or reset) the demo accounts, one of each role, and print their credentials: an
editor (the Editors group: writes, submits for review) and a chief editor (Chief editors:
publishes, withdraws, deletes; see archive/workflow.py).

Never run by a migration: an account with a known password has no place in a real archive.
`make run` calls it so that a demo has someone to log in as, in each role.
"""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

# (option, default user name, group, how the account is named when printed)
ACCOUNTS = [
    ("username", "editor", "Editors", "Demo editor"),
    ("chief_username", "chief", "Chief editors", "Demo chief editor"),
]


class Command(BaseCommand):
    help = (
        "Create or reset the demo editor (Editors group) and the demo chief editor"
        " (Chief editors group), staff members both."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="editor", help="the demo editor's")
        parser.add_argument("--chief-username", default="chief", help="the demo chief editor's")
        parser.add_argument(
            "--password",
            help="Use this password for both instead of a new random one each"
            " (at least 8 characters).",
        )

    @transaction.atomic
    def handle(self, *args, password, **options):
        if password is not None and len(password) < 8:
            raise CommandError("--password needs at least 8 characters")
        names = [options[option] for option, *_ in ACCOUNTS]
        if names[0] == names[1]:
            raise CommandError("the editor and the chief editor need two different user names")
        lines = []
        for (option, _default, group_name, title), username in zip(ACCOUNTS, names, strict=True):
            try:
                group = Group.objects.get(name=group_name)
            except Group.DoesNotExist:
                raise CommandError(
                    f"the {group_name} group is missing: run `manage.py migrate` first"
                ) from None
            secret = password or secrets.token_urlsafe(9)
            user, created = get_user_model().objects.get_or_create(username=username)
            if user.is_superuser:
                flag = "--" + option.replace("_", "-")
                raise CommandError(f"{username!r} is a superuser; pick another {flag} for the demo")
            user.is_staff = True
            user.is_active = True
            user.set_password(secret)
            user.save()
            # One role each: an account reused from the other role leaves that group.
            user.groups.remove(*Group.objects.filter(name__in=[a[2] for a in ACCOUNTS]))
            user.groups.add(group)
            verb = "created" if created else "reset"
            lines.append(
                f"{title} {verb}: log in at /admin/ as  {username}  with password  {secret}"
            )
        for line in lines:
            self.stdout.write(self.style.SUCCESS(line))
