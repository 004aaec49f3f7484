"""What a hostile or careless reader sends never takes a public URL down: bad parameters are
form errors (pages) or 400s (API, exports), bad paths 404s, and text the archive holds is
written so that no feed, spreadsheet or page breaks on it."""

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import include, path, reverse

from archive.models import Claim, Tag
from archive.timeline import HEIGHT, MARGIN_BOTTOM, MARGIN_TOP

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def world(make_article, make_claim, appear, person):
    """One published article with a tag and a rated claim in it."""
    topic = Tag.objects.create(kind=Tag.Kind.TOPIC, name_ar="المعاهدة", slug="treaty")
    article = make_article(slug="treaty-ratified")
    article.tags.add(topic)
    claim = make_claim(verdict=Claim.Verdict.FALSE)
    claim.tags.add(topic)
    appear(claim, article, "وقع كيم جونغ أون")
    return {"article": article, "claim": claim, "tag": topic}


def get(client, url, status):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


# --- NUL and control characters in parameters and paths -------------------------------------


@pytest.mark.parametrize(
    ("url", "name"), [("/", "tag"), ("/claims/", "tag"), ("/claims/", "claimant")]
)
def test_a_nul_tag_or_claimant_is_a_form_error_on_the_pages(client, world, url, name):
    response = get(client, f"{url}?{name}=%00", 200)
    errors = response.context["filterset"].errors
    assert list(errors) == [name] and "U+0000" in errors[name][0]
    assert 'role="alert"' in response.content.decode()
    assert response.context["page"].paginator.count == 1  # the bad filter is ignored
    # ... and the search form does not send it again
    assert (name, "\x00") not in response.context["hidden"]
    assert "\x00" not in response.content.decode()


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/articles/", "tag"),
        ("/api/claims/", "tag"),
        ("/api/claims/", "claimant"),
        ("/export/articles.csv", "tag"),
        ("/export/claims.csv", "tag"),
        ("/export/claims.csv", "claimant"),
    ],
)
def test_a_nul_tag_or_claimant_is_a_400_saying_why(client, world, url, name):
    response = get(client, f"{url}?{name}=%00", 400)
    assert name in response.json()["errors"]
    assert "U+0000" in json.dumps(response.json())


def test_a_control_character_in_a_tag_is_named_in_the_error(client, world):
    response = get(client, "/api/articles/?tag=trea%1Bty", 400)
    assert "U+001B" in response.json()["errors"]["tag"][0]
    # The same tag without it is found.
    assert get(client, "/api/articles/?tag=treaty", 200).json()["count"] == 1


def test_the_feed_ignores_a_nul_tag_as_any_bad_parameter(client, world):
    response = get(client, "/feeds/articles/?tag=%00", 200)
    assert len(ET.fromstring(response.content).findall(f"{ATOM}entry")) == 1


@pytest.mark.parametrize(
    "url", ["/articles/%00/", "/tags/%00/", "/sources/%00/", "/articles/a%00b/"]
)
def test_a_nul_in_a_path_is_a_404(client, world, url):
    response = get(client, url, 404)
    assert "غير موجود" in response.content.decode()


CONTROL_CHARACTERS = [*range(0x00, 0x20), *range(0x7F, 0xA0)]


@pytest.mark.parametrize("code", CONTROL_CHARACTERS, ids=lambda c: f"U+{c:04X}")
def test_the_feed_of_a_search_with_any_control_character(client, world, code):
    response = get(client, f"/feeds/articles/?q={quote(f'a{chr(code)}b')}", 200)
    title = ET.fromstring(response.content).find(f"{ATOM}title").text
    if code == 0:  # Django's text fields refuse NUL: an invalid q, ignored as on the page
        assert title == "أرشيف غرفة الأخبار"
        return
    # XML 1.0 holds tab, line feed (a carriage return is read back as one) and C1 controls.
    kept = {0x09: "\t", 0x0A: "\n", 0x0D: "\n"}.get(code, chr(code) if code >= 0x7F else "")
    assert title == f"أرشيف غرفة الأخبار: a{kept}b"


# --- the timeline of figures that are all zero or negative ---------------------------------


def claims_with_figures(make_article, make_claim, appear, tag, figures):
    for n, figure in enumerate(figures):
        article = make_article(title=f"مقال الأرقام {n}", slug=f"figures-{n}")
        claim = make_claim(statement=f"رقم {n}", quantity_unit="جندي", **figure)
        claim.tags.add(tag)
        appear(claim, article, "وقع كيم جونغ أون")


