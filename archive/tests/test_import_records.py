"""Imports are part of the record: the command records its runs like the admin's, an account
is held to its permissions, and an article's history names the import that wrote it."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission, User
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from archive.models import Article, ImportRun

from .test_import import ANT_MAP, ant_row, write_jsonl
from .test_import_runs import run_worker, upload

ArticleEvent = apps.get_model("archive", "ArticleEvent")


def account(username, *codenames, staff=True):
    user = User.objects.create_user(username, password="a-long-password-1", is_staff=staff)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def import_command(path, *args):
    call_command("import_articles", str(path), "--map", ANT_MAP, *args, verbosity=0)


def contexts(article, label=None):
    events = ArticleEvent.objects.filter(pgh_obj_id=article.pk).select_related("pgh_context")
    if label:
        events = events.filter(pgh_label=label)
    return [event.pgh_context.metadata if event.pgh_context else None for event in events]


@pytest.mark.django_db
def test_an_account_that_may_not_change_articles_is_refused_update(tmp_path):
    account("sami", "add_article", "view_article")
    path = tmp_path / "a.jsonl"
    write_jsonl(path, [ant_row(1)])
    import_command(path)
    article = Article.objects.get()
    write_jsonl(path, [ant_row(1, title="عنوان معدل")])
    # An editor's import makes drafts (publishing is a chief editor's, archive/workflow.py).
    with pytest.raises(CommandError, match="permission to change articles"):
        import_command(path, "--update", "--user", "sami", "--status", "draft")
    article.refresh_from_db()
    assert article.title == "عنوان الخبر رقم 1"
    assert ImportRun.objects.count() == 1  # the refused import left no run
    import_command(path, "--user", "sami", "--status", "draft")  # new articles only: allowed
    assert ImportRun.objects.count() == 2


@pytest.mark.django_db
def test_an_account_that_may_not_add_articles_is_refused(tmp_path):
    account("reader", "view_article")
    path = tmp_path / "a.jsonl"
    write_jsonl(path, [ant_row(1)])
    with pytest.raises(CommandError, match="may not add articles"):
        import_command(path, "--user", "reader")
    assert not Article.objects.exists() and not ImportRun.objects.exists()


@pytest.mark.django_db
def test_the_admin_refuses_update_to_an_account_that_may_not_change_articles(client, tmp_path):
    client.force_login(account("sami", "add_article", "view_article"))
    path = tmp_path / "a.jsonl"
    write_jsonl(path, [ant_row(1)])
    response = upload(client, path, update="on")
    assert response.status_code == 200
    assert "update" in response.context["form"].errors
    assert not ImportRun.objects.exists()


@pytest.mark.django_db
def test_the_command_records_its_run_with_its_rejects(tmp_path, imports_folder):
    user = account("layla", "add_article", "change_article", "view_article", "view_importrun")
    path = tmp_path / "batch.jsonl"
    write_jsonl(path, [ant_row(1), ant_row(2), {"title": "no body"}])
    import_command(path, "--user", "layla", "--status", "draft")
    run = ImportRun.objects.get()
    assert run.via == ImportRun.Via.COMMAND and run.uploaded_by == user
    assert run.file_name == str(path)
    assert run.state == ImportRun.State.FINISHED and run.finished_at >= run.started_at
    assert (run.read, run.created, run.rejected) == (3, 2, 1)
    assert run.rejects_path.is_file() and str(imports_folder) in str(run.rejects_path)
    assert set(Article.objects.values_list("updated_by", flat=True)) == {user.pk}

    client = Client()
    client.force_login(user)
    listing = client.get(reverse("admin:archive_importrun_changelist"))
    assert "batch.jsonl" in listing.text
    rejects = client.get(reverse("admin:archive_importrun_rejects", args=[run.pk]))
    assert rejects.status_code == 200
    assert b'"line": 3' in b"".join(rejects.streaming_content)


@pytest.mark.django_db
def test_the_operator_at_the_console_is_nobody_and_a_failed_file_fails_its_run(tmp_path):
    path = tmp_path / "broken.jsonl.gz"
    path.write_bytes(b"\x1f\x8b not really gzip")
    with pytest.raises(CommandError):
        import_command(path)
    run = ImportRun.objects.get()
    assert run.uploaded_by is None and run.state == ImportRun.State.FAILED and run.error


@pytest.mark.django_db
def test_the_history_of_an_article_names_the_command_import(tmp_path):
    account("layla", "add_article", "change_article")
    path = tmp_path / "a.jsonl"
    write_jsonl(path, [ant_row(1)])
    import_command(path, "--user", "layla", "--status", "draft")  # not a chief editor: drafts
    first = ImportRun.objects.get()
    article = Article.objects.get()
    write_jsonl(path, [ant_row(1, abstract="مقدمة مصححة")])
    import_command(path, "--update", "--user", "layla", "--status", "draft")
    second = ImportRun.objects.latest("pk")
    (created,) = contexts(article, "create")
    (updated,) = contexts(article, "update")
    user = User.objects.get(username="layla").pk
    assert created == {"via": "import", "import_run": first.pk, "file": str(path), "user": user}
    assert updated["import_run"] == second.pk and updated["via"] == "import"


@pytest.mark.django_db(transaction=True)
def test_the_history_of_an_article_names_the_admin_import(client, tmp_path):
    user = account("layla", "add_article", "change_article", "view_article")
    client.force_login(user)
    path = tmp_path / "upload.jsonl"
    write_jsonl(path, [ant_row(7)])
    assert upload(client, path).status_code == 302
    run_worker()
    run = ImportRun.objects.get()
    assert run.state == ImportRun.State.FINISHED, run.error
    article = Article.objects.get()
    assert article.updated_by == user
    (created,) = contexts(article, "create")
    assert created == {
        "via": "import",
        "import_run": run.pk,
        "file": "upload.jsonl",
        "user": user.pk,
    }
