"""The public archive: every page, parameter and format, over the seed archive plus a draft
that must never show."""

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Count, F
from django.urls import reverse

from archive.models import Article, Claim
from archive.tests.conftest import SECRET

T0 = "north-korea-ratifies-mutual-defence-treaty-with-russia"
T3 = "russian-parliament-ratifies-security-treaty-with-north-korea"
T4 = "russia-steps-up-attacks-on-ukrainian-cities-zelensky-announces-drone-deals"
T5 = "us-confirms-north-korean-troops-fighting-alongside-russia-in-kursk"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def _archive(archive_db):
    return None


def page(client, url, params=None, status=200):
    response = client.get(url, params or {})
    assert response.status_code == status, (url, params, response.status_code)
    return response


def result_slugs(response):
    return [a.slug for a in response.context["page"].object_list]


# --- the archive page ------------------------------------------------------------------------


def test_archive_is_arabic_right_to_left_with_every_published_article(client):
    response = page(client, "/")
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert response.context["page"].paginator.count == 6
    assert 'role="search"' in html and 'for="id_q"' in html and "<main" in html


def test_english_through_the_language_switcher(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = page(client, "/").content.decode()
    assert '<html lang="en" dir="ltr">' in html and "Search the archive" in html


def test_the_browser_language_alone_does_not_switch(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en").content.decode()
    assert '<html lang="ar" dir="rtl">' in html


def test_the_search_example_is_whole_in_both_languages(client):
    """The search box's example holds quotes (a phrase): escaped, the whole example stays
    inside the placeholder instead of ending it at the first quote."""
    from html.parser import HTMLParser

    class Placeholders(HTMLParser):
        found = []

        def handle_starttag(self, tag, attrs):
            if tag == "input" and dict(attrs).get("name") == "q":
                self.found.append(dict(attrs).get("placeholder"))

    for language, start in (("ar", "مثل: "), ("en", "e.g. ")):
        parser = Placeholders()
        parser.found = []
        client.post(reverse("set_language"), {"language": language, "next": "/"})
        parser.feed(client.get("/").content.decode())
        (placeholder,) = parser.found
        assert placeholder.startswith(start)
        assert '"الرئيس الروسي"' in placeholder and placeholder.endswith("كورسك -زيلينسكي")


def test_search_with_snippets_and_names(client):
    response = page(client, "/", {"q": "بيونج يانج"})
    assert T4 not in result_slugs(response) and T0 in result_slugs(response)
    html = response.content.decode()
    assert "<mark>بيونغ</mark>" in html or "<mark>وبيونغ</mark>" in html
    assert "Pyongyang" in html  # the page says which spellings were included


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"source": "al-bilad"}, {T4}),
        ({"source": ["al-bilad", "arabkhabar"]}, {T4, T3}),
        ({"tag": "kursk"}, {T0, T5}),
        ({"tag": "كورسك"}, {T0, T5}),
        ({"tag": "Kursk"}, {T0, T5}),
        ({"tag": ["kursk", "lloyd-austin"]}, set()),
        # Each narrows: kursk alone is {T0, T5}, kim-jong-un alone three others and T0.
        ({"tag": ["kursk", "kim-jong-un"]}, {T0}),
        ({"tag": ["kursk", "كيم جونغ أون", "nato"]}, {T0}),
        ({"tag": ["north-korea", "volodymyr-zelensky", "kremlin"]}, {T3, T5}),
        ({"verdict": "false"}, {T5}),
        ({"date_from": "2024-11-01", "date_to": "2024-11-13"}, {T0, T5}),
        ({"date_from": "2025-01-01"}, {T4}),
        ({"language": "ar", "source": "al-bilad"}, {T4}),
        ({"has_claims": "false"}, set()),
        ({"q": "كورسك", "source": "arabkhabar"}, set()),
        ({"q": "كورسك", "tag": "kursk"}, {T0, T5}),
    ],
)
def test_filters(client, params, expected):
    assert set(result_slugs(page(client, "/", params))) == expected