@pytest.mark.parametrize(
    ("figures", "expected_order"),
    [
        ([{"quantity_value": 0}, {"quantity_value": 0}], None),
        ([{"quantity_value": -5}, {"quantity_value": -10}], [-5, -10]),
        ([{"quantity_low": -20, "quantity_high": -10}, {"quantity_value": -1}], [-1, -15]),
        ([{"quantity_value": -3}, {"quantity_value": 7}], [7, -3]),
    ],
    ids=["zeros", "negatives", "negative-range", "both-signs"],
)
def test_the_timeline_of_zero_or_negative_figures(
    client, make_article, make_claim, appear, figures, expected_order
):
    tag = Tag.objects.create(kind=Tag.Kind.TOPIC, name_ar="أرقام", slug="figures")
    claims_with_figures(make_article, make_claim, appear, tag, figures)
    for url in (reverse("tag", args=["figures"]), reverse("claims") + "?tag=figures"):
        chart = get(client, url, 200).context["chart"]
        points = chart["points"]
        assert len(points) == 2
        assert all(MARGIN_TOP <= p.y <= HEIGHT - MARGIN_BOTTOM for p in points)
        if expected_order is None:  # all zero: on the axis
            assert {p.y for p in points} == {HEIGHT - MARGIN_BOTTOM}
        else:  # the higher figure is drawn higher (a smaller y)
            by_y = sorted(points, key=lambda p: p.y)
            assert [int(p.value) for p in by_y] == expected_order
        ticks = [y for _label, y in chart["y_ticks"]]
        assert ticks == sorted(ticks, reverse=True)  # from the bottom of the plot up
        assert ticks[0] == HEIGHT - MARGIN_BOTTOM and ticks[-1] == MARGIN_TOP
        ends = [p.y_low for p in points if p.y_low] + [p.y_high for p in points if p.y_high]
        assert all(MARGIN_TOP <= y <= HEIGHT - MARGIN_BOTTOM for y in ends)


def test_the_timeline_of_positive_figures_is_unchanged(client, make_article, make_claim, appear):
    tag = Tag.objects.create(kind=Tag.Kind.TOPIC, name_ar="أرقام", slug="figures")
    claims_with_figures(
        make_article, make_claim, appear, tag, [{"quantity_value": 100}, {"quantity_value": 50}]
    )
    chart = get(client, reverse("tag", args=["figures"]), 200).context["chart"]
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    assert [round(p.y, 6) for p in chart["points"]] == [
        round(MARGIN_TOP + plot_h * (1 - 100 / 110), 6),
        round(MARGIN_TOP + plot_h * (1 - 50 / 110), 6),
    ]
    assert [label for label, _y in chart["y_ticks"]] == ["0", "27.5", "55", "82.5", "110"]


# --- text the feed cannot carry -------------------------------------------------------------


def test_the_feed_drops_what_xml_cannot_carry_from_every_field(client, world):
    """Rows written by raw SQL (or before today's rules) may hold control characters."""
    article = world["article"]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE archive_article SET title = %s, lead = %s, author = %s WHERE id = %s",
            ["عنوان\u0001 فيه", "مقدمة\u0002\u000b", "كاتب\u001f", article.pk],
        )
        cursor.execute(
            "UPDATE archive_tag SET name_ar = %s WHERE id = %s", ["وسم\u0001", world["tag"].pk]
        )
        cursor.execute(
            "UPDATE archive_source SET name = %s, name_ar = '' WHERE id = %s",
            ["Outlet\u0008", article.source_id],
        )
    response = get(client, "/feeds/articles/?q=%D8%B9%D9%86%D9%88%D8%A7%D9%86%01", 200)
    feed = ET.fromstring(response.content)
    (entry,) = feed.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "عنوان فيه"
    assert entry.find(f"{ATOM}summary").text == "مقدمة"
    assert entry.find(f"{ATOM}author/{ATOM}name").text == "Outlet"
    assert entry.find(f"{ATOM}category").get("term") == "وسم"
    assert feed.find(f"{ATOM}title").text.endswith("عنوان")


# --- HEAD --------------------------------------------------------------------------------


def public_urls(world):
    article, claim = world["article"], world["claim"]
    return [
        "/",
        "/?q=%D9%83%D9%8A%D9%85",
        "/claims/",
        reverse("claim", args=[claim.pk]),
        reverse("article", args=[article.slug]),
        reverse("source", args=[article.source.slug]),
        reverse("tag", args=[world["tag"].slug]),
        reverse("feed-articles"),
        reverse("export-articles"),
        reverse("export-claims"),
        reverse("api-articles"),
        reverse("api-article", args=[article.pk]),
        reverse("api-claims"),
        reverse("api-claim", args=[claim.pk]),
        reverse("sitemap"),
        reverse("robots"),
    ]


def test_head_answers_on_every_public_url(client, world):
    for url in public_urls(world):
        response = client.head(url)
        assert response.status_code == 200, (url, response.status_code)
        assert body(response) == b"", url


