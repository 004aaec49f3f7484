"""The admin's imports in the background: the upload is stored and queued, the worker runs it
(procrastinate's own worker, in this process, on the test database), the run's record follows
it, and the upkeep jobs fail dead runs and remove old files."""

import datetime as dt
import functools
import gzip
import importlib
import logging
import os
import re
import threading

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone
from procrastinate.contrib.django import app

from archive import imports, tasks
from archive.models import Article, ImportRun

from .test_import import ANT_MAP, ant_row, write_jsonl

pytestmark = pytest.mark.django_db(transaction=True)

IMPORT_URL = "/admin/archive/article/import/"


def run_worker(*queues, **options):
    """What `manage.py procrastinate worker --one-shot` does: the jobs waiting in `queues`
    (all by default) are run, then it stops."""
    failures = []

    def work():
        try:
            with app.replace_connector(app.connector.get_worker_connector()):
                app.run_worker(
                    queues=list(queues) or None,
                    wait=False,
                    install_signal_handlers=False,
                    listen_notify=False,
                    **options,
                )
        except BaseException as error:  # re-raised in the test's thread
            failures.append(error)
        finally:
            connections.close_all()

    # A thread of its own, with no event loop: the browser tests (Playwright's sync API) leave
    # one running in the main thread, where asyncio.run() would refuse to start.
    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    if failures:
        raise failures[0]


def job_status(job_id):
    with connection.cursor() as cursor:
        cursor.execute("SELECT status FROM procrastinate_jobs WHERE id = %s", [job_id])
        return cursor.fetchone()[0]


@pytest.fixture(autouse=True)
def imports_dir(settings, tmp_path):
    """A folder of its own for the uploads, and an empty queue (a flush between tests
    leaves procrastinate's tables alone)."""
    settings.NEWSROOM_IMPORTS_DIR = tmp_path / "imports"
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE procrastinate_jobs, procrastinate_events, procrastinate_periodic_defers,"
            " procrastinate_workers CASCADE"
        )
    return settings.NEWSROOM_IMPORTS_DIR


@pytest.fixture
def editor(db):
    """An editor, in the Editors group as the migrations make it (a transactional test's
    flush empties the group)."""
    made = importlib.import_module("archive.migrations.0003_editors_group")
    codenames = [f"{a}_{m}" for m in made.EDITOR_MODELS for a in made.ACTIONS]
    group, _ = Group.objects.get_or_create(name="Editors")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="archive", codename__in=[*codenames, "view_importrun"]
        )
    )
    user = User.objects.create_user("layla", password="a-long-editor-password", is_staff=True)
    user.groups.add(group)
    return user


@pytest.mark.django_db
def test_the_editors_group_may_see_import_runs():
    group = Group.objects.get(name="Editors")
    assert group.permissions.filter(codename="view_importrun").exists()
    assert not group.permissions.filter(codename__in=["change_importrun", "add_importrun"])


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def adder_client(client, db):
    """A staff account that may add articles, not change them."""
    user = User.objects.create_user("sami", password="a-long-adder-password", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_article", "view_article"])
    )
    client.force_login(user)
    return client


def upload(client, path, **fields):
    with open(path, "rb") as handle:
        return client.post(
            IMPORT_URL, {"file": handle, "field_map": ANT_MAP, "status": "draft", **fields}
        )


