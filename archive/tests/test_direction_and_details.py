"""Issue 18's direction on public pages and its smaller problems (docs/direction-and-details.md):
user-written text keeps its own direction in either interface, a claim is listed once per
article, the import page names its columns, figures without trailing zeros, times in the
newsroom's zone, /api/ and /favicon.ico answer, the feed's self link keeps its query, the
Arabic question mark and plurals, the did-you-mean in the archive's spelling, the filters'
errors named, a page number that does not exist said so."""

import datetime as dt
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django import forms
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from archive import import_help, imports
from archive.admin import ClaimForm
from archive.figures import FigureFormMixin, plain_figure
from archive.models import Article, Claim, ClaimAppearance, Source, Tag

from .test_public_archive import T3, page

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


# The seed (archive_db) is committed for the whole module once a test asks for it: the
# conftest's outlet and person are taken from it when it is there.
@pytest.fixture
def outlet(db):
    return Source.objects.get_or_create(
        name="Al Jazeera", defaults={"slug": "al-jazeera", "name_ar": "الجزيرة", "country": "QA"}
    )[0]


@pytest.fixture
def person(db):
    return Tag.objects.get_or_create(
        name_ar="كيم جونغ أون", defaults={"kind": Tag.Kind.PERSON, "name_en": "Kim Jong Un"}
    )[0]


@pytest.fixture
def english(db):
    """A reader who chose English (a client of its own: `client` stays Arabic)."""
    reader = Client()
    reader.post(reverse("set_language"), {"language": "en", "next": "/"})
    return reader


# --- 1. direction of what people wrote --------------------------------------------------------


def test_an_arabic_article_is_right_to_left_in_the_english_interface(archive_db, english):
    html = page(english, reverse("article", args=[T3])).content.decode()
    assert '<html lang="en" dir="ltr">' in html
    # The title and the body are inside the article's element, which takes its language's
    # direction; the interface's own lines inside it take the interface's.
    article = re.search(r'<article class="article"[^>]*>', html).group()
    assert 'lang="ar"' in article and 'dir="rtl"' in article
    body = html[html.index(article) :]
    assert body.index("<h1>") < body.index("</article>")
    assert '<p class="meta" lang="en" dir="ltr">' in body
    # The page's <title> holds the Arabic title between Unicode isolates.
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title.startswith("\u2068") and "\u2069 · " in title


def test_names_inside_interface_sentences_are_isolated(archive_db, english):
    html = page(english, reverse("article", args=[T3])).content.decode()
    claims = html[html.index('id="claims-heading"') :]
    assert "Claimant: <a" in claims and "<bdi>" in claims.split("Claimant: <a", 1)[1][:300]
    listing = page(english, "/", {"q": "كوريا"}).content.decode()
    facets = listing[listing.index('id="facets"') :]
    assert re.search(r"<bdi>[^<]+</bdi> <span class=\"count\">", facets)
    assert re.search(r'<p class="meta"><a href="/sources/[^"]+/"><bdi>', listing)


def test_the_arabic_interface_isolates_english_names_too(archive_db, client):
    html = page(client, reverse("article", args=[T3])).content.decode()
    assert '<p class="meta" lang="ar" dir="rtl">' in html
    assert "<bdi>" in html


def test_the_feed_gives_each_entry_its_language(archive_db, client, make_article):
    make_article(title="An English report on Kursk", body="Kursk.", language="en")
    feed = ET.fromstring(page(client, reverse("feed-articles")).content)
    languages = {
        entry.find(f"{ATOM}title").text: entry.get(XML_LANG) for entry in feed.iter(f"{ATOM}entry")
    }
    assert languages["An English report on Kursk"] == "en"
    assert set(languages.values()) == {"ar", "en"}


def test_an_article_of_no_known_language_gets_no_language_in_the_feed(archive_db, client):
    Article.objects.filter(slug=T3).update(language="other")
    feed = ET.fromstring(page(client, reverse("feed-articles")).content)
    other = [e for e in feed.iter(f"{ATOM}entry") if e.find(f"{ATOM}link").get("href").find(T3) > 0]
    assert other and other[0].get(XML_LANG) is None


# --- 2. a claim once per article ----------------------------------------------------------------


