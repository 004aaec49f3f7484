"""Scheduled publishing: a published article dated in the future is public nowhere until its
time, and everywhere once it has come, with no job to run (the tests move its publication
time rather than wait). Over the seed archive plus one scheduled article, from an outlet and
with a tag of its own, carrying a claim of its own."""

import datetime as dt
import json

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

from archive import search, tasks
from archive.models import Article, Claim, ClaimAppearance, Source, Tag
from archive.tests.conftest import aware
from newsroom.settings import env_time_zone

WORD = "قسطرلابيون"  # in the scheduled article's text only
MISSPELT = "قسطرلابيوت"  # what a reader may type for it
CLAIM_WORD = "مجدولادعاء"  # in the scheduled claim's statement only
SLUG = "scheduled-astrolabe-piece"
T5 = "us-confirms-north-korean-troops-fighting-alongside-russia-in-kursk"


@pytest.fixture(scope="module")
def scheduled_archive(seeded, django_db_blocker):
    """The scheduled article (two days ahead) and its claim, committed for the module."""
    with django_db_blocker.unblock():
        outlet = Source.objects.create(name="Future Outlet", slug="future-outlet")
        own_tag = Tag.objects.create(kind=Tag.Kind.TOPIC, name_ar="وسم مقبل", slug="future-tag")
        article = Article.objects.create(
            title=f"مقال مجدول عن {WORD}",
            slug=SLUG,
            lead=f"مقدمة {WORD}",
            body=f"نص المقال المجدول عن {WORD} وكورسك.",
            source=outlet,
            status=Article.Status.PUBLISHED,
            published_at=timezone.now() + dt.timedelta(days=2),
            url="https://example.org/scheduled-astrolabe-piece",
        )
        # Every tag of T5 (so that it leads T5's related list once public), and its own.
        article.tags.set([*Article.objects.get(slug=T5).tags.all(), own_tag])
        claim = Claim.objects.create(
            statement=f"ادعاء {CLAIM_WORD} عن القوات",
            slug="scheduled-claim",
            verdict="false",
            quantity_value=77777,
            quantity_unit="جندي",
        )
        claim.tags.set(Tag.objects.filter(slug="north-korean-troops-in-russia"))
        ClaimAppearance.objects.create(claim=claim, article=article, quote=WORD)
        search.refresh_vocabulary()
        return {"article": article.pk, "claim": claim.pk}


@pytest.fixture
def scheduled(scheduled_archive, db):
    return scheduled_archive


def make_public(ids, ago=dt.timedelta(hours=1)):
    """Its time has come, `ago` (rolled back with the test)."""
    Article.objects.filter(pk=ids["article"]).update(published_at=timezone.now() - ago)


