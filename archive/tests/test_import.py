"""import_articles and the admin's import page, on small files made here."""

import csv
import gzip
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from archive import imports
from archive.models import Article, Source, Tag, TagAlias

ANT_MAP = (
    "title=title,body=text,lead=abstract,source=src,published_at=time_iso,url=url,tags=cat,"
    "author=author"
)


def ant_row(n, **fields):
    row = {
        "docno": f"XX-{n}",
        "url": f"https://news.example.org/{n}",
        "src": "skynews",
        "cat": "middleEast",
        "title": f"عنوان الخبر رقم {n}",
        "time": "Thu, 28 Jun 2018 05:02:25 GMT",
        "time_iso": "2018-06-28T05:02:25+00:00",
        "author": "",
        "abstract": f"مقدمة {n}",
        "text": f"نص الخبر رقم {n} عن الاقتصاد.",
    }
    row.update(fields)
    return row


def write_jsonl(path, rows, *, gz=False):
    lines = "".join(
        (r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows
    )
    if gz:
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write(lines)
    else:
        path.write_text(lines, encoding="utf-8")
    return path


def run(*paths, **options):
    out = io.StringIO()
    call_command(
        "import_articles",
        *map(str, paths),
        stdout=out,
        stderr=io.StringIO(),
        verbosity=0,
        **options,
    )
    return out.getvalue()


def numbers(output):
    figures = {}
    for name in ("read", "created", "updated", "rejected"):
        figures[name] = int(
            output.split(f"{name} ")[1].split(",")[0].split(" ")[0].replace(",", "")
        )
    figures["skipped"] = int(output.split("skipped as duplicates ")[1].split(",")[0])
    return figures


pytestmark = pytest.mark.django_db


def test_the_ant_field_map(tmp_path):
    path = write_jsonl(tmp_path / "ant.jsonl", [ant_row(n) for n in range(5)])
    figures = numbers(run(path, field_map=ANT_MAP))
    assert figures == {"read": 5, "created": 5, "updated": 0, "rejected": 0, "skipped": 0}
    article = Article.objects.get(url="https://news.example.org/3")
    assert article.title == "عنوان الخبر رقم 3" and article.lead == "مقدمة 3"
    assert article.is_published and article.source.name == "skynews"
    assert [t.name_en for t in article.tags.all()] == ["middleEast"]
    assert Article.objects.published().search("الاقتصاد").count() == 5  # indexed by PostgreSQL


def test_gzip_is_read_whatever_the_name(tmp_path):
    path = write_jsonl(tmp_path / "ant.jsonl.gz", [ant_row(n) for n in range(3)], gz=True)
    assert numbers(run(path, field_map=ANT_MAP))["created"] == 3


def test_running_the_same_file_again_adds_nothing(tmp_path):
    path = write_jsonl(tmp_path / "ant.jsonl", [ant_row(n) for n in range(4)])
    run(path, field_map=ANT_MAP)
    figures = numbers(run(path, field_map=ANT_MAP))
    assert figures["created"] == 0 and figures["skipped"] == 4
    assert Article.objects.count() == 4


def test_a_url_twice_in_one_file_is_one_article(tmp_path):
    rows = [ant_row(1), ant_row(2), ant_row(1, title="نسخة ثانية")]
    figures = numbers(run(write_jsonl(tmp_path / "a.jsonl", rows), field_map=ANT_MAP, batch_size=1))
    assert figures["created"] == 2 and figures["skipped"] == 1
    assert Article.objects.get(url="https://news.example.org/1").title == "عنوان الخبر رقم 1"


def test_without_a_url_title_and_body_identify_an_article(tmp_path):
    rows = [ant_row(1, url=""), ant_row(1, url=""), ant_row(1, url="", text="نص آخر")]
    figures = numbers(run(write_jsonl(tmp_path / "a.jsonl", rows), field_map=ANT_MAP))
    assert figures["created"] == 2 and figures["skipped"] == 1
    assert numbers(run(tmp_path / "a.jsonl", field_map=ANT_MAP))["skipped"] == 3


def test_update_replaces_what_changed(tmp_path):
    run(write_jsonl(tmp_path / "a.jsonl", [ant_row(1)]), field_map=ANT_MAP)
    write_jsonl(tmp_path / "b.jsonl", [ant_row(1, title="عنوان مصحح", cat="sport")])
    figures = numbers(run(tmp_path / "b.jsonl", field_map=ANT_MAP, update=True))
    assert figures["updated"] == 1 and figures["created"] == 0
    article = Article.objects.get()
    assert article.title == "عنوان مصحح"
    assert {t.name_en for t in article.tags.all()} == {"middleEast", "sport"}


def test_draft_status(tmp_path):
    run(write_jsonl(tmp_path / "a.jsonl", [ant_row(1)]), field_map=ANT_MAP, status="draft")
    assert not Article.objects.published().exists() and Article.objects.count() == 1


def test_outlets_and_tags_are_found_by_name_or_alias_never_duplicated(tmp_path):
    outlet = Source.objects.create(
        name="Sky News Arabia", name_ar="سكاي نيوز عربية", slug="skynews"
    )
    tag = Tag.objects.create(kind=Tag.Kind.PLACE, name_ar="الشرق الأوسط", name_en="Middle East")
    TagAlias.objects.create(tag=tag, name="middleEast")
    rows = [
        ant_row(1),
        ant_row(2, src="سكاي نيوز عربية"),
        ant_row(3, src="BBC", cat="sport"),
        ant_row(4, src="BBC", cat="sport"),
    ]
    run(write_jsonl(tmp_path / "a.jsonl", rows), field_map=ANT_MAP, batch_size=2)
    assert Source.objects.count() == 2 and Tag.objects.count() == 2
    assert set(Article.objects.filter(source=outlet).values_list("url", flat=True)) == {
        "https://news.example.org/1",
        "https://news.example.org/2",
    }
    assert Article.objects.filter(tags=tag).count() == 2


def test_bad_rows_are_rejected_with_line_and_reason_and_nothing_else_is_lost(tmp_path):
    rows = [
        ant_row(1),
        ant_row(2, title="  "),
        ant_row(3, text=""),
        ant_row(4, time_iso="yesterday"),
        "{not json",
        "[1, 2]",
        ant_row(7, url="ftp:/broken url"),
        ant_row(8, src=""),
        ant_row(9, title="x" * 600),
        ant_row(10),
    ]
    path = write_jsonl(tmp_path / "a.jsonl", rows)
    figures = numbers(run(path, field_map=ANT_MAP))
    assert figures == {"read": 10, "created": 2, "updated": 0, "rejected": 8, "skipped": 0}
    rejects = [json.loads(line) for line in Path(f"{path}.rejects.jsonl").read_text().splitlines()]
    assert [r["line"] for r in rejects] == [2, 3, 4, 5, 6, 7, 8, 9]
    reasons = " | ".join(r["reason"] for r in rejects)
    for expected in (
        "no title",
        "no body",
        "does not parse",
        "not JSON",
        "not a JSON object",
        "not a web address",
        "no outlet",
        "longer than",
    ):
        assert expected in reasons


# Rows the text index cannot hold: a word of 1,100 letters (2,200 bytes; PostgreSQL refuses a
# lexeme of 2 kB), and 300 ﷲ ligatures (four letters each once normalised).
UNINDEXABLE = [
    ant_row(1),
    ant_row(2, text="كلمة " + "ب" * 1_100),
    ant_row(3),
    ant_row(4, abstract="ﷲ" * 300),
    ant_row(5),
]


@pytest.mark.parametrize(
    "workers", [1, pytest.param(2, marks=pytest.mark.django_db(transaction=True))]
)
def test_a_row_the_text_index_cannot_hold_is_rejected_and_the_others_go_in(tmp_path, workers):
    path = write_jsonl(tmp_path / "a.jsonl", UNINDEXABLE)
    figures = numbers(run(path, field_map=ANT_MAP, batch_size=2, workers=workers))
    assert figures == {"read": 5, "created": 3, "updated": 0, "rejected": 2, "skipped": 0}
    assert sorted(Article.objects.values_list("url", flat=True)) == [
        f"https://news.example.org/{n}" for n in (1, 3, 5)
    ]
    rejects = [json.loads(line) for line in Path(f"{path}.rejects.jsonl").read_text().splitlines()]
    assert [r["line"] for r in rejects] == [2, 4]
    assert all("too long to be indexed for search" in r["reason"] for r in rejects)
    again = numbers(run(path, field_map=ANT_MAP, workers=workers))
    assert again == {"read": 5, "created": 0, "updated": 0, "rejected": 2, "skipped": 3}


def test_only_a_rows_own_data_is_a_reason_to_reject_it():
    """An error that is not the row's (here: a table that is not there) stops the import."""
    with pytest.raises(DatabaseError) as too_long, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT archive_text_vectors(%s, 'C')", ["ب" * 1_100])
    assert "too long to be indexed" in imports.refusal(too_long.value)
    with pytest.raises(DatabaseError) as missing, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM archive_nowhere")
    assert imports.refusal(missing.value) is None


def test_a_text_too_large_for_the_index_is_the_rows_own_fault():
    words = " ".join(f"{n:08x}{n:08x}" for n in range(40_000))  # a vector over 1 MB
    with pytest.raises(DatabaseError) as too_large, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT archive_text_vectors(%s, 'C')", [words])
    assert "too long to be indexed for search" in imports.refusal(too_large.value)


def raised(cause):
    """A DatabaseError as Django raises it, from the driver's `cause`."""
    error = DatabaseError(str(cause))
    error.__cause__ = cause
    return error


def test_a_refusal_is_told_by_its_sqlstate_not_by_its_words():
    """A server that speaks another language gives the same reasons."""
    limit = psycopg.errors.ProgramLimitExceeded("le mot est trop long pour être indexé")
    assert "too long to be indexed for search" in imports.refusal(raised(limit))
    too_long = psycopg.errors.StringDataRightTruncation("word is too long for tsvector")
    assert imports.refusal(raised(too_long)).startswith("the database refused it")
    deadlock = psycopg.errors.DeadlockDetected("word is too long")
    assert imports.refusal(raised(deadlock)) is None


def test_a_clean_rerun_removes_the_stale_rejects_file(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [ant_row(1), ant_row(2, text="")])
    run(path, field_map=ANT_MAP)
    assert Path(f"{path}.rejects.jsonl").exists()
    write_jsonl(path, [ant_row(1)])
    run(path, field_map=ANT_MAP)
    assert not Path(f"{path}.rejects.jsonl").exists()


def test_rfc822_dates_and_naive_dates(tmp_path):
    rows = [ant_row(1, time_iso="Thu, 28 Jun 2018 05:02:25 GMT"), ant_row(2, time_iso="2018-06-28")]
    run(write_jsonl(tmp_path / "a.jsonl", rows), field_map=ANT_MAP)
    assert {a.published_at.isoformat() for a in Article.objects.all()} == {
        "2018-06-28T05:02:25+00:00",
        "2018-06-28T00:00:00+00:00",
    }


def test_csv_in_the_archives_own_export_shape_round_trips(tmp_path, client):
    call_command("loaddata", "seed", verbosity=0)
    exported = b"".join(client.get("/export/articles.csv").streaming_content)
    before = {
        a.url or a.title: (a.title, a.body, a.source.name)
        for a in Article.objects.select_related("source")
    }
    path = tmp_path / "export.csv"
    path.write_bytes(exported)
    output = run(path)
    figures = numbers(output)
    assert figures["skipped"] == len(before) and figures["created"] == 0, output
    Article.objects.all().delete()
    figures = numbers(run(path))
    assert figures["created"] == len(before) and figures["rejected"] == 0
    after = {
        a.url or a.title: (a.title, a.body, a.source.name)
        for a in Article.objects.select_related("source")
    }
    assert after == before


def test_csv_gzip_and_a_row_with_too_many_values(tmp_path):
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["title", "outlet", "published_at", "body"])
    writer.writerow(["خبر أول", "وكالة", "2024-01-02", "نص\nمن سطرين"])
    writer.writerow(["خبر ثان", "وكالة", "2024-01-03", "نص", "زائد"])
    writer.writerow(["خبر ثالث", "وكالة", "2024-01-04", "نص ثالث"])
    path = tmp_path / "rows.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(text.getvalue())
    figures = numbers(run(path))
    assert figures["created"] == 2 and figures["rejected"] == 1
    reject = json.loads(Path(f"{path}.rejects.jsonl").read_text())
    assert reject["line"] == 4 and "more values" in reject["reason"]
    assert Article.objects.get(title="خبر أول").body == "نص\nمن سطرين"