def test_an_upload_is_queued_and_the_worker_runs_it(editor_client, editor, tmp_path):
    path = write_jsonl(
        tmp_path / "ant.jsonl.gz", [ant_row(1), ant_row(2), ant_row(3, text="")], gz=True
    )
    response = upload(editor_client, path, status="draft")
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:archive_importrun_change", args=[run.pk])
    assert (run.state, run.uploaded_by, run.file_name) == ("queued", editor, "ant.jsonl.gz")
    assert (run.article_status, run.update_existing) == ("draft", False)
    assert run.field_map == imports.parse_map(ANT_MAP)
    assert run.upload_path.read_bytes() == path.read_bytes()
    assert run.text_size == len(gzip.decompress(path.read_bytes()))
    assert job_status(run.job_id) == "todo"
    assert not Article.objects.exists()  # nothing is imported inside the request
    page = editor_client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' in page  # not a script: the CSP allows none inline
    assert " style=" not in page and not re.search(r"<script(?![^>]*\bsrc=)", page)

    run_worker()

    run.refresh_from_db()
    assert run.state == "finished"
    assert (run.read, run.created, run.updated, run.skipped, run.rejected) == (3, 2, 0, 0, 1)
    assert run.started_at <= run.finished_at
    assert run.error == ""
    assert job_status(run.job_id) == "succeeded"
    assert sorted(Article.objects.values_list("status", flat=True)) == ["draft", "draft"]
    page = editor_client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in page
    assert "<td>3</td>" in page  # the rejected row's line, in the first rejects
    rejects = editor_client.get(reverse("admin:archive_importrun_rejects", args=[run.pk]))
    assert rejects.status_code == 200
    assert "ant.jsonl.gz.rejects.jsonl" in rejects["Content-Disposition"]
    lines = b"".join(rejects.streaming_content).decode().splitlines()
    assert len(lines) == 1 and '"line": 3' in lines[0]
    assert reverse("admin:archive_importrun_rejects", args=[run.pk]) in page
    listing = editor_client.get(reverse("admin:archive_importrun_changelist"))
    assert "ant.jsonl.gz" in listing.content.decode()


def test_the_search_vocabulary_is_refreshed_after_an_import(editor_client, editor, tmp_path):
    # The vocabulary holds the published articles' words: publishing is a chief editor's.
    editor.user_permissions.add(Permission.objects.get(codename="publish_article"))
    path = write_jsonl(tmp_path / "a.jsonl", [ant_row(1, text="زنجبيلية")])
    upload(editor_client, path, status="published")
    run_worker()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM archive_search_vocabulary WHERE word LIKE '%%زنجبيل%%'"
        )
        assert cursor.fetchone()[0] == 1


def test_a_file_that_cannot_be_read_fails_its_run_with_the_reason(editor_client, tmp_path):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(b'{"title": "caf\xe9"}\n')
    upload(editor_client, path)
    run_worker()
    run = ImportRun.objects.get()
    assert run.state == "failed"
    assert "not UTF-8" in run.error
    assert "latin1.jsonl" in run.error and str(run.upload_path) not in run.error
    page = editor_client.get(reverse("admin:archive_importrun_change", args=[run.pk]))
    assert "not UTF-8" in page.content.decode()
    assert 'http-equiv="refresh"' not in page.content.decode()


