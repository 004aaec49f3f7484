"""What one request may cost (archive.limits) and the statement timeout of web requests
(newsroom.statement_timeout): a request over a cap answers 400 with its reason, a statement
past the timeout 503 with "narrow the search", never a 500."""

import datetime as dt
import os
import re
import subprocess
import sys

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from archive import limits, search
from archive.models import Article, Tag
from archive.tests.search.helpers import planner_says
from newsroom import statement_timeout
from newsroom.settings import BASE_DIR

pytestmark = pytest.mark.django_db

PHRASE = '"البرتقال الأحمر اللذيذ"'
JSON_URLS = ["/api/articles/", "/export/articles.csv", "/feeds/articles/"]


@pytest.fixture
def phrases(make_article):
    """30 articles a day apart from 2020-01-01: every third (days 2, 5, ... 29) has the
    phrase, every third its words apart (days 1, 4, ... 28), the others none of its words.
    20 rows have the words, on which the phrase must be tested one by one."""
    for n in range(30):
        body = {2: "عن البرتقال الأحمر اللذيذ", 1: "البرتقال الأحمر ثم الأحمر اللذيذ"}.get(
            n % 3, "الليمون"
        )
        make_article(
            f"خبر {n}",
            body=body,
            published_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=n),
        )


def messages(response, field):
    """The messages of a 400 for `field`: the API lists them, the exports give Django's
    {"message", "code"} of each."""
    return [e["message"] if isinstance(e, dict) else e for e in response.json()["errors"][field]]


def rows_tested(queries):
    """The ids of the rows whose phrase was tested one by one (by id: the index cannot)."""
    return [
        int(pk)
        for q in queries
        if "= ANY(" in q["sql"] and "<1>" in q["sql"] and '"archive_article"."id" AS' in q["sql"]
        for pk in re.findall(r"\b(\d+)\b", q["sql"].split("ANY(")[1])
    ]


# --- the caps -------------------------------------------------------------------------------


def test_the_caps_are_what_the_parser_reads_at_most():
    assert limits.MAX_QUERY_CHARS == search.MAX_QUERY_CHARS
    assert limits.MAX_QUERY_WORDS <= search.MAX_QUERY_TERMS


@pytest.mark.parametrize(
    ("query", "refused"),
    [
        ("ب" * 500, False),
        ("ب" * 501, True),
        (" ".join(["كلمة"] * 32), False),
        (" ".join(["كلمة"] * 33), True),
        ('"' + " ".join(["كلمة"] * 33) + '"', True),  # a phrase's words count one by one
    ],
)
def test_a_search_too_long_answers_400_with_its_reason(client, make_article, query, refused):
    make_article("كلمة", body="كلمة")
    response = client.get("/api/articles/", {"q": query})
    assert response.status_code == (400 if refused else 200)
    if refused:
        [message] = response.json()["errors"]["q"]
        assert ("500" in message) if len(query) > 500 else ("32" in message and "33" in message)


@pytest.mark.parametrize("url", JSON_URLS)
def test_every_json_answer_refuses_a_search_too_long(client, make_article, url):
    make_article()
    response = client.get(url, {"q": "ب" * 501})
    assert response.status_code == 400 and list(response.json()["errors"]) == ["q"]


@pytest.mark.parametrize("url", ["/", "/claims/"])
def test_a_page_shows_a_search_too_long_as_a_form_error(client, make_article, url):
    make_article()
    response = client.get(url, {"q": " ".join(["كلمة"] * 40)})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and "32" in html and "40" in html
    assert "page" in response.context and "<main" in html  # the page, without the search


@pytest.fixture
def tags(db):
    return [
        Tag.objects.create(
            kind=Tag.Kind.TOPIC, name_ar=f"وسم {n}", name_en=f"Tag {n}", slug=f"t{n}"
        )
        for n in range(limits.MAX_TAGS + 1)
    ]


@pytest.mark.parametrize(
    "url", ["/api/articles/", "/api/claims/", "/export/articles.csv", "/export/claims.csv"]
)
def test_more_tags_than_the_cap_answer_400_before_any_is_looked_up(
    client, tags, url, django_assert_max_num_queries
):
    slugs = [t.slug for t in tags]
    with django_assert_max_num_queries(0):  # no tag looked up, nothing searched
        response = client.get(url, {"tag": slugs})
    assert response.status_code == 400
    [message] = messages(response, "tag")
    assert str(limits.MAX_TAGS) in message and str(len(slugs)) in message
    at_most = client.get(url, {"tag": slugs[: limits.MAX_TAGS]})
    assert at_most.status_code in (200, 400)  # 400 only for an API page beyond the last
    assert "tag" not in (at_most.json()["errors"] if at_most.status_code == 400 else {})


def test_a_repeated_tag_counts_each_time(client, tags):
    response = client.get("/api/articles/", {"tag": [tags[0].slug] * (limits.MAX_TAGS + 1)})
    assert response.status_code == 400 and "tag" in response.json()["errors"]