def test_claims_filter_counts_articles_with_claims(client):
    with_claims = set(result_slugs(page(client, "/", {"has_claims": "true"})))
    assert with_claims == set(
        Article.objects.published()
        .filter(claim_appearances__isnull=False)
        .values_list("slug", flat=True)
    )


def test_sort_orders(client):
    newest = result_slugs(page(client, "/", {"sort": "newest"}))
    oldest = result_slugs(page(client, "/", {"sort": "oldest"}))
    assert newest == list(reversed(oldest)) and newest[0] == T4


def test_facets_count_within_the_results(client):
    facets = page(client, "/", {"q": "كورسك"}).context["facets"]
    tags = {item["value"]: item["count"] for item in facets["tag"]}
    assert tags["kursk"] == 2  # the draft tagged Kursk is not counted
    sources = {item["value"] for item in facets["source"]}
    assert "al-bilad" not in sources
    chosen = page(client, "/", {"tag": "kursk"}).context["facets"]["tag"]
    assert next(i for i in chosen if i["value"] == "kursk")["selected"] is True


@pytest.mark.parametrize("language", ["ar", "en"])
@pytest.mark.parametrize("params", [{}, {"q": "كوريا"}, {"q": "روسيا", "sort": "newest"}])
@pytest.mark.parametrize("rerank", [200, 1])
def test_the_facets_query_counts_what_the_orm_counts(
    params, language, rerank, monkeypatch, search_limits
):
    """A search's facets come from one query over its settled ids; they are the counts, the
    order (most common, then name), the limit and the names of the ORM's three queries —
    with the outlets counted as the rows were found (by the quick rank, above RERANK results
    sorted by relevance; by the query that found them, otherwise)."""
    from django.http import QueryDict
    from django.utils import translation

    from archive.facets import named_counts, verdict_counts
    from archive.filters import ArticleFilter
    from archive.models import ClaimAppearance, Source, Tag
    from archive.selectors import public_articles

    search_limits(rerank=rerank)
    data = QueryDict(mutable=True)
    data.update(params)
    with translation.override(language):
        filterset = ArticleFilter(data, queryset=public_articles())
        assert filterset.qs.candidate_ids  # the one-query path is the one taken
        # The outlets come counted, by the quick rank or by the query that found the rows.
        assert filterset.qs.outlet_counts is not None
        ids = Article.objects.filter(pk__in=filterset.qs.candidate_ids).values("pk")
        for limit in (2, 15):
            verdicts = (
                ClaimAppearance.objects.filter(article__in=ids)
                .values(verdict=F("claim__verdict"))
                .annotate(count=Count("article", distinct=True))
            )
            assert filterset.facets(limit) == {
                "source": named_counts(Source, "articles", ids, "name", limit),
                "tag": named_counts(Tag, "articles", ids, "name_ar", limit),
                "verdict": verdict_counts(verdicts),
            }
        assert filterset.facets()["verdict"]  # the seed's claims are counted


def test_facet_links_keep_the_other_filters(client):
    facets = page(client, "/", {"q": "كورسك", "sort": "newest"}).context["facets"]
    url = facets["source"][0]["url"]
    assert "q=" in url and "sort=newest" in url and "source=" in url