def test_a_claim_quoted_three_times_is_listed_once(archive_db, client):
    article = Article.objects.get(slug=T3)
    repeated = (
        ClaimAppearance.objects.filter(article=article)
        .values("claim")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    claim_id, times = repeated[0]["claim"], repeated[0]["n"]
    assert times == 3
    html = page(client, reverse("article", args=[T3])).content.decode()
    assert html.count(f'<li id="claim-{claim_id}">') == 1
    item = html[html.index(f'<li id="claim-{claim_id}">') :].split("</li>", 1)[0]
    # Each quote is still reached from the one entry.
    quotes = ClaimAppearance.objects.filter(article=article, claim_id=claim_id)
    for appearance in quotes:
        assert f'href="#quote-{appearance.pk}"' in item
    assert "اقتُبس 3 مرات في النص" in item
    # And the page's ClaimReview data names each claim once too.
    ids = re.findall(r'"url": "[^"]*/claims/(\d+)/"', html)
    assert len(ids) == len(set(ids))


def test_a_claim_quoted_once_links_its_quote(client, make_article, make_claim, appear):
    article = make_article(body="قال إن 11 ألف جندي وصلوا.")
    appearance = appear(make_claim(), article, "11 ألف جندي")
    html = page(client, article.get_absolute_url()).content.decode()
    assert f'<a href="#quote-{appearance.pk}">' in html and "اقتُبس" not in html


# --- 3. the import page names its columns --------------------------------------------------------


def test_every_field_of_the_importer_is_described():
    assert set(import_help.DESCRIPTIONS) == imports.TARGETS
    rows = import_help.columns()
    assert {row["field"] for row in rows} == imports.TARGETS
    required = [row["field"] for row in rows if row["required"]]
    assert required == list(imports.REQUIRED)  # and they come first
    assert rows[: len(required)] == [r for r in rows if r["required"]]
    assert {row["column"] for row in rows} == set(imports.DEFAULT_MAP.values())


def test_the_file_kinds_described_are_the_ones_the_importer_takes():
    for kind in import_help.file_kinds():
        for suffix in kind["suffixes"]:
            assert imports.file_format(f"file{suffix}") in {"csv", "jsonl"}
            assert imports.file_format(f"file{suffix}.gz") in {"csv", "jsonl"}
    with pytest.raises(imports.ImportError_):
        imports.file_format("file.xlsx")


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2024-10-24", dt.datetime(2024, 10, 24, tzinfo=dt.UTC)),
        ("2024-10-24T09:30:00+03:00", dt.datetime(2024, 10, 24, 6, 30, tzinfo=dt.UTC)),
        ("Thu, 24 Oct 2024 09:30:00 +0300", dt.datetime(2024, 10, 24, 6, 30, tzinfo=dt.UTC)),
    ],
)
def test_the_date_examples_of_the_import_page_parse_as_it_says(value, expected):
    assert value in str(import_help.DESCRIPTIONS["published_at"])
    assert imports.parse_date(value) == expected


def test_a_date_the_import_page_does_not_describe_is_rejected():
    with pytest.raises(imports.Rejected):
        imports.parse_date("24/10/2024")


@pytest.mark.parametrize(
    "language, heading", [("ar", "ما يحويه الملف"), ("en", "What the file holds")]
)
def test_the_import_page_shows_the_columns_in_both_languages(chief_client, language, heading):
    chief_client.post(reverse("set_language"), {"language": language, "next": "/admin/"})
    html = page(chief_client, reverse("admin:archive_article_import")).content.decode()
    assert heading in html
    for target, column in imports.DEFAULT_MAP.items():
        assert f'<code dir="ltr">{target}</code>' in html
        assert f'<code dir="ltr">{column}</code>' in html
    assert html.count("<strong>") >= len(imports.REQUIRED)


def test_the_import_page_stays_closed_to_who_may_not_add(client, editor):
    editor.groups.clear()
    editor.user_permissions.clear()
    client.force_login(editor)
    response = client.get(reverse("admin:archive_article_import"))
    assert response.status_code == 403


