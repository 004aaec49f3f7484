"""An outlet and tags named in Arabic through the admin's add forms, and an article and a claim
in them: every public page that links to them opens (their slugs are Arabic). And the admin's
article form explains the dates and characters the archive refuses."""

import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from archive.models import Article, Claim, Source, Tag

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
OUTLET, TOPIC, PERSON = "صحيفة جديدة", "الانتخابات البلدية", "مسؤول محلي"
TITLE = "نتائج الانتخابات البلدية في المدينة"
BODY = "أعلن مسؤول محلي أن نسبة المشاركة بلغت ستين في المئة في الانتخابات البلدية."


def formset(prefix, total=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def add(client, model, data):
    response = client.post(reverse(f"admin:archive_{model}_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def article_form(**fields):
    return {
        "title": TITLE,
        "lead": "",
        "body": BODY,
        "status": "published",
        "published_at_0": "2024-11-13",
        "published_at_1": "10:00:00",
        "source": Source.objects.get(name=OUTLET).pk,
        "credited_sources": [Source.objects.get(name=OUTLET).pk],
        "author": "",
        "url": "",
        "slug": "",
        "language": "ar",
        "tags": [Tag.objects.get(name_ar=TOPIC).pk],
        **formset("claim_appearances"),
        **fields,
    }


def tag_form(kind, name):
    # The slug as the admin's prepopulated field writes it from an Arabic name.
    return {"kind": kind, "name_ar": name, "name_en": "", "slug": name.replace(" ", "-")}


@pytest.fixture
def arabic_world(chief_client):
    # A chief editor's forms: the article is published (editors may not publish).
    add(
        chief_client,
        "source",
        {
            "name": OUTLET,
            "name_ar": OUTLET,
            "slug": "صحيفة-جديدة",
            "homepage": "",
            "country": "",
            "language": "ar",
            "kind": "newspaper",
        },
    )
    add(chief_client, "tag", {**tag_form("topic", TOPIC), "description": "", **formset("aliases")})
    add(
        chief_client,
        "tag",
        {**tag_form("person", PERSON), "description": "", **formset("aliases")},
    )
    add(chief_client, "article", article_form())
    article = Article.objects.get(title=TITLE)
    add(
        chief_client,
        "claim",
        {
            "statement": "بلغت نسبة المشاركة ستين في المئة",
            "slug": "",
            "claimant": Tag.objects.get(name_ar=PERSON).pk,
            "tags": [Tag.objects.get(name_ar=TOPIC).pk],
            "verdict": "disputed",
            "verdict_note": "",
            "quantity_value": "60",
            "quantity_low": "",
            "quantity_high": "",
            "quantity_unit": "في المئة",
            "quantity_date": "",
            **formset("appearances", 1),
            "appearances-0-article": article.pk,
            "appearances-0-quote": "نسبة المشاركة بلغت ستين في المئة",
            "appearances-0-stated_on": "",
            **formset("evidence"),
        },
    )
    return {
        "source": Source.objects.get(name=OUTLET),
        "topic": Tag.objects.get(name_ar=TOPIC),
        "person": Tag.objects.get(name_ar=PERSON),
        "article": article,
        "claim": Claim.objects.get(),
    }


def test_the_admin_keeps_the_arabic_slugs(arabic_world):
    assert arabic_world["source"].slug == "صحيفة-جديدة"
    assert arabic_world["topic"].slug == "الانتخابات-البلدية"
    assert arabic_world["article"].slug == "نتائج-الانتخابات-البلدية-في-المدينة"
    assert arabic_world["article"].is_published


def test_every_page_that_links_to_them_opens(client, arabic_world):
    source, topic, person = arabic_world["source"], arabic_world["topic"], arabic_world["person"]
    article, claim = arabic_world["article"], arabic_world["claim"]
    urls = {
        "source": reverse("source", args=[source.slug]),
        "topic": reverse("tag", args=[topic.slug]),
        "person": reverse("tag", args=[person.slug]),
        "article": reverse("article", args=[article.slug]),
    }
    assert all("%D8" in url for url in urls.values())  # Arabic, quoted by reverse()
    pages = {
        "/": ["article", "source"],
        f"/?q={TOPIC}": ["article", "source"],
        f"/?tag={topic.slug}&source={source.slug}": ["article"],
        urls["source"]: ["article"],
        urls["topic"]: ["article"],
        urls["person"]: [],
        urls["article"]: ["source", "topic", "person"],
        "/claims/": ["person", "article"],
        f"/claims/?tag={topic.slug}&claimant={person.slug}": ["person", "article"],
        reverse("claim", args=[claim.pk]): ["person", "article"],
    }
    for url, links in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for name in links:
            assert f'href="{urls[name]}' in html, (url, name)
    # The sitemap lists all three, and each of its addresses opens.
    sitemap = ET.fromstring(client.get("/sitemap.xml").content)
    located = {urlsplit(loc.text).path for loc in sitemap.iter(f"{SITEMAP}loc")}
    assert {urls["article"], urls["source"], urls["topic"]} <= located
    for path in located:
        assert client.get(path).status_code == 200, path


def test_the_api_feed_and_exports_carry_their_addresses(client, arabic_world):
    article_url = "http://testserver" + reverse("article", args=[arabic_world["article"].slug])
    body = client.get("/api/articles/", {"tag": arabic_world["topic"].slug}).json()
    assert [r["url"] for r in body["results"]] == [article_url]
    assert body["results"][0]["source"]["slug"] == "صحيفة-جديدة"
    claims = client.get("/api/claims/", {"claimant": arabic_world["person"].slug}).json()
    assert claims["results"][0]["appearances"][0]["article"] == article_url
    detail = client.get(f"/api/articles/{arabic_world['article'].pk}/").json()
    assert detail["credited_sources"][0]["slug"] == "صحيفة-جديدة"
    feed = client.get("/feeds/articles/", {"source": arabic_world["source"].slug})
    assert feed.status_code == 200
    links = [e.get("href") for e in ET.fromstring(feed.content).iter() if e.get("rel")]
    assert article_url in links
    for export in ("export-articles", "export-claims"):
        response = client.get(reverse(export), {"tag": arabic_world["topic"].slug})
        assert response.status_code == 200
        assert article_url in b"".join(response.streaming_content).decode()


# --- what the admin's article form refuses ------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"published_at_0": "0001-01-01", "published_at_1": "00:30:00"}, "published_at", "1800"),
        ({"published_at_0": "2999-06-01"}, "published_at", "1800"),
        ({"title": "عنوان\u0001فيه محرف تحكم"}, "title", "U+0001"),
        ({"title": "عنوان\u009bفيه محرف تحكم"}, "title", "U+009B"),
        ({"author": "كاتب\u0007"}, "author", "U+0007"),
        ({"title": "عنوان\u0000"}, "title", ""),  # NUL: Django's own "null characters" error
    ],
    ids=["year-1", "year-2999", "title-C0", "title-C1", "author-bell", "title-nul"],
)
def test_the_article_form_refuses_with_a_form_error(
    chief_client, arabic_world, fields, field, message
):
    before = Article.objects.count()
    response = chief_client.post(reverse("admin:archive_article_add"), article_form(**fields))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in errors[field][0]
    if message:  # (after NUL the model's constraints see no slug and add their own errors)
        assert list(errors) == [field]
    assert Article.objects.count() == before
    assert re.search(r'class="errorlist[^"]*"', response.content.decode())


def test_the_dates_at_the_edges_are_kept(chief_client, arabic_world):
    for day, title in (("1800-01-01", "مقال قديم جدا"), ("2024-02-29", "مقال في يوم كبيس")):
        add(chief_client, "article", article_form(title=title, published_at_0=day))
    assert Article.objects.filter(title="مقال قديم جدا").get().published_at.year == 1800
