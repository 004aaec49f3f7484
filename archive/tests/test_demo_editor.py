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


def credentials(output, title):
    return re.search(rf"{title} \w+: log in at /admin/ as\s+(\S+)\s+with password\s+(\S+)", output)


def test_creates_a_chief_editor_too_and_prints_both_accounts(client):
    output = create()
    editor = credentials(output, "Demo editor").groups()
    chief = credentials(output, "Demo chief editor").groups()
    assert editor[0] == "editor" and chief[0] == "chief" and editor[1] != chief[1]
    user = User.objects.get(username="chief")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Chief editors"]
    assert user.has_perm("archive.publish_article")
    assert not User.objects.get(username="editor").has_perm("archive.publish_article")
    response = client.post(reverse("admin:login"), {"username": chief[0], "password": chief[1]})
    assert response.status_code == 302
    changelist = client.get(reverse("admin:archive_article_changelist"))
    assert "publish" in dict(changelist.context["action_form"].fields["action"].choices)


def test_refuses_one_name_for_both_roles_and_a_superuser_chief():
    with pytest.raises(CommandError, match="two different user names"):
        create("--chief-username", "editor")
    User.objects.create_superuser("chief", password="x" * 12)
    with pytest.raises(CommandError, match="--chief-username"):
        create()
    assert not User.objects.filter(username="editor").exists()  # all or nothing
    assert User.objects.get(username="chief").check_password("x" * 12)


def test_an_account_reused_for_the_other_role_keeps_one_role():
    create("--username", "sara", "--chief-username", "huda")
    create("--username", "huda", "--chief-username", "sara")
    assert list(User.objects.get(username="huda").groups.values_list("name", flat=True)) == [
        "Editors"
    ]
    assert list(User.objects.get(username="sara").groups.values_list("name", flat=True)) == [
        "Chief editors"
    ]