def body_of(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode()


# (url, parameters, what shows the scheduled article or its claim, the answer before its time)
SURFACES = [
    ("/", {}, SLUG, 200),
    ("/", {"q": WORD}, SLUG, 200),
    ("/", {"tag": "kursk"}, SLUG, 200),
    ("/", {"source": "future-outlet"}, SLUG, 200),
    ("/tags/kursk/", {}, SLUG, 200),
    ("/tags/future-tag/", {}, SLUG, 404),
    ("/sources/future-outlet/", {}, SLUG, 404),
    ("/articles/{slug}/", {}, WORD, 404),
    (f"/articles/{T5}/", {}, SLUG, 200),  # its related articles
    ("/claims/", {}, CLAIM_WORD, 200),
    ("/claims/", {"q": CLAIM_WORD}, "/claims/{claim}/", 200),
    ("/claims/", {}, "77,777", 200),  # the timeline of the troop figures
    ("/claims/{claim}/", {}, CLAIM_WORD, 404),
    ("/tags/north-korean-troops-in-russia/", {}, CLAIM_WORD, 200),
    ("/feeds/articles/", {}, SLUG, 200),
    ("/feeds/articles/", {"q": WORD}, SLUG, 200),
    ("/sitemap.xml", {}, SLUG, 200),
    ("/sitemap.xml", {}, "/sources/future-outlet/", 200),
    ("/sitemap.xml", {}, "/tags/future-tag/", 200),
    ("/api/articles/", {"page_size": 100}, SLUG, 200),
    ("/api/articles/", {"q": WORD}, SLUG, 200),
    ("/api/articles/{article}/", {}, WORD, 404),
    ("/api/claims/", {"page_size": 100}, CLAIM_WORD, 200),
    ("/api/claims/{claim}/", {}, CLAIM_WORD, 404),
    ("/export/articles.csv", {}, SLUG, 200),
    ("/export/articles.csv", {"q": WORD}, SLUG, 200),
    ("/export/claims.csv", {}, CLAIM_WORD, 200),
]


@pytest.mark.parametrize(("url", "params", "marker", "before"), SURFACES)
def test_a_scheduled_article_is_public_nowhere_until_its_time(
    client, scheduled, url, params, marker, before
):
    url, marker = url.format(slug=SLUG, **scheduled), marker.format(**scheduled)
    response = client.get(url, params)
    assert response.status_code == before
    assert marker not in body_of(response)

    make_public(scheduled)
    response = client.get(url, params)
    assert response.status_code == 200
    assert marker in body_of(response)


def test_counts_and_facets_leave_it_out_until_its_time(client, scheduled):
    def facet(data, name, value):
        return next((i["count"] for i in data["facets"][name] if i["value"] == value), 0)

    before = client.get("/api/articles/").json()
    claims_before = client.get("/api/claims/").json()["count"]
    page_before = client.get("/").context["page"].paginator.count
    assert facet(before, "source", "future-outlet") == 0

    make_public(scheduled)
    after = client.get("/api/articles/").json()
    assert after["count"] == before["count"] + 1
    assert client.get("/").context["page"].paginator.count == page_before + 1
    assert client.get("/api/claims/").json()["count"] == claims_before + 1
    assert facet(after, "source", "future-outlet") == 1
    war = "russia-ukraine-war"  # on every article
    assert facet(after, "tag", war) == facet(before, "tag", war) + 1
    # Its claim's verdict counts an article more.
    assert facet(after, "verdict", "false") == facet(before, "verdict", "false") + 1


def test_the_claims_explorer_counts_it_only_once_public(client, scheduled):
    def numeric(response):
        return response.context["page"].paginator.count

    before = numeric(client.get("/claims/", {"numeric": "true"}))
    make_public(scheduled)
    assert numeric(client.get("/claims/", {"numeric": "true"})) == before + 1


# --- the "did you mean" vocabulary ------------------------------------------------------------


def vocabulary_has(word):
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM archive_search_vocabulary WHERE word = %s", [word])
        return cursor.fetchone()[0] == 1


def test_the_vocabulary_leaves_out_a_scheduled_article_until_its_time(client, scheduled):
    search.refresh_vocabulary()
    assert not vocabulary_has(WORD)
    assert client.get("/", {"q": MISSPELT}).context["suggestion"] is None

    make_public(scheduled)
    search.refresh_vocabulary()
    assert vocabulary_has(WORD)
    suggestion = client.get("/", {"q": MISSPELT}).context["suggestion"]
    assert suggestion["query"] == WORD


def settled():
    """Every article last changed an hour ago, the vocabulary made now."""
    Article.objects.update(updated_at=timezone.now() - dt.timedelta(hours=1))
    search.refresh_vocabulary()


def test_the_worker_refreshes_the_vocabulary_once_a_scheduled_article_is_public(scheduled):
    settled()
    # Nothing became public or changed since: no refresh.
    assert tasks.refresh_vocabulary_if_stale() is False
    assert not vocabulary_has(WORD)

    make_public(scheduled, ago=dt.timedelta(seconds=1))  # its time comes; nobody touches it
    assert tasks.refresh_vocabulary_if_stale() is True
    assert vocabulary_has(WORD)


def test_an_edited_article_refreshes_the_vocabulary_too(scheduled):
    settled()
    assert tasks.refresh_vocabulary_if_stale() is False
    article = Article.objects.get(slug=T5)
    article.body += " بلحمزوقي"
    article.save()
    assert tasks.refresh_vocabulary_if_stale() is True
    assert vocabulary_has("بلحمزوقي")


def test_the_refresh_is_a_periodic_job_of_the_worker():
    periodic = tasks.app.periodic_registry.periodic_tasks
    task = periodic[("archive.refresh_search_vocabulary", "")]
    assert task.cron == "*/5 * * * *"
    assert task.task.queue == tasks.UPKEEP_QUEUE


# --- one rule, in Python and in SQL -----------------------------------------------------------


def test_the_sql_rule_is_the_python_rule(scheduled):
    now = timezone.now()
    cases = {
        "past": (Article.Status.PUBLISHED, now - dt.timedelta(minutes=1)),
        "future": (Article.Status.PUBLISHED, now + dt.timedelta(minutes=1)),
        "draft": (Article.Status.DRAFT, now - dt.timedelta(days=1)),
        "review": (Article.Status.REVIEW, now - dt.timedelta(days=1)),
        "withdrawn": (Article.Status.WITHDRAWN, now - dt.timedelta(days=1)),
    }
    outlet = Source.objects.get(slug="future-outlet")
    Article.objects.all().delete()
    for name, (status, when) in cases.items():
        # A withdrawn article carries the date it was withdrawn (article_withdrawn_has_its_date).
        withdrawn_at = now if status == Article.Status.WITHDRAWN else None
        Article.objects.create(
            title=name,
            slug=name,
            body=name,
            source=outlet,
            status=status,
            published_at=when,
            withdrawn_at=withdrawn_at,
        )
    by_python = set(Article.objects.published().values_list("slug", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT slug FROM archive_article WHERE archive_is_public(status, published_at)"
        )
        by_sql = {row[0] for row in cursor.fetchall()}
    assert by_python == by_sql == {"past"}
    assert [Article.objects.get(slug=s).is_published for s in ("past", "future")] == [True, False]
    assert Article.objects.get(slug="future").is_scheduled


# --- editors: the preview, the admin and the newsroom's time zone --------------------------


def test_staff_preview_says_when_a_scheduled_article_goes_public(client, scheduled, editor):
    assert client.get(f"/articles/{SLUG}/").status_code == 404
    client.force_login(editor)
    html = client.get(f"/articles/{SLUG}/").content.decode()
    assert "مجدول" in html and 'name="robots" content="noindex"' in html


def test_the_admin_lists_a_scheduled_article_as_scheduled(client, scheduled):
    admin = User.objects.create_superuser("chief", password="a-long-chief-password")
    client.force_login(admin)
    listing = client.get("/admin/archive/article/").content.decode()
    when = timezone.localtime(Article.objects.get(slug=SLUG).published_at)
    assert f"مجدول للنشر في {when:%-d}" in listing
    assert f"{when:%H:%M}" in listing

    only = client.get("/admin/archive/article/", {"publication": "scheduled"})
    assert [a.slug for a in only.context["cl"].result_list] == [SLUG]
    public = client.get("/admin/archive/article/", {"publication": "public"})
    assert SLUG not in [a.slug for a in public.context["cl"].result_list]
    assert public.context["cl"].result_count == Article.objects.published().count()

    make_public(scheduled)
    only = client.get("/admin/archive/article/", {"publication": "scheduled"})
    assert list(only.context["cl"].result_list) == []


def test_the_admin_shows_and_takes_times_in_the_newsrooms_zone(client, settings, scheduled):
    assert settings.TIME_ZONE == "Asia/Riyadh"
    admin = User.objects.create_superuser("chief", password="a-long-chief-password")
    client.force_login(admin)
    article = Article.objects.get(slug=T5)
    article.published_at = aware(2024, 11, 12, hour=21)  # UTC: midnight in Riyadh
    article.save()
    form = client.get(f"/admin/archive/article/{article.pk}/change/").content.decode()
    assert "Asia/Riyadh (UTC+03:00)" in form
    assert 'value="2024-11-13"' in form and 'value="00:00:00"' in form


def test_a_time_zone_default_and_a_loud_failure(monkeypatch):
    monkeypatch.delenv("NEWSROOM_TIME_ZONE", raising=False)
    assert env_time_zone("NEWSROOM_TIME_ZONE", "Asia/Riyadh") == "Asia/Riyadh"
    monkeypatch.setenv("NEWSROOM_TIME_ZONE", " Africa/Cairo ")
    assert env_time_zone("NEWSROOM_TIME_ZONE", "Asia/Riyadh") == "Africa/Cairo"
    for bad in ["Mars/Olympus", "asia/riyadh", "Asia", "../etc/passwd", "/etc/localtime", ""]:
        monkeypatch.setenv("NEWSROOM_TIME_ZONE", bad)
        with pytest.raises(ImproperlyConfigured, match="NEWSROOM_TIME_ZONE"):
            env_time_zone("NEWSROOM_TIME_ZONE", "Asia/Riyadh")


def test_the_api_detail_of_a_scheduled_article_is_json_404(client, scheduled):
    response = client.get(f"/api/articles/{scheduled['article']}/")
    assert response.status_code == 404
    assert json.loads(response.content)["errors"]["id"]