@pytest.mark.parametrize(
    ("field_map", "message"),
    [
        ("title=title,headline=x", "not an article field"),
        ("title=title,body", "target=field"),
        ("title=title,body=text", "published_at"),
    ],
)
def test_a_bad_field_map_stops_before_anything_is_written(tmp_path, field_map, message):
    path = write_jsonl(tmp_path / "a.jsonl", [ant_row(1)])
    with pytest.raises(CommandError, match=message):
        run(path, field_map=field_map)
    assert not Article.objects.exists()


def test_unreadable_inputs_are_refused(tmp_path):
    with pytest.raises(CommandError, match="must end in"):
        run(write_jsonl(tmp_path / "a.txt", [ant_row(1)]))
    with pytest.raises(CommandError, match="No such file"):
        run(tmp_path / "missing.jsonl")
    broken = tmp_path / "broken.jsonl.gz"
    whole = gzip.compress("".join(json.dumps(ant_row(n)) + "\n" for n in range(500)).encode())
    broken.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(CommandError, match="cannot be read to the end"):
        run(broken, field_map=ANT_MAP)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("title,outlet,published_at,body\ncaf\xe9,x,2024-01-01,y\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        run(latin)


def test_progress_lines_when_not_on_a_terminal(tmp_path, monkeypatch):
    monkeypatch.setattr(imports.Progress, "interval", 0)
    path = write_jsonl(tmp_path / "a.jsonl", [ant_row(n) for n in range(6)])
    out = io.StringIO()
    imports.import_file(path, imports.parse_map(ANT_MAP), batch_size=2, out=out)
    lines = out.getvalue().splitlines()
    assert len(lines) >= 2 and "rows/s" in lines[0]


def test_the_rejects_file_goes_to_the_current_folder_when_the_inputs_is_read_only(
    tmp_path, monkeypatch
):
    folder = tmp_path / "readonly"
    folder.mkdir()
    path = write_jsonl(folder / "a.jsonl", [ant_row(1, text="")])
    folder.chmod(0o555)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    try:
        output = run(path, field_map=ANT_MAP)
    finally:
        folder.chmod(0o755)
    assert (work / "a.jsonl.rejects.jsonl").exists()
    assert not (folder / "a.jsonl.rejects.jsonl").exists()
    assert "a.jsonl.rejects.jsonl" in output


@pytest.mark.django_db(transaction=True)
def test_killed_half_way_and_run_again_it_finishes_without_duplicates(tmp_path):
    rows = [ant_row(n) for n in range(3000)]
    path = write_jsonl(tmp_path / "many.jsonl", rows)
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DJANGO_SECRET_KEY": "x",
        "DATABASE_URL": database_url(database),
    }
    command = [
        sys.executable,
        "manage.py",
        "import_articles",
        str(path),
        "--map",
        ANT_MAP,
        "--batch-size",
        "50",
        "--no-vocabulary",
        "-v",
        "0",
    ]
    process = subprocess.Popen(
        command,
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while Article.objects.count() < 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    partial = Article.objects.count()
    assert 0 < partial < 3000
    assert partial % 50 == 0  # whole batches only
    finished = subprocess.run(
        command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )
    assert finished.returncode == 0, finished.stderr
    assert Article.objects.count() == 3000
    assert Article.objects.values("url").distinct().count() == 3000


def database_url(database):
    host = database["HOST"]
    location = (
        f"@/{database['NAME']}?host={host}"
        if host.startswith("/")
        else (f"@{host}:{database['PORT'] or 5432}/{database['NAME']}")
    )
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    return f"postgres://{database['USER']}{password}{location}"


def test_admin_import_refuses_a_bad_map_or_file(editor_client, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [ant_row(1)])
    with open(path, "rb") as upload:
        response = editor_client.post(
            "/admin/archive/article/import/",
            {"file": upload, "field_map": "nonsense", "status": "published"},
        )
    assert "field_map" in response.context["form"].errors
    bad = tmp_path / "a.pdf"
    bad.write_bytes(b"%PDF")
    with open(bad, "rb") as upload:
        response = editor_client.post(
            "/admin/archive/article/import/", {"file": upload, "status": "published"}
        )
    assert "file" in response.context["form"].errors
    assert not Article.objects.exists()


def test_only_editors_may_import(client, tmp_path):
    from django.contrib.auth.models import User

    user = User.objects.create_user("reader", password="x" * 12, is_staff=True)
    client.force_login(user)
    assert client.get("/admin/archive/article/import/").status_code == 403


def test_summary_adds_up():
    summary = imports.Summary(read=10, created=5, updated=1, skipped=3, rejected=1)
    assert summary.balanced
    assert connection.vendor == "postgresql"


@pytest.mark.django_db(transaction=True)
def test_workers_share_a_file_with_the_same_result(tmp_path, monkeypatch):
    pids = []
    real_write = imports.write_batch

    def write_batch(*args, **kwargs):
        pids.append(os.getpid())
        return real_write(*args, **kwargs)

    monkeypatch.setattr(imports, "write_batch", write_batch)
    rows = [ant_row(n) for n in range(300)]
    rows += [ant_row(n) for n in range(0, 300, 7)]  # duplicates of earlier rows
    rows += [ant_row(n, url="") for n in range(300, 320)] * 2  # no url, each twice
    rows += ["{broken", ant_row(999, text="")]
    path = write_jsonl(tmp_path / "many.jsonl", rows)
    figures = numbers(run(path, field_map=ANT_MAP, workers=2, batch_size=40))
    assert figures == {
        "read": len(rows),
        "created": 320,
        "updated": 0,
        "skipped": 43 + 20,
        "rejected": 2,
    }
    assert Article.objects.count() == 320
    assert pids == []  # the batches were written by the workers, not by this process
    rejects = Path(f"{path}.rejects.jsonl").read_text().splitlines()
    assert [json.loads(r)["line"] for r in rejects] == [len(rows) - 1, len(rows)]
    assert numbers(run(path, field_map=ANT_MAP, workers=2))["created"] == 0


def test_workers_must_be_sensible(tmp_path):
    with pytest.raises(CommandError, match="--workers"):
        run(write_jsonl(tmp_path / "a.jsonl", [ant_row(1)]), field_map=ANT_MAP, workers=0)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("with_urls", [True, False])
def test_two_imports_of_the_same_rows_at_once_create_each_article_once(
    tmp_path, monkeypatch, with_urls
):
    """An import (the admin's, say) that starts while another holds the same rows in an
    open transaction does not create them again: a row with a url by the url's unique index,
    one without by the slug's, which is made from its title and body. It waits for the first
    to commit, its batch fails on that index, and written again a row at a time each row is
    found and skipped."""
    import threading

    rows = [ant_row(n, **({} if with_urls else {"url": ""})) for n in range(3)]
    path = write_jsonl(tmp_path / "same.jsonl", rows)
    mapping = imports.parse_map(ANT_MAP)
    holding, release = threading.Event(), threading.Event()
    real_write_rows = imports.write_rows

    def write_rows(*args, **kwargs):
        counts = real_write_rows(*args, **kwargs)
        if threading.current_thread().name == "first" and not holding.is_set():
            holding.set()  # its rows are written, its transaction still open
            release.wait(60)
        return counts

    monkeypatch.setattr(imports, "write_rows", write_rows)
    summaries, errors = {}, []

    def import_once():
        name = threading.current_thread().name
        try:
            summaries[name] = imports.import_file(
                path, mapping, quiet=True, rejects_path=tmp_path / f"{name}.rejects.jsonl"
            )
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    first = threading.Thread(target=import_once, name="first")
    first.start()
    assert holding.wait(60)
    second = threading.Thread(target=import_once, name="second")
    second.start()
    with connection.cursor() as cursor:  # until the second waits for a lock (or is done)
        for _ in range(6000):
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0] or not second.is_alive():
                break
            time.sleep(0.01)
    release.set()
    first.join(60)
    second.join(60)
    assert errors == []
    assert Article.objects.count() == 3
    assert (summaries["first"].created, summaries["first"].skipped) == (3, 0)
    assert (summaries["second"].created, summaries["second"].skipped) == (0, 3)
    assert summaries["second"].rejected == 0
