"""The bulk import never aborts on one bad row, never loses the good rows around it, never
drops one silently: each bad row goes to the rejects file with its line and every reason, and
read = created + updated + skipped + rejected whatever the file holds."""

import csv
import datetime as dt
import gzip
import io
import json
import os
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from archive import imports
from archive.models import Article, Source, Tag

from .test_import import ANT_MAP, ant_row, numbers, run, write_jsonl

pytestmark = pytest.mark.django_db

# The ANT map, and the two text fields it leaves out.
FULL_MAP = ANT_MAP + ",credited_sources=credits,language=lang"


@pytest.fixture(params=["command", "import_file"])
def via(request):
    """Each file goes in through the command and, apart, through import_file."""
    return request.param


def import_rows(tmp_path, via, rows, field_map=FULL_MAP, name="a.jsonl", **options):
    """The figures (checked to add up) and the rejects, by line."""
    path = tmp_path / name
    if not path.exists():
        write_jsonl(path, rows)
    if via == "command":
        figures = numbers(run(path, field_map=field_map, **options))
    else:
        summary = imports.import_file(path, imports.parse_map(field_map), quiet=True, **options)
        figures = {k: getattr(summary, k) for k in imports.COUNTS}
    assert figures["read"] == sum(figures[k] for k in ("created", "updated", "skipped", "rejected"))
    rejects_file = Path(f"{path}.rejects.jsonl")
    rejects = {}
    if rejects_file.exists():
        for line in rejects_file.read_text().splitlines():
            entry = json.loads(line)
            rejects[entry["line"]] = entry["reason"]
    return figures, rejects


def imported_urls():
    return sorted(Article.objects.values_list("url", flat=True))


def urls(*numbers):
    return sorted(f"https://news.example.org/{n}" for n in numbers)


# --- a text no field may hold -------------------------------------------------------------

TEXT_FIELDS = ["title", "abstract", "text", "author", "src", "cat", "credits", "url", "lang"]


@pytest.mark.parametrize("field", TEXT_FIELDS)
@pytest.mark.parametrize(
    ("bad", "words"),
    [("\x00", "U+0000"), ("\x01", "U+0001"), ("\x1f", "U+001F"), ("\x9b", "U+009B")],
)
def test_a_control_character_in_any_text_field_rejects_its_row_alone(
    tmp_path, via, field, bad, words
):
    row = ant_row(2, credits="رويترز", lang="ar")
    row[field] = row[field][:8] + bad + row[field][8:]
    rows = [ant_row(1), row, ant_row(3)]
    figures, rejects = import_rows(tmp_path, via, rows)
    assert figures == {"read": 3, "created": 2, "updated": 0, "skipped": 0, "rejected": 1}
    assert imported_urls() == urls(1, 3)
    assert list(rejects) == [2]
    assert rejects[2].startswith(f"{field}: ") and words in rejects[2]


def test_a_lone_surrogate_is_rejected_not_sent_to_the_database(tmp_path, via):
    rows = [ant_row(1), '{"title": "\\ud800", "src": "a", "text": "b", "time_iso": "2020"}']
    figures, rejects = import_rows(tmp_path, via, rows)
    assert (figures["created"], figures["rejected"]) == (1, 1)
    assert "surrogate" in rejects[2]


def test_the_drivers_refusal_of_a_nul_is_the_rows_own_fault():
    with pytest.raises(DatabaseError) as nul, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s::text", ["a\x00b"])
    assert "refused" in imports.refusal(nul.value)


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"src": "و" * 201}, "outlet name"),
        ({"cat": "middleEast; " + "و" * 201}, "tag name"),
        ({"credits": "x" * 201}, "credited source name"),
    ],
)
def test_an_outlet_or_tag_name_over_200_characters_is_rejected(tmp_path, via, fields, words):
    rows = [ant_row(1), ant_row(2, **fields), ant_row(3)]
    figures, rejects = import_rows(tmp_path, via, rows)
    assert (figures["created"], figures["rejected"]) == (2, 1)
    assert words in rejects[2] and "longer than 200" in rejects[2]
    assert not Source.objects.filter(name__startswith="و" * 50).exists()
    assert not Tag.objects.filter(name_ar__startswith="و" * 50).exists()


def test_a_byline_over_its_field_is_rejected_not_cut(tmp_path, via):
    rows = [ant_row(1, author="كاتب " * 40), ant_row(2, author="ك" * 301), ant_row(3)]
    figures, rejects = import_rows(tmp_path, via, rows)
    assert (figures["created"], figures["rejected"]) == (2, 1)
    assert "byline is longer than 300" in rejects[2]
    assert Article.objects.get(url=urls(1)[0]).author == " ".join(["كاتب"] * 40)