def test_pagination_keeps_every_filter(client):
    for n in range(25):
        Article.objects.create(
            title=f"مقال {n}",
            body="عن كورسك",
            slug=f"filler-{n}",
            status="published",
            source_id=Article.objects.get(slug=T0).source_id,
            published_at=Article.objects.get(slug=T0).published_at,
        )
    response = page(client, "/", {"q": "كورسك", "sort": "newest"})
    html = response.content.decode()
    next_link = re.search(r'rel="next" href="([^"]+)"', html).group(1)
    assert "q=" in next_link and "sort=newest" in next_link and "page=2" in next_link
    second = page(client, "/" + next_link.replace("&amp;", "&"))
    assert second.context["page"].number == 2


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "yesterday"}, "date_from"),
        ({"date_to": "2024-13-45"}, "date_to"),
        ({"source": "no-such-outlet"}, "source"),
        ({"tag": "لا يوجد وسم كهذا"}, "tag"),
        ({"verdict": "maybe"}, "verdict"),
        ({"language": "xx"}, "language"),
        ({"sort": "random"}, "sort"),
        ({"has_claims": "perhaps"}, "has_claims"),
    ],
)
def test_bad_filters_show_an_error_and_the_page_still_works(client, params, field):
    response = page(client, "/", params)
    assert field in response.context["filterset"].errors
    assert response.context["page"].paginator.count == 6  # the bad filter is ignored
    assert 'role="alert"' in response.content.decode()


@pytest.mark.parametrize("number", ["abc", "0", "-1", "999", "1.5", ""])
def test_any_page_number_gives_a_page(client, number):
    assert page(client, "/", {"page": number}).context["page"].number == 1


def test_repeated_and_unknown_parameters_are_harmless(client):
    response = page(client, "/", {"q": ["كورسك", "بوتين"], "utm_source": "x", "foo": "bar"})
    assert response.context["page"].paginator.count >= 1


def test_an_empty_result_suggests_a_spelling(client):
    response = page(client, "/", {"q": "كورسكك"})
    assert response.context["page"].paginator.count == 0
    assert response.context["suggestion"]["query"] == "كورسك"
    assert "كورسك" in response.content.decode()


def test_results_page_makes_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    # 11: the search's own queries, the page's, one for the facets; in a transaction (as
    # tests run) the search's index-only query is a batch that sets the planner's settings,
    # between one statement that reads them and one that restores them (_planned_rows).
    with django_assert_max_num_queries(11):
        page(client, "/", {"q": "روسيا", "tag": "north-korea"})
    # Whether every word matches somewhere is answered by the search itself.
    with django_assert_max_num_queries(11):
        page(client, "/", {"q": "روسيا المعاهدة", "tag": "north-korea"})
    with django_assert_max_num_queries(7):
        page(client, "/")


# --- article pages ---------------------------------------------------------------------------


def test_article_page(client):
    response = page(client, reverse("article", args=[T0]))
    html = response.content.decode()
    article = Article.objects.get(slug=T0)
    assert article.title in html
    assert 'rel="canonical"' in html and 'property="og:title"' in html
    assert "الجزيرة" in html  # credited source
    assert html.count('<mark class="quote"') == article.claim_appearances.count()
    reviews = json.loads(re.search(r'application/ld\+json">(.*?)</script>', html, re.S).group(1))
    # One ClaimReview per rated claim, however many times the article quotes it.
    rated = {a.claim_id for a in article.claim_appearances.all() if a.claim.verdict != "unverified"}
    assert len(reviews) == len(rated) and reviews[0]["@type"] == "ClaimReview"
    assert {r["reviewRating"]["ratingValue"] for r in reviews} <= {1, 2, 3, 5}
    related = response.context["related"]
    assert related and all(r.is_published for r in related) and article not in related


def test_article_page_marks_each_quote_with_its_anchor(client):
    article = Article.objects.get(slug=T5)
    html = page(client, reverse("article", args=[T5])).content.decode()
    for appearance in article.claim_appearances.all():
        assert f'id="quote-{appearance.pk}"' in html


def test_unknown_and_draft_articles_are_404(client):
    page(client, reverse("article", args=["no-such-article"]), status=404)
    page(client, reverse("article", args=["secret-draft"]), status=404)


def test_staff_preview_a_draft(client, editor):
    client.force_login(editor)
    html = page(client, reverse("article", args=["secret-draft"])).content.decode()
    assert SECRET in html and 'name="robots" content="noindex"' in html