# --- 4. figures ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stored, shown",
    [
        ("12000.0000", "12000"),
        ("12.5000", "12.5"),
        ("0.0001", "0.0001"),
        ("-5.0000", "-5"),
        ("0.0000", "0"),
        ("1E+3", "1000"),
        ("1234567890123456.1234", "1234567890123456.1234"),
        (None, ""),
    ],
)
def test_a_figure_is_written_without_trailing_zeros(stored, shown):
    assert plain_figure(Decimal(stored) if stored else None) == shown


class FigureForm(FigureFormMixin, forms.ModelForm):
    class Meta:
        model = Claim
        fields = ["quantity_value", "quantity_low", "quantity_high", "quantity_unit"]


def test_the_admin_claim_form_has_the_figure_fields():
    assert issubclass(ClaimForm, FigureFormMixin)


def test_the_claim_form_shows_a_figure_normalised(make_claim):
    claim = make_claim(quantity_value=Decimal("12000"), quantity_unit="جندي")
    claim.refresh_from_db()
    assert claim.quantity_value == Decimal("12000.0000")
    html = str(FigureForm(instance=claim)["quantity_value"])
    assert 'value="12000"' in html and "12000.0000" not in html
    claim = make_claim(quantity_low=Decimal("12.5"), quantity_high=Decimal("13"), quantity_unit="%")
    claim.refresh_from_db()
    form = FigureForm(instance=claim)
    assert 'value="12.5"' in str(form["quantity_low"])
    assert 'value="13"' in str(form["quantity_high"])


def test_the_claim_form_shows_what_the_editor_typed_back_unchanged(make_claim):
    claim = make_claim()
    form = FigureForm(data={"quantity_value": "12,000abc"}, instance=claim)
    assert not form.is_valid()
    assert 'value="12,000abc"' in str(form["quantity_value"])


def test_the_claim_change_page_shows_no_trailing_zeros(chief_client, make_claim):
    claim = make_claim(quantity_value=Decimal("12000"), quantity_unit="جندي")
    html = page(chief_client, reverse("admin:archive_claim_change", args=[claim.pk]))
    html = html.content.decode()
    assert re.search(r'name="quantity_value"[^>]*value="12000"', html)
    assert "12000.0000" not in html


@pytest.mark.parametrize("language", ["ar", "en"])
def test_public_pages_show_a_figure_with_its_thousands(
    client, make_article, make_claim, appear, language
):
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    article = make_article(body="قال إن 12 ألف جندي وصلوا، و12.5 بالمئة منهم.")
    claim = make_claim(quantity_value=Decimal("12000"), quantity_unit="جندي")
    appear(claim, article, "12 ألف جندي")
    fraction = make_claim("نسبة 12.5 بالمئة", quantity_value=Decimal("12.5"), quantity_unit="%")
    appear(fraction, article, "12.5 بالمئة")
    for url in (claim.get_absolute_url(), article.get_absolute_url(), "/claims/"):
        html = page(client, url).content.decode()
        assert "12,000 جندي" in html and "0000" not in html
    assert "12.5 %" in page(client, fraction.get_absolute_url()).content.decode()


# --- 5. times in the newsroom's zone -------------------------------------------------------------


def test_a_restored_version_is_named_by_its_local_time(chief_client, make_article, settings):
    settings.TIME_ZONE = "Asia/Riyadh"
    article = make_article(title="الأصل", status=Article.Status.DRAFT)
    Article.objects.filter(pk=article.pk).update(title="تغيير")
    events = Article.pgh_event_model.objects.filter(pgh_obj_id=article.pk).order_by("pgh_id")
    first = events.first()
    url = reverse("admin:archive_article_restore", args=[article.pk, first.pgh_id])
    response = chief_client.post(url, follow=True)
    message = next(str(m) for m in response.context["messages"])
    with timezone.override("Asia/Riyadh"):
        local = timezone.localtime(first.pgh_created_at).strftime("%H:%M")
    utc = first.pgh_created_at.astimezone(dt.UTC).strftime("%H:%M")
    assert local != utc  # Riyadh is UTC+3 all year
    assert local in message and utc not in message


# --- 7. /api/ and 11. /favicon.ico ------------------------------------------------------------