def test_a_name_the_database_refuses_rejects_its_row_alone(tmp_path, via, monkeypatch):
    """A refusal while the outlets and tags are made (here a name limit the row checks did
    not know) rejects the row, not the import."""
    monkeypatch.setattr(imports, "MAX_NAME", 10_000)
    rows = [ant_row(1), ant_row(2, cat="و" * 201), ant_row(3)]
    figures, rejects = import_rows(tmp_path, via, rows, batch_size=2)
    assert (figures["created"], figures["rejected"]) == (2, 1)
    assert "refused" in rejects[2]


def test_every_problem_of_a_row_is_listed(tmp_path, via):
    rows = [
        ant_row(1),
        ant_row(2, title="", abstract="مقدمة\x07", time_iso="yesterday", url="ftp://x", src=""),
    ]
    figures, rejects = import_rows(tmp_path, via, rows)
    assert (figures["created"], figures["rejected"]) == (1, 1)
    for words in ("no title", "abstract: ", "U+0007", "does not parse", "not a web address"):
        assert words in rejects[2]
    assert "no outlet" in rejects[2]


# --- dates ----------------------------------------------------------------------------------


def test_publication_dates_outside_1800_to_next_year_are_rejected(tmp_path, via, client):
    next_year = dt.date.today().year + 1
    rows = [
        ant_row(1, time_iso="0001-01-01T00:30:00+01:00"),
        ant_row(2, time_iso="1799-12-31T23:00:00+00:00"),
        ant_row(3, time_iso="1800-01-01T00:00:00+00:00"),
        ant_row(4, time_iso=f"{next_year}-12-31T23:00:00+00:00"),
        ant_row(5, time_iso=f"{next_year + 1}-01-01T00:00:00+00:00"),
        ant_row(6, time_iso="Mon, 01 Jan 1700 00:00:00 GMT"),
    ]
    figures, rejects = import_rows(tmp_path, via, rows)
    assert (figures["created"], figures["rejected"]) == (2, 4)
    assert imported_urls() == urls(3, 4)
    assert sorted(rejects) == [1, 2, 5, 6]
    assert all(reason.startswith("the date") for reason in rejects.values())
    for page in ("/", "/?sort=oldest", "/api/articles/", "/feeds/articles/", "/sitemap.xml"):
        assert client.get(page).status_code == 200, page


def test_reasons_are_in_english_whatever_the_active_language(tmp_path, via):
    """The reasons made by the model's rules (dates, control characters) read like the
    import's own, even when the import runs under the Arabic interface (the admin's worker)."""
    from django.utils import translation

    rows = [ant_row(1, time_iso="0001-01-01T00:30:00+01:00"), ant_row(2, title="عنوان\x07")]
    with translation.override("ar"):
        figures, rejects = import_rows(tmp_path, via, rows)
    assert figures["rejected"] == 2
    assert "between 1800 and the end of next year" in rejects[1]
    assert "control character (U+0007)" in rejects[2]


# --- files that are not what they say -------------------------------------------------------


@pytest.mark.parametrize(
    "line", ["[" * 100_000, '{"title": ' + "[" * 100_000, '{"title": ' + '{"a": ' * 50_000]
)
def test_json_nested_too_deeply_is_not_json(tmp_path, via, line):
    figures, rejects = import_rows(tmp_path, via, [ant_row(1), line, ant_row(3)])
    assert (figures["created"], figures["rejected"]) == (2, 1)
    assert rejects[2].startswith("not JSON")


def csv_file(tmp_path, lines, name="rows.csv"):
    path = tmp_path / name
    path.write_text("title,outlet,published_at,body\n" + "".join(lines), encoding="utf-8")
    return path


def csv_row(n, body=None):
    return f"خبر {n},وكالة,2024-01-0{n},{body or f'نص الخبر {n}'}\n"