def test_the_admin_links_to_the_preview(client, editor):
    client.force_login(editor)
    draft = Article.objects.get(slug="secret-draft")
    html = client.get(reverse("admin:archive_article_change", args=[draft.pk])).content.decode()
    assert "viewsitelink" in html
    from django.contrib.contenttypes.models import ContentType

    kind = ContentType.objects.get_for_model(Article).pk
    response = client.get(reverse("admin:view_on_site", args=[kind, draft.pk]))
    assert response["Location"].endswith(reverse("article", args=["secret-draft"]))


def test_a_staff_member_without_rights_cannot_preview(client):
    user = User.objects.create_user("visitor", password="x" * 12, is_staff=True)
    client.force_login(user)
    page(client, reverse("article", args=["secret-draft"]), status=404)


# --- claims ----------------------------------------------------------------------------------


def test_claims_explorer(client):
    response = page(client, "/claims/")
    claims = list(response.context["page"].object_list)
    assert len(claims) == 20 and response.context["page"].paginator.count == 28
    html = response.content.decode()
    assert "<blockquote>" in html and "verdict-disputed" in html


@pytest.mark.parametrize(
    ("params", "expected_min", "check"),
    [
        ({"verdict": "false"}, 1, lambda c: c.verdict == "false"),
        ({"claimant": "volodymyr-zelensky"}, 3, lambda c: c.claimant.slug == "volodymyr-zelensky"),
        ({"claimant": "زيلينسكي"}, 3, lambda c: c.claimant.slug == "volodymyr-zelensky"),
        (
            {"tag": "north-korean-troops-in-russia"},
            7,
            lambda c: c.tags.filter(slug="north-korean-troops-in-russia").exists(),
        ),
        ({"q": "كورسك"}, 1, lambda c: True),
        ({"numeric": "true"}, 8, lambda c: c.has_quantity),
    ],
)
def test_claims_filters(client, params, expected_min, check):
    claims = list(
        page(client, "/claims/", {**params, "page_size": 100}).context["page"].object_list
    )
    assert len(claims) >= expected_min
    assert all(check(c) for c in claims)


def claims_stated_in(*slugs):
    """The ids of the claims that appear in the articles `slugs`."""
    return set(
        Claim.objects.filter(appearances__article__slug__in=slugs).values_list("pk", flat=True)
    )


NOV_30 = "north-korea-vows-unwavering-support-for-russia-in-ukraine-war"
OCT_21 = "nato-north-korean-troops-in-ukraine-would-be-significant-escalation"


@pytest.mark.parametrize(
    ("params", "articles"),
    [
        # The seed's published articles: 10-21, 10-24 (T3), 11-12 (T0), 11-13 (T5), 11-30
        # and 2025-07-07 (T4); a claim is in a period when it appears in one of them.
        ({"date_from": "2025-01-01"}, [T4]),
        ({"date_from": "2024-11-13", "date_to": "2024-11-30"}, [T5, NOV_30]),
        ({"date_to": "2024-10-24"}, [OCT_21, T3]),
        ({"date_from": "2024-11-12", "date_to": "2024-11-12"}, [T0]),  # the whole day
        ({"date_from": "2024-12-01", "date_to": "2025-07-06"}, []),
    ],
)
def test_claims_date_filter_keeps_exactly_the_claims_stated_in_the_period(client, params, articles):
    expected = claims_stated_in(*articles)
    assert len(expected) < Claim.objects.published().count()  # the filter must narrow
    body = page(client, "/api/claims/", {**params, "page_size": 100}).json()
    assert {r["id"] for r in body["results"]} == expected and body["count"] == len(expected)
    assert page(client, "/claims/", params).context["page"].paginator.count == len(expected)
    rows = read_csv(page(client, reverse("export-claims"), params))
    assert {int(r["id"]) for r in rows} == expected


