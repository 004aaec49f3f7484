"""Where a change came from is recorded with it: a command run through manage.py, a request
that writes (admin, API), or nothing at all for raw SQL, which is still recorded."""

import getpass
import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from archive.models import Source
from archive.tests.test_import import database_url

pytestmark = pytest.mark.django_db(transaction=True)


def source_events(slug):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.pgh_label, c.metadata FROM archive_sourceevent e"
            " LEFT JOIN pghistory_context c ON c.id = e.pgh_context_id"
            " WHERE e.slug = %s ORDER BY e.pgh_id",
            [slug],
        )
        return [(label, json.loads(context) if context else None) for label, context in cursor]


def manage(*args):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DJANGO_SECRET_KEY": "x",
        "DATABASE_URL": database_url(settings.DATABASES["default"]),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_raw_sql_is_recorded_without_a_context():
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO archive_source (name, name_ar, slug, homepage, country, language, kind)"
            " VALUES ('Raw', '', 'raw', '', '', 'ar', 'website')"
        )
        cursor.execute("UPDATE archive_source SET name = 'Raw 2' WHERE slug = 'raw'")
    assert source_events("raw") == [("create", None), ("update", None)]


def test_a_command_records_its_name_and_who_ran_it():
    code = "from archive.models import Source; Source.objects.create(name='Shell', slug='shell')"
    result = manage("shell", "-c", code)
    assert result.returncode == 0, result.stderr
    [(label, context)] = source_events("shell")
    assert label == "create"
    assert context == {"via": "command", "command": "shell", "operator": getpass.getuser()}


def test_a_request_that_writes_records_its_user_and_url(admin_client):
    response = admin_client.post(
        "/admin/archive/source/add/",
        {"name": "Form", "name_ar": "", "slug": "form", "kind": "website", "language": "ar"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    [(label, context)] = source_events("form")
    user = Source._meta.apps.get_model("auth", "User").objects.get(username="admin")
    assert (label, context) == (
        "create",
        {"via": "admin", "user": user.pk, "url": "/admin/archive/source/add/"},
    )


def test_an_unchanged_save_makes_no_version():
    source = Source.objects.create(name="Same", slug="same")
    source.save()
    Source.objects.filter(pk=source.pk).update(name="Same")
    assert [label for label, _ in source_events("same")] == ["create"]