def test_an_error_half_way_fails_the_run_and_keeps_its_progress(
    editor_client, tmp_path, monkeypatch
):
    """The counts follow each batch written; the error that stops the import is recorded,
    and the job is marked failed in the queue too."""
    monkeypatch.setattr(
        imports, "import_file", functools.partial(imports.import_file, batch_size=2)
    )
    real_write_batch, calls = imports.write_batch, []

    def write_batch(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the disk is full")
        return real_write_batch(*args, **kwargs)

    monkeypatch.setattr(imports, "write_batch", write_batch)
    upload(editor_client, write_jsonl(tmp_path / "a.jsonl", [ant_row(n) for n in range(5)]))
    run_worker()
    run = ImportRun.objects.get()
    assert run.state == "failed"
    assert run.error == "RuntimeError: the disk is full"
    assert (run.read, run.created) == (2, 2)
    assert Article.objects.count() == 2
    assert job_status(run.job_id) == "failed"


def test_a_stop_request_stops_the_import_after_its_batch(editor_client, tmp_path, monkeypatch):
    """A worker asked to stop (or an abort asked for the job) ends the import between two
    batches, and the run says so."""
    monkeypatch.setattr(
        imports, "import_file", functools.partial(imports.import_file, batch_size=2)
    )
    real_write_batch, calls = imports.write_batch, []
    seen = threading.Event()

    class AbortSeen(logging.Handler):
        def emit(self, record):
            if "abort a synchronous job" in record.getMessage():
                seen.set()

    handler = AbortSeen(level=logging.DEBUG)
    worker_logger = logging.getLogger("procrastinate.worker")
    worker_logger.addHandler(handler)
    level = worker_logger.level
    worker_logger.setLevel(logging.DEBUG)

    def write_batch(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            with connection.cursor() as cursor:  # what "abort" in procrastinate's tools does
                cursor.execute(
                    "SELECT procrastinate_cancel_job_v1(%s, true, false)",
                    [ImportRun.objects.get().job_id],
                )
            assert seen.wait(30)
        return real_write_batch(*args, **kwargs)

    monkeypatch.setattr(imports, "write_batch", write_batch)
    upload(editor_client, write_jsonl(tmp_path / "a.jsonl", [ant_row(n) for n in range(5)]))
    try:
        run_worker(abort_job_polling_interval=0.1)
    finally:
        worker_logger.removeHandler(handler)
        worker_logger.setLevel(level)
    run = ImportRun.objects.get()
    assert run.state == "failed"
    assert run.error == str(tasks.STOPPED) and "العامل" in run.error  # in the site's language
    assert (run.read, run.created, len(calls)) == (2, 2, 1)
    assert job_status(run.job_id) == "aborted"


def test_a_run_whose_worker_died_is_failed_by_the_upkeep(editor_client, tmp_path):
    upload(editor_client, write_jsonl(tmp_path / "a.jsonl", [ant_row(1)]))
    run = ImportRun.objects.get()
    run.start()
    with connection.cursor() as cursor:  # a worker took the job, then fell silent
        cursor.execute(
            "INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - interval '1 hour')"
            " RETURNING id"
        )
        worker = cursor.fetchone()[0]
        cursor.execute(
            "UPDATE procrastinate_jobs SET status = 'doing', worker_id = %s WHERE id = %s",
            [worker, run.job_id],
        )
    tasks.fail_stalled_imports.defer(timestamp=0)
    run_worker(tasks.UPKEEP_QUEUE)
    run.refresh_from_db()
    assert run.state == "failed"
    assert run.error == str(tasks.SILENT)
    assert run.finished_at is not None
    assert job_status(run.job_id) == "failed"


def test_a_run_whose_worker_is_alive_is_left_alone(editor_client, tmp_path):
    upload(editor_client, write_jsonl(tmp_path / "a.jsonl", [ant_row(1)]))
    run = ImportRun.objects.get()
    run.start()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now()) RETURNING id"
        )
        worker = cursor.fetchone()[0]
        cursor.execute(
            "UPDATE procrastinate_jobs SET status = 'doing', worker_id = %s WHERE id = %s",
            [worker, run.job_id],
        )
    tasks.fail_stalled_imports.defer(timestamp=0)
    run_worker(tasks.UPKEEP_QUEUE)
    run.refresh_from_db()
    assert run.state == "running"
    assert job_status(run.job_id) == "doing"


def test_updating_articles_needs_the_change_permission(adder_client, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [ant_row(1)])
    response = upload(adder_client, path, update="on")
    assert response.status_code == 200
    assert "update" in response.context["form"].errors
    assert "تعديل المقالات" in response.context["form"].errors["update"][0]
    assert not ImportRun.objects.exists()
    response = upload(adder_client, path)
    assert response.status_code == 302  # new articles only: allowed
    assert ImportRun.objects.get().update_existing is False
    assert adder_client.get(response["Location"]).status_code == 200  # one's own run


def test_editors_see_every_run_others_only_their_own(
    editor_client, editor, adder_client, client, tmp_path
):
    path = write_jsonl(tmp_path / "a.jsonl", [ant_row(1, text="")])
    theirs = ImportRun.objects.create(
        uploaded_by=editor,
        file_name="theirs.jsonl",
        stored_file="x/upload.jsonl",
        file_size=1,
        text_size=1,
        field_map={},
        article_status="draft",
        update_existing=False,
    )
    upload(adder_client, path)
    mine = ImportRun.objects.exclude(pk=theirs.pk).get()
    run_worker()
    listing = adder_client.get(reverse("admin:archive_importrun_changelist")).content.decode()
    assert "a.jsonl" in listing and "theirs.jsonl" not in listing
    assert (
        adder_client.get(reverse("admin:archive_importrun_change", args=[theirs.pk])).status_code
        == 302
    )
    rejects = reverse("admin:archive_importrun_rejects", args=[mine.pk])
    assert adder_client.get(rejects).status_code == 200
    adder_client.logout()
    client.force_login(editor)
    listing = client.get(reverse("admin:archive_importrun_changelist")).content.decode()
    assert "a.jsonl" in listing and "theirs.jsonl" in listing
    assert client.get(rejects).status_code == 200
    reader = User.objects.create_user("reader", password="x" * 12, is_staff=True)
    client.force_login(reader)
    assert client.get(reverse("admin:archive_importrun_changelist")).status_code == 403
    assert client.get(rejects).status_code == 404
    assert client.get(IMPORT_URL).status_code == 403


