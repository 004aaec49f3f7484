"""Create (or reset) the demo editor account and print its credentials.

Never run by a migration: an account with a known password has no place in a real archive.
`make run` calls it so that a demo has someone to log in as.
"""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "Create or reset the demo editor (a staff member of the Editors group)."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="editor")
        parser.add_argument(
            "--password",
            help="Use this password instead of a new random one (at least 8 characters).",
        )

    @transaction.atomic
    def handle(self, *args, username, password, **options):
        if password is not None and len(password) < 8:
            raise CommandError("--password needs at least 8 characters")
        try:
            editors = Group.objects.get(name="Editors")
        except Group.DoesNotExist:
            raise CommandError(
                "the Editors group is missing: run `manage.py migrate` first"
            ) from None
        password = password or secrets.token_urlsafe(9)
        user, created = get_user_model().objects.get_or_create(username=username)
        if user.is_superuser:
            raise CommandError(f"{username!r} is a superuser; pick another --username for the demo")
        user.is_staff = True
        user.is_active = True
        user.set_password(password)
        user.save()
        user.groups.add(editors)
        verb = "created" if created else "reset"
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo editor {verb}: log in at /admin/ as  {username}  with password  {password}"
            )
        )