def test_more_claimants_than_the_cap_answer_400(client, tags):
    response = client.get("/api/claims/", {"claimant": [t.slug for t in tags]})
    assert response.status_code == 400 and list(response.json()["errors"]) == ["claimant"]


def test_the_feed_refuses_more_tags_but_ignores_other_bad_values(client, tags, make_article):
    make_article()
    refused = client.get("/feeds/articles/", {"tag": [t.slug for t in tags]})
    assert refused.status_code == 400 and "tag" in refused.json()["errors"]
    assert client.get("/feeds/articles/", {"tag": "no-such-tag"}).status_code == 200


@pytest.mark.parametrize("url", ["/", "/claims/"])
def test_a_page_shows_more_tags_as_a_form_error(client, tags, make_article, url):
    make_article()
    response = client.get(url, {"tag": [t.slug for t in tags]})
    assert response.status_code == 400
    assert "tag" in response.context["filterset"].errors
    assert 'role="alert"' in response.content.decode()


# --- the rows a phrase is tested on -----------------------------------------------------------


@pytest.fixture
def few_candidates(phrases, monkeypatch, search_limits):
    """Four newest matches wanted; the planner expects many (the windows' path)."""
    search_limits(large=5, candidates=4, phrase_slice=1)
    planner_says(monkeypatch, 5_000)


def test_a_phrase_within_the_cap_is_answered(few_candidates, monkeypatch):
    monkeypatch.setattr(limits, "MAX_PHRASE_TESTS", 20)
    with CaptureQueriesContext(connection) as queries:
        results = Article.objects.published().search(PHRASE, sort="newest")
    assert [a.title for a in results] == ["خبر 29", "خبر 26", "خبر 23", "خبر 20"]
    assert 0 < len(rows_tested(queries)) <= 20


def test_a_phrase_tested_on_more_rows_than_the_cap_is_refused(few_candidates, monkeypatch):
    """The four newest matches need the seven newest rows with the words tested (29, 28,
    26, 25, 23, 22, 20): with five allowed, the search stops, having tested at most five."""
    monkeypatch.setattr(limits, "MAX_PHRASE_TESTS", 5)
    with CaptureQueriesContext(connection) as queries:
        with pytest.raises(limits.TooCostly):
            Article.objects.published().search(PHRASE, sort="newest")
    assert len(rows_tested(queries)) <= 5


def test_a_narrower_search_fits_the_cap(few_candidates, monkeypatch, client):
    monkeypatch.setattr(limits, "MAX_PHRASE_TESTS", 5)
    params = {"q": PHRASE, "sort": "newest", "date_from": "2020-01-25"}
    body = client.get("/api/articles/", params).json()
    assert [r["title"] for r in body["results"]] == ["خبر 29", "خبر 26"]


def test_a_refused_phrase_is_a_400_everywhere(few_candidates, monkeypatch, client):
    monkeypatch.setattr(limits, "MAX_PHRASE_TESTS", 5)
    for url in JSON_URLS:
        response = client.get(url, {"q": PHRASE})
        assert response.status_code == 400, url
        [message] = messages(response, "q")
        assert "شائعة جدًا" in message  # Arabic, the site's first language
    page = client.get("/", {"q": PHRASE})
    assert page.status_code == 400
    assert "q" in page.context["filterset"].errors and 'role="alert"' in page.content.decode()
    assert page.context["estimated_count"] == 30  # the listing, without the search
    assert page.context["search"] is None


def test_a_phrase_few_by_the_planner_is_tested_at_once_only_within_the_cap(phrases, monkeypatch):
    """The planner expects few matches: the phrase is tested on all the rows with its words
    in one query, but only when they are within the cap (counted through the index first);
    otherwise the windows test them, and refuse past the cap."""
    planner_says(monkeypatch, 10)
    monkeypatch.setattr(limits, "MAX_PHRASE_TESTS", 20)
    results = Article.objects.published().search(PHRASE, sort="newest")
    assert results.count() == 10 and results.estimated_count is None
    monkeypatch.setattr(limits, "MAX_PHRASE_TESTS", 19)
    with pytest.raises(limits.TooCostly):
        Article.objects.published().search(PHRASE, sort="newest")


def test_a_suggestion_is_never_refused(phrases, monkeypatch):
    """A misspelt phrase is suggested its correction, unless testing the correction would be
    over the cap: then no suggestion, and no refusal of the search itself."""
    search.refresh_vocabulary()
    results = Article.objects.published().search('"البرتقاال الأحمر اللذيذ"')
    assert results.search_suggestion()["query"] == '"البرتقال الأحمر اللذيذ"'
    monkeypatch.setattr(limits, "MAX_PHRASE_TESTS", 0)
    assert results.search_suggestion() is None


# --- the statement timeout ------------------------------------------------------------------