def test_runs_are_read_only(editor_client):
    assert editor_client.get(reverse("admin:archive_importrun_add")).status_code == 403
    run = ImportRun.objects.create(
        file_name="a.jsonl",
        stored_file="x/upload.jsonl",
        file_size=1,
        text_size=1,
        field_map={},
        article_status="draft",
        update_existing=False,
    )
    url = reverse("admin:archive_importrun_change", args=[run.pk])
    editor_client.post(url, {"file_name": "changed"})
    assert ImportRun.objects.get().file_name == "a.jsonl"
    assert (
        editor_client.post(reverse("admin:archive_importrun_delete", args=[run.pk])).status_code
        == 403
    )


def test_a_gzip_that_holds_too_much_text_is_refused(editor_client, settings, tmp_path):
    settings.NEWSROOM_IMPORT_MAX_TEXT_MB = 1
    json_line = '{"title": "' + "ب" * 600_000 + '"}\n'  # 1.2 MB of text
    bomb = tmp_path / "bomb.jsonl.gz"
    bomb.write_bytes(gzip.compress(json_line.encode()) + gzip.compress(b"\n"))
    assert bomb.stat().st_size < 20_000
    response = upload(editor_client, bomb)
    assert response.status_code == 200
    error = response.context["form"].errors["file"][0]
    assert "1" in error and "import_articles" in error
    assert not ImportRun.objects.exists()
    assert list(settings.NEWSROOM_IMPORTS_DIR.iterdir()) == []  # nothing left behind
    several = tmp_path / "members.jsonl.gz"  # the limit counts every gzip member
    half = gzip.compress(('{"title": "' + "ب" * 300_000 + '"}\n').encode())
    several.write_bytes(half * 2)
    assert "file" in upload(editor_client, several).context["form"].errors
    small = write_jsonl(tmp_path / "small.jsonl.gz", [ant_row(1)], gz=True)
    assert upload(editor_client, small).status_code == 302