def test_the_api_index_lists_the_endpoints(archive_db, client):
    response = page(client, "/api/")
    body = response.json()
    endpoints = body["endpoints"]
    assert endpoints["articles"]["url"].endswith("/api/articles/")
    assert endpoints["claims"]["url"].endswith("/api/claims/")
    assert endpoints["article"]["url"].endswith("/api/articles/{id}/")
    assert {"q", "tag", "page", "page_size"} <= set(endpoints["articles"]["parameters"])
    assert {"q", "claimant", "numeric"} <= set(endpoints["claims"]["parameters"])
    # Each listed address answers.
    for name in ("articles", "claims"):
        assert client.get(endpoints[name]["url"]).status_code == 200


def test_the_api_index_takes_only_reads(client):
    assert client.post("/api/").status_code == 405


def test_the_footer_links_the_api_index(archive_db, client, english):
    for who in (client, english):
        html = page(who, "/").content.decode()
        footer = html[html.index('<footer class="site-footer">') :]
        assert f'<a href="{reverse("api")}">' in footer


def test_favicon_ico_reaches_the_archive_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert re.search(r"/static/archive/favicon(\.[0-9a-f]+)?\.svg$", response["Location"])
    assert client.post("/favicon.ico").status_code == 405


# --- 8. the feed's self link -----------------------------------------------------------------


def test_the_feed_self_link_keeps_the_search(archive_db, client):
    params = {"q": "كوريا", "sort": "newest", "tag": "kursk"}
    feed = ET.fromstring(page(client, reverse("feed-articles"), params).content)
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    self_link = links["self"]
    assert "/feeds/articles/?" in self_link
    assert "sort=newest" in self_link and "tag=kursk" in self_link
    assert "q=%D9%83%D9%88%D8%B1%D9%8A%D8%A7" in self_link


def test_the_feed_self_link_without_a_search_is_the_feed(archive_db, client):
    feed = ET.fromstring(page(client, reverse("feed-articles")).content)
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links["self"].endswith("/feeds/articles/")


# --- 9. did you mean ---------------------------------------------------------------------------


def test_did_you_mean_ends_with_the_arabic_question_mark(archive_db, client, english):
    html = page(client, "/", {"q": "الشمالبة"}).content.decode()
    suggestion = re.search(r'<p class="suggestion">.*?</p>', html, re.S).group()
    after = suggestion.split("</a>", 1)[1]
    assert "هل تقصد" in suggestion and after.startswith("؟") and "?" not in after
    assert "<bdi>الشمالبة</bdi> ← <bdi>الشمالية</bdi>" in suggestion
    html = page(english, "/", {"q": "الشمالبة"}).content.decode()
    suggestion = re.search(r'<p class="suggestion">.*?</p>', html, re.S).group()
    assert "Did you mean" in suggestion and "</a>? (" in suggestion and "؟" not in suggestion
    assert "<bdi>الشمالبة</bdi> → <bdi>الشمالية</bdi>" in suggestion


def test_did_you_mean_keeps_the_readers_spelling_of_the_other_words(archive_db, client):
    response = page(client, "/", {"q": "معاهدة الدفاع المشترق"})
    suggestion = response.context["suggestion"]
    # معاهدة stays with its ة (the vocabulary holds معاهده); only the wrong word changes.
    assert suggestion["query"] == "معاهدة الدفاع المشترك"
    assert suggestion["corrections"] == [{"from": "المشترق", "to": "المشترك"}]
    html = response.content.decode()
    assert "?q=%D9%85%D8%B9%D8%A7%D9%87%D8%AF%D8%A9+" in html  # the link carries معاهدة


def test_a_quoted_phrase_stays_quoted_in_the_suggestion(archive_db, client):
    suggestion = page(client, "/", {"q": '"معاهدة الدفاع المشترق"'}).context["suggestion"]
    assert suggestion["query"] == '"معاهدة الدفاع المشترك"'


def test_no_suggestion_for_a_well_spelt_search(archive_db, client):
    assert page(client, "/", {"q": "كورسك"}).context["suggestion"] is None