@pytest.mark.parametrize(
    ("broken", "words"),
    [
        ('خبر 2,وكالة,2024-01-02,"نص لا ينتهي\n', "not CSV"),  # open to the end of the file
        ('خبر 2,"وكالة,2024-01-02,نص\n', "not CSV"),  # open, closed by a later line's quote
        ('خبر 2,"وكالة" زائد,2024-01-02,نص\n', "not CSV"),  # text after a closing quote
        ("خبر 2,وكالة,2024-01-02,نص,زائد\n", "more values"),
    ],
)
def test_malformed_csv_is_reported_by_its_line_and_the_rest_goes_in(tmp_path, via, broken, words):
    later = [csv_row(3), 'خبر 4,وكالة,2024-01-04,"نص\nمن سطرين"\n', csv_row(5)]
    path = csv_file(tmp_path, [csv_row(1), broken, *later])
    figures, rejects = import_rows(tmp_path, via, [], field_map="", name=path.name)
    assert figures == {"read": 5, "created": 4, "updated": 0, "skipped": 0, "rejected": 1}
    assert list(rejects) == [3] and words in rejects[3]
    assert sorted(Article.objects.values_list("title", flat=True)) == [
        "خبر 1",
        "خبر 3",
        "خبر 4",
        "خبر 5",
    ]
    assert Article.objects.get(title="خبر 4").body == "نص\nمن سطرين"


def test_a_quote_left_open_in_the_last_row_is_reported(tmp_path, via):
    path = csv_file(tmp_path, [csv_row(1), 'خبر 2,وكالة,2024-01-02,"نص'])
    figures, rejects = import_rows(tmp_path, via, [], field_map="", name=path.name)
    assert (figures["read"], figures["created"], figures["rejected"]) == (2, 1, 1)
    assert "not CSV" in rejects[3]