def test_a_damaged_gzip_is_refused(editor_client, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl.gz", [ant_row(n) for n in range(50)], gz=True)
    damaged = tmp_path / "damaged.jsonl.gz"
    damaged.write_bytes(path.read_bytes()[:-30])
    response = upload(editor_client, damaged)
    assert "file" in response.context["form"].errors
    assert not ImportRun.objects.exists()


def finished_run(folder, days_ago, state="finished", name="old.jsonl"):
    stored = f"{name}-{days_ago}/upload.jsonl"
    (folder / stored).parent.mkdir(parents=True)
    (folder / stored).write_text("{}\n")
    (folder / stored).with_name("rejects.jsonl").write_text('{"line": 1, "reason": "x"}\n')
    ended = timezone.now() - dt.timedelta(days=days_ago)
    return ImportRun.objects.create(
        file_name=name,
        stored_file=stored,
        rejects_file=f"{name}-{days_ago}/rejects.jsonl",
        file_size=3,
        text_size=3,
        field_map={},
        article_status="draft",
        update_existing=False,
        state=state,
        queued_at=ended,
        finished_at=None if state == "running" else ended,
        read=1,
        rejected=1,
    )


def test_old_files_are_removed_and_their_runs_kept(editor_client, imports_dir):
    old = finished_run(imports_dir, 31)
    old_failed = finished_run(imports_dir, 40, state="failed")
    recent = finished_run(imports_dir, 29)
    running = finished_run(imports_dir, 45, state="running")
    stray_old, stray_new = imports_dir / "abandoned", imports_dir / "fresh"
    for stray in (stray_old, stray_new):
        stray.mkdir()
        (stray / "upload.csv").write_text("title\n")
    month_ago = (timezone.now() - dt.timedelta(days=31)).timestamp()
    os.utime(stray_old, (month_ago, month_ago))

    tasks.remove_old_import_files.defer(timestamp=0)
    run_worker(tasks.UPKEEP_QUEUE)

    for run in (old, old_failed):
        run.refresh_from_db()
        assert run.files_removed_at is not None
        assert not run.upload_path.parent.exists()
        assert (
            editor_client.get(reverse("admin:archive_importrun_rejects", args=[run.pk])).status_code
            == 404
        )
    page = editor_client.get(reverse("admin:archive_importrun_change", args=[old.pk]))
    assert "30" in page.content.decode()  # "removed on …, 30 days after the import"
    for run in (recent, running):
        run.refresh_from_db()
        assert run.files_removed_at is None and run.upload_path.exists()
    assert not stray_old.exists() and stray_new.exists()
    assert ImportRun.objects.count() == 4


def test_import_file_reports_each_batch(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [ant_row(n) for n in range(5)])
    seen = []
    summary = imports.import_file(
        path,
        imports.parse_map(ANT_MAP),
        quiet=True,
        batch_size=2,
        on_batch=lambda s: seen.append((s.read, s.created)),
    )
    assert seen == [(2, 2), (4, 4), (5, 5)]
    assert summary.created == 5


def test_a_run_whose_job_was_cancelled_is_failed_by_the_upkeep(editor_client, tmp_path):
    upload(editor_client, write_jsonl(tmp_path / "a.jsonl", [ant_row(1)]))
    upload(editor_client, write_jsonl(tmp_path / "b.jsonl", [ant_row(2)]))
    cancelled, waiting = ImportRun.objects.order_by("pk")
    with connection.cursor() as cursor:  # what "cancel" in procrastinate's tools does
        cursor.execute("SELECT procrastinate_cancel_job_v1(%s, false, false)", [cancelled.job_id])
    tasks.fail_stalled_imports.defer(timestamp=0)
    run_worker(tasks.UPKEEP_QUEUE)
    cancelled.refresh_from_db()
    waiting.refresh_from_db()
    assert (cancelled.state, cancelled.error) == ("failed", str(tasks.LOST))
    assert waiting.state == "queued"


@pytest.mark.parametrize("raw", ["thirty", "0", "-1"])
def test_import_settings_must_be_positive_whole_numbers(monkeypatch, raw):
    from django.core.exceptions import ImproperlyConfigured

    from newsroom.settings import env_int

    monkeypatch.setenv("NEWSROOM_IMPORT_RETENTION_DAYS", raw)
    with pytest.raises(ImproperlyConfigured, match="NEWSROOM_IMPORT_RETENTION_DAYS"):
        env_int("NEWSROOM_IMPORT_RETENTION_DAYS", 30, minimum=1)
    monkeypatch.setenv("NEWSROOM_IMPORT_RETENTION_DAYS", "7")
    assert env_int("NEWSROOM_IMPORT_RETENTION_DAYS", 30, minimum=1) == 7


def test_an_upload_is_stored_under_a_short_name_of_its_format(editor_client, tmp_path):
    long_name = tmp_path / ("x." + "y" * 200 + ".CSV.gz")
    with gzip.open(long_name, "wt", encoding="utf-8") as handle:
        handle.write("title,body,outlet,published_at\nعنوان,نص,مصدر,2020-01-01\n")
    assert upload(editor_client, long_name, field_map="").status_code == 302
    run = ImportRun.objects.get()
    assert run.stored_file.endswith("/upload.csv.gz") and len(run.stored_file) < 60
    assert run.file_name == long_name.name
    run_worker()
    run.refresh_from_db()
    assert (run.state, run.created) == ("finished", 1)


def test_the_import_page_offers_draft_first(editor_client):
    """A bulk upload goes public only when the editor chooses so."""
    form = editor_client.get(IMPORT_URL).context["form"]
    assert form["status"].value() == Article.Status.DRAFT


def test_the_run_page_names_its_uploader_without_a_link_to_the_accounts(
    editor_client, editor, tmp_path
):
    """Editors may not open user accounts: the run names who uploaded it as text."""
    path = write_jsonl(tmp_path / "ant.jsonl", [ant_row(1)])
    run_url = upload(editor_client, path).url
    html = editor_client.get(run_url).content.decode()
    assert editor.get_username() in html
    assert f"/admin/auth/user/{editor.pk}/" not in html


@pytest.mark.django_db
def test_a_run_is_named_by_its_time_in_the_newsrooms_zone(settings):
    # The admin's page title and breadcrumbs name a run by str(run): its time is the one
    # the rest of the page shows, not UTC's.
    run = ImportRun(file_name="ant.jsonl", queued_at=dt.datetime(2026, 12, 7, 16, 1, tzinfo=dt.UTC))
    with timezone.override("Asia/Riyadh"):
        assert str(run) == "ant.jsonl (2026-12-07 19:01)"
    with timezone.override("UTC"):
        assert str(run) == "ant.jsonl (2026-12-07 16:01)"