def test_a_new_connection_gets_the_timeout_once_enabled(settings):
    settings.NEWSROOM_STATEMENT_TIMEOUT_MS = 1500

    def timeout_of_a_new_connection():
        fresh = connections.create_connection("default")
        try:
            with fresh.cursor() as cursor:
                cursor.execute("SHOW statement_timeout")
                return cursor.fetchone()[0]
        finally:
            fresh.close()

    assert timeout_of_a_new_connection() == "0"
    statement_timeout.enable()
    try:
        assert timeout_of_a_new_connection() == "1500ms"
        settings.NEWSROOM_STATEMENT_TIMEOUT_MS = 0
        assert timeout_of_a_new_connection() == "0"
    finally:
        statement_timeout.disable()


def test_web_processes_have_the_timeout_and_commands_do_not():
    environment = {**os.environ, "NEWSROOM_STATEMENT_TIMEOUT_MS": "2500"}
    environment.setdefault("DJANGO_SECRET_KEY", "timeout-test")
    show = (
        "from django.db import connection; cursor = connection.cursor();"
        " cursor.execute('SHOW statement_timeout'); print(cursor.fetchone()[0])"
    )
    runs = {
        "web": [sys.executable, "-c", f"import newsroom.wsgi; {show}"],
        "command": [sys.executable, "manage.py", "shell", "-c", show],
    }
    found = {}
    for name, command in runs.items():
        result = subprocess.run(
            command, cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
        found[name] = result.stdout.split()[-1]
    assert found == {"web": "2500ms", "command": "0"}


def test_a_bad_timeout_stops_the_start():
    environment = {**os.environ, "NEWSROOM_STATEMENT_TIMEOUT_MS": "5s"}
    environment.setdefault("DJANGO_SECRET_KEY", "timeout-test")
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE_DIR,
        env={**environment, "DJANGO_SETTINGS_MODULE": "newsroom.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "NEWSROOM_STATEMENT_TIMEOUT_MS" in result.stderr


@pytest.fixture
def broad(make_article, settings):
    """3,000 articles with the phrase's words (one analysed, copied without analysing each
    again), so that testing the phrase takes far longer than the web's statement timeout at
    its smallest (NEWSROOM_STATEMENT_TIMEOUT_MS = 1), set on this connection as the WSGI
    entry's hook sets it, until the test ends."""
    first = make_article("خبر", body="البرتقال الأحمر ثم الأحمر اللذيذ " * 40)
    columns = [f.column for f in Article._meta.concrete_fields if f.column not in ("id", "slug")]
    copied = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending check: ALTER may run
        cursor.execute("ALTER TABLE archive_article DISABLE TRIGGER archive_article_vectors")
        cursor.execute(
            f"INSERT INTO archive_article (slug, {copied}) SELECT 'broad-' || n, {copied}"
            " FROM archive_article, generate_series(1, 2999) AS n WHERE id = %s",
            [first.pk],
        )
        cursor.execute("ALTER TABLE archive_article ENABLE TRIGGER archive_article_vectors")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    settings.NEWSROOM_STATEMENT_TIMEOUT_MS = 1
    statement_timeout.limit_statements(connection=connection)
    yield
    with connection.cursor() as cursor:  # before the test's end checks the foreign keys
        cursor.execute("SET statement_timeout = 0")


def test_a_search_past_the_timeout_is_a_503_page_or_json(broad, client):
    """Each request in a savepoint of its own: the cancelled statement aborts it."""
    with transaction.atomic():
        response = client.get("/", {"q": PHRASE})
        transaction.set_rollback(True)
    assert response.status_code == 503
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html and 'class="site-header"' in html
    assert "هذا البحث أوسع من أن" in html and "ضيّقه" in html
    with transaction.atomic():
        response = client.get("/api/articles/", {"q": PHRASE})
        transaction.set_rollback(True)
    assert response.status_code == 503
    arabic, english = response.json()["errors"]["search"]
    assert "ضيّقه" in arabic and "too broad" in english and "Narrow it" in english
    with transaction.atomic():  # the search runs before the file starts
        response = client.get("/export/articles.csv", {"q": PHRASE})
        transaction.set_rollback(True)
    assert response.status_code == 503 and "search" in response.json()["errors"]


def test_an_export_reads_its_first_rows_before_it_starts(client, make_claim):
    """The claims' query runs in the view (it is not narrowed to candidates beforehand, as a
    search of articles is): a statement that fails is then a 503, not a file cut short."""
    make_claim()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/export/claims.csv")
    assert response.status_code == 200 and response.streaming
    assert any('FROM "archive_claim"' in q["sql"] for q in queries)


def test_other_database_errors_are_not_a_503():
    from django.db.utils import OperationalError

    assert not statement_timeout.is_cancelled(OperationalError("connection refused"))
    assert not statement_timeout.is_cancelled(ValueError("x"))
