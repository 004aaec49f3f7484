"""Very large result sets: ranked, counted and paged within their newest matches, the total
shown as an estimate. The limits are lowered here so that a dozen articles are "very many"."""

import datetime as dt

import pytest

from archive import search
from archive.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(make_article, monkeypatch):
    monkeypatch.setattr(search, "LARGE", 5)
    monkeypatch.setattr(search, "CANDIDATES", 4)
    # The planner's estimate on a dozen rows means little; the real count stands in for it.
    monkeypatch.setattr(search, "estimate_rows", lambda queryset: queryset.count())
    made = [
        make_article(
            f"البرتقال {n}",
            body="عن البرتقال" + (" البرتقال" * (n % 3)),
            published_at=dt.datetime(2020, 1, 1 + n, tzinfo=dt.UTC),
        )
        for n in range(12)
    ]
    make_article("الليمون", body="عن الليمون")
    return made


def test_a_large_search_ranks_its_newest_matches(many):
    results = Article.objects.published().search("البرتقال")
    assert results.estimated_count == 12
    slugs = {a.title for a in results}
    assert slugs == {"البرتقال 11", "البرتقال 10", "البرتقال 9", "البرتقال 8"}
    ranks = [a.rank for a in results]
    assert ranks == sorted(ranks, reverse=True)


def test_oldest_first_takes_the_oldest(many):
    results = Article.objects.published().search("البرتقال", sort="oldest")
    assert [a.title for a in results] == ["البرتقال 0", "البرتقال 1", "البرتقال 2", "البرتقال 3"]


def test_a_small_search_is_exact(many):
    results = Article.objects.published().search("الليمون")
    assert results.estimated_count is None and results.count() == 1


def test_the_api_says_the_count_is_an_estimate(many, client):
    body = client.get("/api/articles/", {"q": "البرتقال"}).json()
    assert body["count"] == 12 and body["count_is_estimate"] is True
    assert body["results_cover"] == 4 and len(body["results"]) == 4
    small = client.get("/api/articles/", {"q": "الليمون"}).json()
    assert small["count_is_estimate"] is False and small["results_cover"] is None


def test_the_page_says_about(many, client):
    html = client.get("/", {"q": "البرتقال"}).content.decode()
    assert "12" in html and "4" in html
    assert client.get("/", {"q": "البرتقال"}).context["estimated_count"] == 12


def test_listing_without_a_query_is_bounded_too(many, client):
    body = client.get("/api/articles/").json()
    assert body["count"] == 13 and body["count_is_estimate"] is True
    assert [r["title"] for r in body["results"]][:2] == ["الليمون", "البرتقال 11"]


def test_the_real_estimate_is_close_on_a_real_table(make_article):
    """The planner's estimate, unpatched, on a table with statistics."""
    from django.db import connection

    for n in range(40):
        make_article(f"خبر {n}", body="البرتقال" if n % 4 == 0 else "الليمون")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE archive_article")
    estimate = search.estimate_rows(Article.objects.published().search("البرتقال"))
    assert 1 <= estimate <= 40
