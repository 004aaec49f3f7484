import re

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db


def create(*args):
    from io import StringIO

    out = StringIO()
    call_command("create_demo_editor", *args, stdout=out)
    return out.getvalue()


def test_creates_an_editor_and_prints_working_credentials(client):
    output = create()
    username, password = re.search(r"as\s+(\S+)\s+with password\s+(\S+)", output).groups()
    user = User.objects.get(username=username)
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Editors"]
    # Through the login form: the login throttle (django-axes) needs the request.
    response = client.post(reverse("admin:login"), {"username": username, "password": password})
    assert response.status_code == 302
    assert client.get(reverse("admin:archive_article_add")).status_code == 200


def test_running_again_resets_the_password_without_a_second_user():
    first = re.search(r"with password\s+(\S+)", create()).group(1)
    second = re.search(r"with password\s+(\S+)", create()).group(1)
    assert first != second
    assert User.objects.filter(username="editor").count() == 1
    assert User.objects.get(username="editor").check_password(second)


def test_refuses_to_touch_a_superuser():
    User.objects.create_superuser("editor", password="x" * 12)
    with pytest.raises(CommandError, match="superuser"):
        create()
    assert User.objects.get(username="editor").check_password("x" * 12)


def test_refuses_a_short_password():
    with pytest.raises(CommandError, match="8 characters"):
        create("--password", "short")
    assert not User.objects.filter(username="editor").exists()