def test_claims_bad_filters(client):
    response = page(client, "/claims/", {"verdict": "nonsense", "claimant": "nobody-at-all"})
    assert set(response.context["filterset"].errors) == {"verdict", "claimant"}
    response = page(client, "/claims/", {"numeric": "perhaps"})
    assert set(response.context["filterset"].errors) == {"numeric"}
    assert response.context["page"].paginator.count == 28  # the bad filter is ignored


def test_the_timeline_of_troop_figures(client):
    response = page(client, "/claims/")
    chart = response.context["chart"]
    values = [int(p.value) for p in chart["points"]]
    assert {1500, 3000, 10000, 11000, 12000} <= set(values)
    assert 99999 not in values  # the draft's figure
    assert [p.date for p in chart["points"]] == sorted(p.date for p in chart["points"])
    html = response.content.decode()
    assert html.count("<circle") == len(chart["points"]) + len(chart["legend"])
    assert "<table" in html and 'role="img"' in html
    assert "٫" not in re.search(r"<svg.*?</svg>", html, re.S).group(0)


def test_the_claims_page_charts_the_tag_its_setting_names(client, settings):
    default = page(client, "/claims/").context
    assert default["chart_tag"].slug == "north-korean-troops-in-russia"
    settings.NEWSROOM_TIMELINE_TAG = "nis-south-korea"
    chosen = page(client, "/claims/").context
    assert chosen["chart_tag"].slug == "nis-south-korea"
    charted = {p.appearance.pk for p in chosen["chart"]["points"]}
    assert charted != {p.appearance.pk for p in default["chart"]["points"]}
    assert all(
        p.appearance.claim.tags.filter(slug="nis-south-korea").exists()
        for p in chosen["chart"]["points"]
    )
    # The reader's tag comes first; no setting, or an unknown tag, is no chart.
    assert (
        page(client, "/claims/", {"tag": "north-korean-troops-in-russia"}).context["chart_tag"].slug
        == "north-korean-troops-in-russia"
    )
    for slug in ("", "no-such-tag"):
        settings.NEWSROOM_TIMELINE_TAG = slug
        context = page(client, "/claims/").context
        assert context["chart_tag"] is None and context["chart"] is None


def test_claim_page(client):
    claim = Claim.objects.published().first()
    assert claim.statement in page(client, reverse("claim", args=[claim.pk])).content.decode()
    page(client, reverse("claim", args=[Claim.objects.get(slug="secret-claim").pk]), status=404)
    page(client, "/claims/999999/", status=404)


# --- sources and tags ------------------------------------------------------------------------


def test_source_page(client):
    response = page(client, reverse("source", args=["al-bilad"]))
    assert [a.slug for a in response.context["page"].object_list] == [T4]
    page(client, reverse("source", args=["afp"]))  # credited only
    page(client, reverse("source", args=["no-such-source"]), status=404)


def test_tag_page_lists_aliases_and_articles(client):
    response = page(client, reverse("tag", args=["pyongyang"]))
    html = response.content.decode()
    assert "بيونج يانج" in html
    assert "secret-draft" not in [a.slug for a in response.context["page"].object_list]
    page(client, reverse("tag", args=["no-such-tag"]), status=404)


def test_tag_page_shows_its_timeline(client):
    response = page(client, reverse("tag", args=["north-korean-troops-in-russia"]))
    assert response.context["chart"] is not None


# --- feeds, sitemap, robots ------------------------------------------------------------------


def test_atom_feed_of_a_search(client):
    response = page(client, reverse("feed-articles"), {"q": "كورسك"})
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert {e.find(f"{ATOM}link").get("href").split("/")[-2] for e in entries} == {T0, T5}
    assert "كورسك" in feed.find(f"{ATOM}title").text


def test_feed_ignores_bad_parameters(client):
    response = page(client, reverse("feed-articles"), {"date_from": "bad", "page": "x"})
    assert len(ET.fromstring(response.content).findall(f"{ATOM}entry")) == 6


