"""GET /api/articles/ and /api/articles/<id>/: format, parameters, errors, and only published
articles."""

import datetime as dt

import pytest
from django.urls import reverse

from archive import search
from archive.models import Article

pytestmark = pytest.mark.django_db

URL = "/api/articles/"


@pytest.fixture
def articles(make_article):
    made = [
        make_article(
            f"البرتقال رقم {n}",
            body=f"تقرير عن البرتقال والليمون رقم {n}",
            published_at=dt.datetime(2024, 1, 1 + n, tzinfo=dt.UTC),
        )
        for n in range(25)
    ]
    draft = make_article(
        "مسودة البرتقال", body="البرتقال وكلمةسريةجدا", status=Article.Status.DRAFT
    )
    search.refresh_vocabulary()
    return made, draft


def test_search_answers_the_documented_shape(client, articles):
    body = client.get(URL, {"q": "البرتقال"}).json()
    assert set(body) >= {"count", "next", "previous", "suggestion", "results"}
    assert body["count"] == 25
    assert len(body["results"]) == 20
    first = body["results"][0]
    assert set(first) == {"id", "url", "title", "source", "published_at", "tags", "snippet", "rank"}
    assert "<mark>البرتقال</mark>" in first["snippet"]
    assert first["rank"] > 0
    assert first["url"].endswith(
        reverse("article", args=[Article.objects.get(pk=first["id"]).slug])
    )
    assert body["next"].endswith("page=2") and body["previous"] is None


def test_results_are_sorted_by_relevance_then_recency(client, articles):
    ranks = [r["rank"] for r in client.get(URL, {"q": "البرتقال"}).json()["results"]]
    assert ranks == sorted(ranks, reverse=True)


def test_sort_newest_and_oldest(client, articles):
    newest = client.get(URL, {"q": "البرتقال", "sort": "newest"}).json()["results"]
    oldest = client.get(URL, {"q": "البرتقال", "sort": "oldest"}).json()["results"]
    assert newest[0]["title"] == "البرتقال رقم 24"
    assert oldest[0]["title"] == "البرتقال رقم 0"


def test_page_size_and_second_page(client, articles):
    body = client.get(URL, {"q": "البرتقال", "page_size": 10, "page": 3}).json()
    assert len(body["results"]) == 5
    assert body["next"] is None and "page=2" in body["previous"]


def test_without_a_query_lists_the_newest(client, articles):
    body = client.get(URL).json()
    assert body["count"] == 25
    assert body["results"][0]["title"] == "البرتقال رقم 24"
    assert body["results"][0]["rank"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": "0"}, "page"),
        ({"page": "abc"}, "page"),
        ({"page": "99"}, "page"),
        ({"page_size": "101"}, "page_size"),
        ({"page_size": "-5"}, "page_size"),
        ({"sort": "random"}, "sort"),
    ],
)
def test_bad_parameters_answer_400_naming_the_field(client, articles, params, field):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_drafts_never_appear(client, articles):
    _, draft = articles
    body = client.get(URL, {"q": "كلمةسريةجدا"}).json()
    assert body["count"] == 0 and body["results"] == []
    assert body["suggestion"] is None
    listing = client.get(URL, {"page_size": 100}).json()
    assert draft.pk not in {r["id"] for r in listing["results"]}
    assert client.get(f"{URL}{draft.pk}/").status_code == 404


def test_article_detail(client, articles):
    article = articles[0][0]
    body = client.get(f"{URL}{article.pk}/").json()
    assert body["title"] == article.title and body["body"] == article.body
    assert body["lead"] == "" and body["source"]["slug"] == "al-jazeera"


def test_unknown_article_is_a_json_404(client, db):
    response = client.get(f"{URL}424242/")
    assert response.status_code == 404
    assert "id" in response.json()["errors"]


def test_a_misspelling_gets_a_suggestion(client, articles):
    body = client.get(URL, {"q": "البرتقاا"}).json()
    assert body["count"] == 0
    assert body["suggestion"]["query"] == "البرتقال"
    assert body["suggestion"]["count"] == 25


def test_names_recognised_in_the_query_are_reported(client, articles, person):
    from archive.models import TagAlias

    TagAlias.objects.create(tag=person, name="كيم جونج أون")
    body = client.get(URL, {"q": "كيم جونج أون"}).json()
    assert body["search"]["names"][0]["tag"] == str(person)


def test_post_is_not_allowed(client, db):
    assert client.post(URL).status_code == 405


def test_the_public_article_page(client, articles):
    made, draft = articles
    assert client.get(reverse("article", args=[made[0].slug])).status_code == 200
    assert client.get(reverse("article", args=[draft.slug])).status_code == 404
    assert client.get(reverse("article", args=["لا-يوجد"])).status_code == 404


def test_a_date_range_is_whole_days_in_the_site_time_zone(make_article, client, settings):
    settings.TIME_ZONE = "Asia/Riyadh"  # UTC+3
    make_article("قبل منتصف الليل", published_at=dt.datetime(2024, 11, 13, 20, 30, tzinfo=dt.UTC))
    make_article("بعد منتصف الليل", published_at=dt.datetime(2024, 11, 13, 21, 30, tzinfo=dt.UTC))
    make_article("أول اليوم", published_at=dt.datetime(2024, 11, 12, 21, 0, tzinfo=dt.UTC))
    body = client.get("/api/articles/", {"date_from": "2024-11-13", "date_to": "2024-11-13"}).json()
    assert {r["title"] for r in body["results"]} == {"قبل منتصف الليل", "أول اليوم"}
    far = client.get("/api/articles/", {"date_from": "2024-11-14", "date_to": "9999-12-31"})
    assert far.status_code == 200
    assert [r["title"] for r in far.json()["results"]] == ["بعد منتصف الليل"]