def test_a_broken_csv_header_stops_the_import_before_anything_is_written(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text('title,"outlet,published_at,body\n' + csv_row(1), encoding="utf-8")
    with pytest.raises(CommandError, match="header"):
        run(path)
    assert not Article.objects.exists()


# --- bounds on what one row may hold --------------------------------------------------------


class RecordingText(io.StringIO):
    """Remembers the longest piece the importer asked for at once."""

    longest = 0

    def readline(self, size=-1):
        line = super().readline(size)
        self.longest = max(self.longest, len(line))
        return line


def test_a_line_over_the_bound_is_skipped_to_its_end_without_being_held(monkeypatch):
    monkeypatch.setattr(imports, "MAX_LINE", 100)
    monkeypatch.setattr(imports, "SKIP_PIECE", 10)
    text = RecordingText("a" * 5000 + "\n" + "b" * 100 + "\n" + "c" * 101 + "\nd")
    lines = imports.Lines(text)
    got = [lines.next() for _ in range(5)]
    assert got == [
        (1, imports.Lines.TOO_LONG),
        (2, "b" * 100 + "\n"),
        (3, imports.Lines.TOO_LONG),
        (4, "d"),
        (5, None),
    ]
    assert text.longest <= 101


def test_a_jsonl_line_over_the_bound_is_rejected_and_the_rest_goes_in(tmp_path, via, monkeypatch):
    monkeypatch.setattr(imports, "MAX_LINE", 400)
    rows = [ant_row(1), ant_row(2, text="ب" * 500), ant_row(3)]
    figures, rejects = import_rows(tmp_path, via, rows)
    assert (figures["created"], figures["rejected"]) == (2, 1)
    assert "longer than 400 characters" in rejects[2]


def test_a_field_over_the_bound_is_rejected(tmp_path, via, monkeypatch):
    monkeypatch.setattr(imports, "MAX_FIELD", 100)
    rows = [ant_row(1), ant_row(2, text="ب" * 101), ant_row(3, text="ب" * 100)]
    figures, rejects = import_rows(tmp_path, via, rows)
    assert (figures["created"], figures["rejected"]) == (2, 1)
    assert rejects[2].startswith("text: longer than 100 characters")


def test_csv_records_and_fields_over_the_bound_are_rejected(tmp_path, via, monkeypatch):
    monkeypatch.setattr(imports, "MAX_LINE", 400)
    monkeypatch.setattr(imports, "MAX_FIELD", 200)
    lines = [
        csv_row(1),
        csv_row(2, "ب" * 300),  # a field over the bound
        csv_row(3, "ب" * 500),  # a line over the bound
        # A record over the bound, in short lines and fields under the bound.
        '"' + "ت\n" * 90 + '","' + "و\n" * 90 + '",2024-01-04,"' + "ن\n" * 90 + '"\n',
        csv_row(5),
    ]
    path = csv_file(tmp_path, lines)
    figures, rejects = import_rows(tmp_path, via, [], field_map="", name=path.name)
    assert Article.objects.filter(title__in=["خبر 1", "خبر 5"]).count() == 2
    assert figures["created"] == 2
    assert rejects[3].startswith("not CSV: field larger than field limit (200)")
    assert "longer than 400 characters" in rejects[4]
    assert "runs past 400 characters" in rejects[5]
    # The rest of the broken record is read again as rows of its own, each reported.
    assert figures["rejected"] == len(rejects) >= 3


def test_a_gzip_holding_a_line_over_the_real_bound(tmp_path, via):
    path = tmp_path / "big.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(json.dumps(ant_row(1)) + "\n")
        handle.write('{"text": "' + "a" * (imports.MAX_LINE + 10) + '"}\n')
        handle.write(json.dumps(ant_row(3)) + "\n")
    figures, rejects = import_rows(tmp_path, via, [], name=path.name)
    assert (figures["created"], figures["rejected"]) == (2, 1)
    assert f"longer than {imports.MAX_LINE:,} characters" in rejects[2]


# --- updates, who and progress --------------------------------------------------------------


def test_an_update_never_changes_an_articles_status_and_records_who(tmp_path, outlet):
    editor = User.objects.create_user("amal")
    draft = Article.objects.create(
        title="قديم 1",
        body="نص قديم",
        source=outlet,
        published_at=dt.datetime(2018, 1, 1, tzinfo=dt.UTC),
        url="https://news.example.org/1",
        status="draft",
    )
    published = Article.objects.create(
        title="قديم 2",
        body="نص قديم",
        source=outlet,
        published_at=dt.datetime(2018, 1, 1, tzinfo=dt.UTC),
        url="https://news.example.org/2",
        status="published",
    )
    before = published.updated_at
    path = write_jsonl(tmp_path / "a.jsonl", [ant_row(1), ant_row(2), ant_row(3)])
    summary = imports.import_file(
        path, imports.parse_map(ANT_MAP), status="published", update=True, user=editor
    )
    assert (summary.created, summary.updated) == (1, 2)
    draft.refresh_from_db()
    published.refresh_from_db()
    assert (draft.status, draft.title) == ("draft", "عنوان الخبر رقم 1")
    assert published.status == "published"
    assert published.updated_at > before
    new = Article.objects.get(url="https://news.example.org/3")
    assert new.status == "published"
    assert {a.updated_by for a in (draft, published, new)} == {editor}
    imports.import_file(path, imports.parse_map(ANT_MAP), status="draft", update=True)
    published.refresh_from_db()
    assert published.status == "published"
    assert published.updated_by == editor  # an import without a user leaves it as it was


def test_the_command_records_its_user_and_refuses_an_unknown_one(tmp_path):
    editor = User.objects.create_user("amal")
    # --user is held to the account's rights (test_import_records): amal may add articles.
    editor.user_permissions.add(Permission.objects.get(codename="add_article"))
    path = write_jsonl(tmp_path / "a.jsonl", [ant_row(1)])
    with pytest.raises(CommandError, match="no user 'nobody'"):
        run(path, field_map=ANT_MAP, user="nobody")
    assert not Article.objects.exists()
    run(path, field_map=ANT_MAP, user="amal", status="draft")  # publishing is a chief's
    assert Article.objects.get().updated_by == editor


def test_on_batch_is_called_with_the_running_summary_after_each_batch(tmp_path):
    rows = [ant_row(1), ant_row(2, text=""), ant_row(3), ant_row(4), ant_row(5), ant_row(6)]
    path = write_jsonl(tmp_path / "a.jsonl", rows)
    seen = []

    def on_batch(summary):
        seen.append((summary.read, summary.created, summary.rejected))

    summary = imports.import_file(
        path, imports.parse_map(ANT_MAP), batch_size=2, quiet=True, on_batch=on_batch
    )
    assert seen == [(3, 2, 1), (5, 4, 1), (6, 5, 1)]
    assert summary.balanced


@pytest.mark.django_db(transaction=True)
def test_workers_record_the_user_report_progress_and_analyse_once(tmp_path, monkeypatch):
    editor = User.objects.create_user("amal")
    calls = tmp_path / "analysed"
    real = imports.analyze_written_tables

    def analyze():
        with open(calls, "a") as handle:
            handle.write(f"{os.getpid()}\n")
        real()

    monkeypatch.setattr(imports, "analyze_written_tables", analyze)
    rows = [ant_row(n) for n in range(40)] + ["{broken"]
    path = write_jsonl(tmp_path / "a.jsonl", rows)
    seen = []
    summary = imports.import_file(
        path,
        imports.parse_map(ANT_MAP),
        workers=2,
        batch_size=5,
        quiet=True,
        user=editor,
        on_batch=lambda s: seen.append((s.read, s.created, s.rejected)),
    )
    assert (summary.read, summary.created, summary.rejected) == (41, 40, 1)
    assert seen and seen[-1] == (41, 40, 1)
    assert set(Article.objects.values_list("updated_by", flat=True)) == {editor.pk}
    assert calls.read_text().split() == [str(os.getpid())]


# --- the planner's statistics ---------------------------------------------------------------


def last_analysed(table):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = %s", [table])
        return cursor.fetchone()[0]


def database_now():
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        return cursor.fetchone()[0]


WRITTEN = [
    "archive_article",
    "archive_article_tags",
    "archive_article_credited_sources",
    "archive_source",
    "archive_tag",
]


def test_an_import_analyses_the_tables_it_wrote(tmp_path, via):
    started = database_now()
    import_rows(tmp_path, via, [ant_row(1, credits="رويترز")])
    for table in WRITTEN:
        assert (last_analysed(table) or started) > started, table
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'archive_article'")
        assert cursor.fetchone()[0] >= 1


def test_an_import_that_wrote_nothing_analyses_nothing(tmp_path, via):
    started = database_now()
    import_rows(tmp_path, via, [ant_row(1, text="")])
    assert (last_analysed("archive_article") or started) <= started


def test_refreshing_the_vocabulary_analyses_the_archive():
    """`make run` and `make test` load the seed and then refresh the vocabulary."""
    started = database_now()
    call_command("refresh_search_vocabulary", stdout=io.StringIO())
    for table in WRITTEN:
        assert (last_analysed(table) or started) > started, table


# --- an outlet and a tag named in Arabic ----------------------------------------------------


def test_an_arabic_outlet_and_tag_made_by_the_import_have_working_pages(tmp_path, via, client):
    row = ant_row(1, src="صحيفة جديدة", cat="شؤون عربية", title="البرلمان يقر الموازنة")
    figures, rejects = import_rows(tmp_path, via, [row])
    assert figures["created"] == 1 and not rejects
    article = Article.objects.get()
    source, tag = article.source, article.tags.get()
    assert (source.name, tag.name_ar) == ("صحيفة جديدة", "شؤون عربية")
    assert not source.slug.isascii() and not tag.slug.isascii()
    pages = [
        "/",
        "/?q=" + quote("الموازنة"),
        "/sitemap.xml",
        f"/sources/{quote(source.slug)}/",
        f"/tags/{quote(tag.slug)}/",
        article.get_absolute_url(),
        "/api/articles/",
        "/feeds/articles/",
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
    assert "البرلمان يقر الموازنة" in client.get("/?q=" + quote("الموازنة")).content.decode()
    sitemap = client.get("/sitemap.xml").content.decode()
    assert quote(source.slug) in sitemap and quote(tag.slug) in sitemap


def test_csv_module_is_given_the_field_bound():
    list(imports.csv_records(imports.Lines(io.StringIO("a\n"))))
    assert csv.field_size_limit() == imports.MAX_FIELD


def test_a_value_nested_almost_as_deep_as_json_allows_is_rejected(tmp_path, via):
    deep = '{"title": ' + "[" * 990 + "]" * 990 + ', "src": "a", "text": "b", "time_iso": "2020"}'
    figures, rejects = import_rows(tmp_path, via, [ant_row(1), deep])
    assert (figures["created"], figures["rejected"]) == (1, 1)
    assert "nested too deeply" in rejects[2]


def test_a_row_naming_too_many_tags_is_rejected(tmp_path, via):
    many = "; ".join(f"وسم {n}" for n in range(101))
    rows = [ant_row(1, cat="; ".join(f"وسم {n}" for n in range(100))), ant_row(2, cat=many)]
    figures, rejects = import_rows(tmp_path, via, rows)
    assert (figures["created"], figures["rejected"]) == (1, 1)
    assert "101 tags, more than the 100" in rejects[2]
    assert Tag.objects.filter(name_ar__startswith="وسم").count() == 100


def test_a_batch_is_written_early_once_its_texts_reach_the_bound(tmp_path, monkeypatch):
    monkeypatch.setattr(imports, "BATCH_CHARS", 200)
    rows = [ant_row(n, text="ن" * 150) for n in range(4)]
    seen = []
    summary = imports.import_file(
        write_jsonl(tmp_path / "a.jsonl", rows),
        imports.parse_map(ANT_MAP),
        quiet=True,
        on_batch=lambda s: seen.append(s.created),
    )
    assert summary.created == 4
    assert seen == [1, 2, 3, 4]


def test_the_name_caches_start_again_past_their_bound(monkeypatch):
    names = imports.Names()
    first = names.tag("وسم أول")
    names.source("وكالة أولى")
    monkeypatch.setattr(imports, "NAME_CACHE", 1)
    names.resolve([])
    assert names.tags == {} and names.sources == {}
    assert names.tag("وسم أول") == first
    assert Tag.objects.filter(name_ar="وسم أول").count() == 1