@pytest.mark.parametrize("view", ["articles", "claims"])
def test_head_on_an_export_runs_no_export(world, view, django_assert_num_queries):
    """gunicorn reads a HEAD answer's stream through before dropping it (the test client does
    not): the export's rows must not be read for it."""
    from django.test import RequestFactory

    from archive import exports

    factory = RequestFactory()
    response = getattr(exports, view)(factory.head(f"/export/{view}.csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    with django_assert_num_queries(0):
        assert b"".join(response.streaming_content) == b""
    response = getattr(exports, view)(factory.get(f"/export/{view}.csv"))
    assert len(b"".join(response.streaming_content).splitlines()) == 2  # the header, one row


def test_post_is_still_refused_on_every_view_of_ours(client, world):
    for url in public_urls(world):
        if url in (reverse("feed-articles"), reverse("sitemap")):
            continue  # Django's own views
        assert client.post(url).status_code == 405, url


# --- spreadsheet formulas in the CSV exports -------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"]


def read_csv(response):
    text = body(response).decode("utf-8").lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("formula", FORMULAS)
def test_the_articles_csv_neutralises_formulas(client, make_article, formula):
    make_article(title=formula, slug="formula", author=formula, lead="=1+2 مقدمة")
    (row,) = read_csv(get(client, reverse("export-articles"), 200))
    assert row["title"] == "'" + formula and row["author"] == "'" + formula
    assert row["lead"] == "'=1+2 مقدمة"
    assert row["body"].startswith("وقع") and row["outlet"] == "Al Jazeera"  # text as it was


@pytest.mark.parametrize("formula", FORMULAS)
def test_the_claims_csv_neutralises_formulas_but_not_figures(
    client, make_article, make_claim, appear, formula
):
    claim = make_claim(
        statement=formula, verdict_note="@note", quantity_value=-5, quantity_unit="-درجة"
    )
    appear(claim, make_article(), "وقع كيم جونغ أون")
    (row,) = read_csv(get(client, reverse("export-claims"), 200))
    assert row["statement"] == "'" + formula and row["verdict_note"] == "'@note"
    assert row["unit"] == "'-درجة"
    assert row["value"] == "-5.0000"  # a number, which no spreadsheet takes for a formula
    assert row["claimant"] == "كيم جونغ أون"


# --- JSON-LD that no statement can break out of ---------------------------------------------


class Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.blocks, self._in = [], False

    def handle_starttag(self, tag, attrs):
        self._in = tag == "script" and ("type", "application/ld+json") in attrs

    def handle_data(self, data):
        if self._in:
            self.blocks.append(data)

    def handle_endtag(self, tag):
        self._in = False


def json_ld_blocks(html):
    parser = Scripts()
    parser.feed(html)
    return parser.blocks


HOSTILE = 'قال <!--<script> ثم </script><script>alert(1)</script> & "هكذا" > ذلك'


def test_a_statement_cannot_break_the_article_pages_json_ld(client, world):
    Claim.objects.filter(pk=world["claim"].pk).update(statement=HOSTILE)
    html = get(client, reverse("article", args=[world["article"].slug]), 200).content.decode()
    (block,) = json_ld_blocks(html)
    assert not re.search("[<>&]", block)
    assert "\\u003c!--\\u003cscript\\u003e" in block and "\\u0026" in block
    assert json.loads(block)[0]["claimReviewed"] == HOSTILE
    assert html.count("</script>") == 1


def test_the_claim_page_carries_its_review_as_json_ld(client, world, make_article, appear):
    claim = world["claim"]
    Claim.objects.filter(pk=claim.pk).update(statement=HOSTILE)
    other = make_article(title="مقال ثان", slug="second")
    appear(claim, other, "وقع كيم جونغ أون")
    html = get(client, reverse("claim", args=[claim.pk]), 200).content.decode()
    (block,) = json_ld_blocks(html)
    assert not re.search("[<>&]", block)
    review = json.loads(block)
    assert review["@type"] == "ClaimReview" and review["claimReviewed"] == HOSTILE
    assert review["reviewRating"]["ratingValue"] == 1
    assert sorted(a["url"] for a in review["itemReviewed"]["appearance"]) == [
        "http://testserver" + reverse("article", args=[slug])
        for slug in ("second", "treaty-ratified")
    ]
    assert html.count("</script>") == 1


def test_an_unverified_claim_has_no_review(client, world):
    Claim.objects.filter(pk=world["claim"].pk).update(verdict=Claim.Verdict.UNVERIFIED)
    html = get(client, reverse("claim", args=[world["claim"].pk]), 200).content.decode()
    assert json_ld_blocks(html) == []


# --- the server error page ---------------------------------------------------------------


def broken(request):
    raise RuntimeError("a bug")


def fine(request):
    return HttpResponse("ok")


urlpatterns = [
    path("broken/", broken),
    path("fine/", fine),
    path("", include("archive.urls")),
]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("language", ["ar", "en"])
def test_a_server_error_shows_the_500_page_in_both_languages(db, tmp_path, language):
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = language
    # No static files manifest and no database are needed to show it.
    with override_settings(STATIC_ROOT=tmp_path), connection.execute_wrapper(refuse_queries):
        response = client.get("/broken/")
    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert '<section lang="ar" dir="rtl">' in html and '<section lang="en" dir="ltr">' in html
    assert html.index("خطأ في الخادم") < html.index("Server error")
    assert "من جهتنا، لا من جهتك" in html and "on our side, not yours" in html
    assert 'href="/static/archive/site.css"' in html and 'class="site-header"' in html
    assert "a bug" not in html and "Traceback" not in html
    assert client.get("/fine/").status_code == 200


def refuse_queries(execute, sql, params, many, context):
    raise AssertionError("the 500 page must not query the database")