# --- 10. Arabic plurals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number, articles, claims",
    [
        (0, "لا مقالات", "لا ادعاءات"),
        (1, "مقال واحد", "ادعاء واحد"),
        (2, "مقالان", "ادعاءان"),
        (3, "3 مقالات", "3 ادعاءات"),
        (10, "10 مقالات", "10 ادعاءات"),
        (11, "11 مقالًا", "11 ادعاءً"),
        (99, "99 مقالًا", "99 ادعاءً"),
        (100, "100 مقال", "100 ادعاء"),
        (102, "102 مقال", "102 ادعاء"),
        (111, "111 مقالًا", "111 ادعاءً"),
    ],
)
def test_counts_read_naturally_in_arabic(number, articles, claims):
    with translation.override("ar"):
        assert (
            translation.ngettext("%(counter)s article", "%(counter)s articles", number)
            % {"counter": number}
            == articles
        )
        assert (
            translation.ngettext("%(counter)s claim", "%(counter)s claims", number)
            % {"counter": number}
            == claims
        )


def test_no_result_reads_as_no_articles(archive_db, client, english):
    html = page(client, "/", {"q": "زززززز"}).content.decode()
    assert re.search(r'id="results-heading"[^>]*>لا مقالات<', html)
    html = page(english, "/", {"q": "زززززز"}).content.decode()
    assert re.search(r'id="results-heading"[^>]*>0 articles<', html)


def test_one_claim_reads_as_one_claim(archive_db, client):
    public = Claim.objects.filter(appearances__article__status="published").distinct()
    counts = {}
    for claim in public.exclude(claimant=None):
        counts.setdefault(claim.claimant.slug, set()).add(claim.pk)
    alone = next(slug for slug, claims in counts.items() if len(claims) == 1)
    html = page(client, "/claims/", {"claimant": alone}).content.decode()
    heading = re.search(r'id="results-heading"[^>]*>([^<]+)<', html).group(1)
    assert heading == "ادعاء واحد"


# --- 6. the phone's filters ------------------------------------------------------------------


def test_the_filters_stay_folded_with_their_count_when_in_use(archive_db, client, english):
    html = page(client, "/", {"date_from": "2024-01-01", "language": "ar"}).content.decode()
    assert '<details class="filters">' in html
    assert "(مرشحان مستعملان)" in html
    html = page(english, "/claims/", {"numeric": "true"}).content.decode()
    assert '<details class="filters">' in html and "(1 in use)" in html
    html = page(english, "/").content.decode()
    assert "in use" not in html


def test_the_filters_open_on_an_error_and_name_the_field(archive_db, client, english):
    html = page(client, "/", {"date_from": "x", "date_to": "y"}).content.decode()
    assert '<details class="filters" open>' in html
    assert "من تاريخ: أدخل تاريخاً صحيحاً." in html and "إلى تاريخ: أدخل تاريخاً صحيحاً." in html
    assert "مستعمل" not in html  # a refused filter is not in use
    html = page(english, "/claims/", {"date_to": "soon"}).content.decode()
    assert "<li>To: Enter a valid date.</li>" in html


# --- the page number that does not exist -------------------------------------------------------


@pytest.mark.parametrize("number", ["abc", "0", "999", "1.5"])
def test_a_page_that_does_not_exist_is_said_so(archive_db, client, english, number):
    response = page(client, "/", {"page": number})
    assert response.context["page"].number == 1  # the nearest page, as before
    assert f"لا توجد صفحة «{number}» في هذه النتائج: هذه الصفحة 1." in response.content.decode()
    html = page(english, "/claims/", {"page": number}).content.decode()
    assert f"There is no page “{number}” of these results" in html


@pytest.mark.parametrize("number", ["", "1"])
def test_a_real_page_says_nothing_of_the_sort(archive_db, client, number):
    assert "لا توجد صفحة" not in page(client, "/", {"page": number}).content.decode()


def test_a_hostile_page_number_is_escaped_and_cut(archive_db, client):
    html = page(client, "/", {"page": "<script>" + "x" * 100}).content.decode()
    assert "<script>x" not in html and "&lt;script&gt;" + "x" * 12 + "»" in html


def test_a_misspelt_word_joined_by_a_hyphen_is_corrected_too(archive_db, client):
    suggestion = page(client, "/", {"q": "كوريا-الشمالبة"}).context["suggestion"]
    assert suggestion["query"] == '"كوريا الشمالية"'