def test_sitemap_and_robots(client):
    sitemap = page(client, "/sitemap.xml").content.decode()
    assert T0 in sitemap and "secret-draft" not in sitemap
    robots = page(client, "/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in robots and "Disallow: /admin/" in robots


# --- exports ---------------------------------------------------------------------------------


def read_csv(response):
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_of_exactly_the_filtered_articles(client):
    page_slugs = set(result_slugs(page(client, "/", {"q": "كورسك"})))
    rows = read_csv(page(client, reverse("export-articles"), {"q": "كورسك"}))
    assert {r["url"].split("/")[-2] for r in rows} == page_slugs
    assert rows[0]["body"] and rows[0]["outlet"]


def test_csv_of_claims(client):
    rows = read_csv(page(client, reverse("export-claims"), {"verdict": "disputed"}))
    assert rows and all(r["verdict"] == "disputed" for r in rows)
    assert len(rows) == Claim.objects.published().filter(verdict="disputed").count()


@pytest.mark.parametrize(
    ("url", "params", "fields"),
    [
        ("export-articles", {"date_from": "bad"}, {"date_from"}),
        ("export-articles", {"source": "nope", "has_claims": "perhaps"}, {"source", "has_claims"}),
        ("export-claims", {"numeric": "perhaps"}, {"numeric"}),
        ("export-claims", {"verdict": "maybe", "date_to": "2024-13-45"}, {"verdict", "date_to"}),
        ("export-claims", {"claimant": "nobody-at-all", "tag": "nothing"}, {"claimant", "tag"}),
        ("export-claims", {"sort": "random"}, {"sort"}),
    ],
)
def test_csv_with_bad_parameters_is_a_400(client, url, params, fields):
    response = page(client, reverse(url), params, status=400)
    assert set(response.json()["errors"]) == fields


def all_pages(client, url, params):
    """The results of every page of `url`, in order, following its pages."""
    found, number = [], 1
    while True:
        shown = page(client, url, {**params, "page": number}).context["page"]
        found += list(shown.object_list)
        if not shown.has_next():
            return found
        number += 1


@pytest.mark.parametrize(
    "params", [{"q": "كورسك"}, {"q": "كورسك", "sort": "oldest"}, {"tag": "kursk"}, {}]
)
def test_csv_of_articles_is_every_page_of_results_in_order(client, params):
    """More results than a page (20): the CSV has exactly the rows of all the pages, in
    their order."""
    kursk = Article.objects.get(slug=T5)
    for n in range(25):
        article = Article.objects.create(
            title=f"مقال {n} عن كورسك" if n % 2 else f"مقال {n}",
            body="عن كورسك" + " وكورسك" * (n % 4),
            slug=f"kursk-filler-{n}",
            status="published",
            source_id=kursk.source_id,
            published_at=kursk.published_at.replace(hour=n % 24, minute=n),
        )
        article.tags.add(*kursk.tags.filter(slug="kursk"))
    shown = [a.slug for a in all_pages(client, "/", params)]
    assert len(shown) > 20
    rows = read_csv(page(client, reverse("export-articles"), params))
    assert [r["url"].split("/")[-2] for r in rows] == shown


def test_csv_of_claims_is_every_page_of_results_in_order(client):
    shown = [c.pk for c in all_pages(client, "/claims/", {})]
    assert len(shown) == 28
    rows = read_csv(page(client, reverse("export-claims")))
    assert [int(r["id"]) for r in rows] == shown


# --- the API ---------------------------------------------------------------------------------


def test_api_articles_filters_and_facets(client):
    body = page(client, "/api/articles/", {"tag": "kursk"}).json()
    assert body["count"] == 2
    assert {f["value"] for f in body["facets"]["source"]} and "verdict" in body["facets"]


@pytest.mark.parametrize(
    "slug",
    ["كوريا-الشمالية-٢٠٢٤", "Kursk-Troops_2024", "ﻻ-مسافة-ـ-تطويل", "مقال%20مرمز", "o'neil-(2024)"],
)
def test_api_article_urls_are_what_reverse_gives(client, slug):
    """The API writes each result's URL from one reverse() a request; it is the page's URL
    as reverse() and build_absolute_uri() give it, and that URL opens the article."""
    from django.test import RequestFactory

    from archive.api import article_url

    article = Article.objects.get(slug=T0)
    Article.objects.filter(pk=article.pk).update(slug=slug)
    article.refresh_from_db()
    request = RequestFactory().get("/api/articles/")
    expected = request.build_absolute_uri(article.get_absolute_url())
    assert article_url(request, article) == expected
    assert article_url(request, Article.objects.get(slug=T3)) == request.build_absolute_uri(
        reverse("article", args=[T3])
    )
    results = page(client, "/api/articles/", {"q": "كوريا"}).json()["results"]
    url = next(r["url"] for r in results if r["id"] == article.pk)
    assert url == "http://testserver" + article.get_absolute_url()
    assert page(client, url.removeprefix("http://testserver")).context["article"] == article


def test_api_results_carry_their_tags_in_name_order(client):
    """A page's tags come from one query of their own: each result has exactly its article's
    tags, by Arabic name, and an article without tags has none."""
    from archive.models import Tag

    untagged = Article.objects.get(slug=T3)
    untagged.tags.clear()
    extra = Tag.objects.create(kind=Tag.Kind.TOPIC, name_ar="ألف أول", name_en="First", slug="f")
    Article.objects.get(slug=T0).tags.add(extra)
    results = page(client, "/api/articles/", {"q": "روسيا"}).json()["results"]
    assert len(results) >= 3
    for result in results:
        expected = [
            {"slug": t.slug, "name_ar": t.name_ar, "name_en": t.name_en, "kind": t.kind}
            for t in Article.objects.get(pk=result["id"]).tags.order_by("name_ar", "id")
        ]
        assert result["tags"] == expected
    by_slug = {r["id"]: r["tags"] for r in results}
    assert by_slug[untagged.pk] == []
    assert by_slug[Article.objects.get(slug=T0).pk][0]["slug"] == "f"


def test_api_claims_and_detail(client):
    body = page(client, "/api/claims/", {"claimant": "volodymyr-zelensky"}).json()
    assert body["count"] >= 3
    first = body["results"][0]
    assert first["claimant"]["slug"] == "volodymyr-zelensky" and first["appearances"]
    detail = page(client, f"/api/claims/{first['id']}/").json()
    assert detail["statement"] == first["statement"]
    numeric = page(client, "/api/claims/", {"numeric": "true", "page_size": 100}).json()
    assert all(r["quantity"]["unit"] for r in numeric["results"])


@pytest.mark.parametrize(
    ("url", "params", "fields"),
    [
        ("/api/articles/", {"date_from": "x", "page_size": "1000"}, {"date_from", "page_size"}),
        ("/api/articles/", {"source": "nope", "tag": "nope"}, {"source", "tag"}),
        ("/api/claims/", {"verdict": "maybe", "page": "0"}, {"verdict", "page"}),
        ("/api/claims/", {"page": "77"}, {"page"}),
        ("/api/claims/", {"numeric": "perhaps"}, {"numeric"}),
        ("/api/claims/", {"numeric": ["true", "maybe"]}, {"numeric"}),
    ],
)
def test_api_errors_name_each_field(client, url, params, fields):
    response = page(client, url, params, status=400)
    assert set(response.json()["errors"]) == fields


def test_api_unknown_items_are_404(client):
    page(client, "/api/claims/424242/", status=404)
    draft_claim = Claim.objects.get(slug="secret-claim")
    page(client, f"/api/claims/{draft_claim.pk}/", status=404)


# --- the rule: drafts never leak -------------------------------------------------------------

PUBLIC_URLS = [
    ("/", {}),
    ("/", {"q": "كورسك"}),
    ("/", {"tag": "kursk"}),
    ("/", {"q": "بيونغ يانغ"}),
    ("/claims/", {}),
    ("/claims/", {"tag": "north-korean-troops-in-russia"}),
    ("/tags/kursk/", {}),
    ("/tags/pyongyang/", {}),
    ("/tags/north-korean-troops-in-russia/", {}),
    ("/sources/al-bilad/", {}),
    (f"/articles/{T5}/", {}),
    (f"/articles/{T0}/", {}),
    ("/feeds/articles/", {}),
    ("/feeds/articles/", {"q": "كورسك"}),
    ("/sitemap.xml", {}),
    ("/api/articles/", {"page_size": 100}),
    ("/api/articles/", {"q": "كورسك"}),
    ("/api/claims/", {"page_size": 100}),
    ("/export/articles.csv", {}),
    ("/export/articles.csv", {"q": "كورسك"}),
    ("/export/claims.csv", {}),
]
# Searching for the draft's own word: the reader's query is echoed, nothing of the draft is.
SEARCH_URLS = [
    ("/", {"q": SECRET}),
    ("/claims/", {"q": SECRET}),
    ("/feeds/articles/", {"q": SECRET}),
    ("/api/articles/", {"q": SECRET}),
    ("/api/claims/", {"q": SECRET}),
    ("/export/articles.csv", {"q": SECRET}),
    ("/export/claims.csv", {"q": SECRET}),
]
DRAFT_TRACES = ["secret-draft", "نص المسودة", "99999", "99,999", "example.org/secret-draft"]


def body_of(response):
    assert response.status_code == 200
    return (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode()


@pytest.mark.parametrize(("url", "params"), PUBLIC_URLS)
def test_a_draft_never_appears_anywhere_public(client, url, params):
    content = body_of(client.get(url, params))
    assert SECRET not in content
    assert not [trace for trace in DRAFT_TRACES if trace in content]


@pytest.mark.parametrize(("url", "params"), SEARCH_URLS)
def test_searching_for_a_drafts_word_finds_nothing(client, url, params):
    content = body_of(client.get(url, params))
    assert not [trace for trace in DRAFT_TRACES if trace in content]
    if url.startswith("/api/"):
        assert json.loads(content)["count"] == 0
    elif url.endswith(".csv"):
        assert len(content.strip().splitlines()) == 1  # the header only


def test_the_draft_is_really_there(client):
    """The no-leak tests above would pass on an empty database; this one would not."""
    assert Article.objects.filter(slug="secret-draft", body__contains=SECRET).exists()
    assert Article.objects.search(SECRET).count() == 1


def test_public_pages_use_no_external_resources(client):
    html = page(client, "/").content.decode()
    assert not re.search(r'(src|href)="https?://(?!testserver)', html)
    css = (settings.BASE_DIR / "static/archive/site.css").read_text()
    assert 'url("fonts/noto-naskh-arabic-arabic-400-normal.woff2")' in css


def test_filtersets_share_a_form_class_not_its_fields():
    """The filter form's class is made once a FilterSet class; each form still has fields
    and errors of its own, and each filter set its own queryset of choices."""
    from django.http import QueryDict

    from archive.filters import ArticleFilter, ClaimFilter
    from archive.selectors import public_articles, public_claims

    bad = ArticleFilter(QueryDict("source=no-such-outlet"), queryset=public_articles())
    good = ArticleFilter(QueryDict("q=كوريا"), queryset=public_articles())
    assert type(bad.form) is type(good.form)
    assert type(bad.form) is not type(ClaimFilter(QueryDict(), queryset=public_claims()).form)
    assert not bad.is_valid() and "source" in bad.errors
    assert good.is_valid() and not good.errors
    assert bad.form.fields["source"] is not good.form.fields["source"]
    assert bad.form.fields["source"].queryset is not good.form.fields["source"].queryset
    bad.form.fields["sort"].choices = []
    assert ArticleFilter(QueryDict("sort=newest"), queryset=public_articles()).is_valid()
