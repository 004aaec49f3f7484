"""The admin's lists of articles and claims (archive/admin_lists.py): their columns and counts,
the figure as a reader says it in either language, the figure and publication filters (bad
input included), and dir="auto" on what editors write, in the forms and in the lists."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from archive.admin_lists import figure_display, parse_bound
from archive.models import Article, Claim, Tag

ARTICLES = reverse("admin:archive_article_changelist")
CLAIMS = reverse("admin:archive_claim_changelist")


@pytest.fixture
def chief_in(client, chief):
    def log_in(language):
        client.force_login(chief)
        client.cookies["django_language"] = language
        return client

    return log_in


@pytest.fixture
def figures(make_claim):
    """Claims with a figure: one value, a range, an open range, and one with none."""
    return {
        "12000": make_claim(
            "نحو 12 ألف جندي", quantity_value=Decimal("12000.0000"), quantity_unit="جندي"
        ),
        "range": make_claim(
            "بين 10 و12 ألفًا",
            quantity_low=Decimal("10000"),
            quantity_high=Decimal("12000"),
            quantity_unit="جندي",
        ),
        "more": make_claim("أكثر من 50 ألفًا", quantity_low=Decimal("50000"), quantity_unit="جندي"),
        "none": make_claim("ادعاء بلا رقم"),
    }


def statements(response):
    return sorted(claim.statement for claim in response.context["cl"].result_list)


# --- columns -----------------------------------------------------------------------------------


def test_the_article_list_shows_title_outlet_date_status_and_counts(
    chief_in, make_article, make_claim, appear
):
    article = make_article()
    article.tags.set(
        [
            Tag.objects.create(kind=Tag.Kind.PLACE, name_ar="كورسك", name_en="Kursk"),
            Tag.objects.create(kind=Tag.Kind.PLACE, name_ar="بيونغ يانغ", name_en="Pyongyang"),
        ]
    )
    appear(make_claim(), article, "وقع كيم جونغ أون")
    make_article("مقال بلا وسوم", url="https://example.org/2")

    response = chief_in("en").get(ARTICLES)

    cl = response.context["cl"]
    assert cl.list_display[1:] == [
        "title_cell",
        "outlet",
        "published_at",
        "publication",
        "tag_count",
        "claim_count",
    ]
    counts = {a.title: (a.tag_count, a.claim_count) for a in cl.result_list}
    assert counts == {article.title: (2, 1), "مقال بلا وسوم": (0, 0)}
    html = response.content.decode()
    assert f'<span dir="auto" class="clamp">{article.title}</span>' in html


def test_the_counts_are_read_with_the_page_not_row_by_row(
    chief_in, make_article, django_assert_max_num_queries
):
    client = chief_in("ar")
    make_article("مقال 0")
    client.get(ARTICLES)
    with django_assert_max_num_queries(12) as few:
        client.get(ARTICLES)
    for number in range(1, 15):
        make_article(f"مقال {number}", url=f"https://example.org/{number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(ARTICLES)
    assert len(response.context["cl"].result_list) == 15


def test_the_claim_list_columns(chief_in, figures, editor, make_article, appear):
    appear(figures["12000"], make_article(), "وقع كيم جونغ أون")
    response = chief_in("en").get(CLAIMS)
    cl = response.context["cl"]
    assert cl.list_display[1:] == [
        "short_statement",
        "claimant_name",
        "verdict_cell",
        "figure",
        "appearance_count",
        "changed_on",
    ]
    html = response.content.decode()
    assert '<span dir="auto" class="clamp">نحو 12 ألف جندي</span>' in html
    # The verdict in words on its colour, and the claimant in the interface's language.
    assert '<span class="verdict verdict-unverified">Unverified</span>' in html
    assert 'title="كيم جونغ أون (Kim Jong Un)">Kim Jong Un</span>' in html
    counts = {c.statement: c.appearance_count for c in cl.result_list}
    assert counts["نحو 12 ألف جندي"] == 1 and counts["ادعاء بلا رقم"] == 0


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("en", ["12,000 جندي", "10,000–12,000 جندي", "more than 50,000 جندي"]),
        ("ar", ["12٬000 جندي", "10٬000–12٬000 جندي", "أكثر من 50٬000 جندي"]),
    ],
)
def test_the_figure_is_grouped_in_the_interface_s_language_with_its_unit(
    chief_in, figures, language, shown
):
    html = chief_in(language).get(CLAIMS).content.decode()
    for text in shown:
        assert f'<td class="field-figure">{text}</td>' in html
    assert "12000.0000" not in html and "12000" not in html.replace("12000 أو", "")


def test_an_approximate_decimal_figure(make_claim):
    claim = make_claim(
        quantity_value=Decimal("2.5000"), quantity_unit="مليار دولار", quantity_approximate=True
    )
    with translation.override("en"):
        assert figure_display(claim) == "about 2.5 مليار دولار"
    with translation.override("ar"):
        assert figure_display(claim) == "نحو 2٫5 مليار دولار"
    assert figure_display(Claim(statement="بلا رقم")) == ""


# --- filters -----------------------------------------------------------------------------------


def test_claims_with_a_figure_or_without(chief_in, figures):
    client = chief_in("en")
    assert statements(client.get(CLAIMS, {"figure": "yes"})) == sorted(
        c.statement for key, c in figures.items() if key != "none"
    )
    assert statements(client.get(CLAIMS, {"figure": "no"})) == ["ادعاء بلا رقم"]


@pytest.mark.parametrize(
    ("bounds", "found"),
    [
        ({"figure_min": "11000", "figure_max": "13000"}, ["12000", "range"]),
        ({"figure_min": "12,500"}, ["more"]),
        ({"figure_max": "10000"}, ["range"]),
        ({"figure_min": "60000"}, ["more"]),  # "more than 50,000" may reach it
        ({"figure_min": "١١٬٠٠٠", "figure_max": "١٢٠٠٠"}, ["12000", "range"]),
        ({"figure_min": "200", "figure_max": "300"}, []),
    ],
)
def test_the_figure_range_takes_claims_whose_figure_overlaps_it(chief_in, figures, bounds, found):
    response = chief_in("en").get(CLAIMS, bounds)
    assert response.status_code == 200
    assert statements(response) == sorted(figures[key].statement for key in found)


def test_a_bound_that_is_not_a_number_is_named_and_left_out(chief_in, figures):
    response = chief_in("en").get(CLAIMS, {"figure_min": "abc", "figure_max": "11000"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "“abc” is not a number: the figure range&#x27;s lower bound was left out." in html
    assert 'value="abc"' in html and 'aria-invalid="true"' in html
    # The upper bound still applies: only the range reaches down to 11,000.
    assert statements(response) == [figures["range"].statement]


def test_a_range_upside_down_is_named_and_left_out(chief_in, figures):
    response = chief_in("ar").get(CLAIMS, {"figure_min": "20000", "figure_max": "100"})
    assert response.status_code == 200
    assert "أقل من حدّه الأدنى" in response.content.decode()
    assert statements(response) == sorted(c.statement for c in figures.values())


@pytest.mark.parametrize("text", ["abc", "", "1e999", "NaN", "Infinity", "12..0", "1" * 20])
def test_parse_bound_refuses_what_is_no_figure(text):
    with pytest.raises(ValueError):
        parse_bound(text)


@pytest.mark.parametrize(
    ("text", "number"),
    [("12000", 12000), ("12,000", 12000), ("١٢٬٠٠٠", 12000), ("2٫5", Decimal("2.5"))],
)
def test_parse_bound_reads_how_editors_type_numbers(text, number):
    assert parse_bound(text) == number


def test_the_public_filter_and_the_outlet_filter(chief_in, make_article, make_claim, appear):
    public, draft = make_article(), make_article("مسودة", status=Article.Status.DRAFT, url="x:")
    seen, unseen = make_claim("ادعاء منشور"), make_claim("ادعاء في مسودة")
    appear(seen, public, "وقع كيم جونغ أون")
    appear(unseen, draft, "وقع كيم جونغ أون")
    client = chief_in("en")

    assert statements(client.get(CLAIMS, {"public": "yes"})) == ["ادعاء منشور"]
    assert statements(client.get(CLAIMS, {"public": "no"})) == ["ادعاء في مسودة"]
    outlet = {"appearances__article__source__id__exact": public.source_id}
    assert statements(client.get(CLAIMS, outlet)) == ["ادعاء في مسودة", "ادعاء منشور"]


# --- direction ---------------------------------------------------------------------------------


def test_the_english_article_form_lets_arabic_run_right_to_left(chief_in, make_article):
    article = make_article()
    html = chief_in("en").get(reverse("admin:archive_article_change", args=[article.pk]))
    html = html.content.decode()
    assert 'lang="en"' in html
    for name, direction in (("title", "rtl"), ("lead", "rtl"), ("body", "rtl"), ("author", "auto")):
        tag = html[html.index(f'name="{name}"') - 200 : html.index(f'name="{name}"') + 200]
        assert f'dir="{direction}"' in tag, name
    status = html[html.index('name="status"') - 100 : html.index('name="status"') + 100]
    assert 'dir="auto"' not in status  # a choice, not writing


def test_an_article_text_takes_its_language_direction_not_its_first_letter(chief_in, make_article):
    # An Arabic body opening with a Latin dateline still runs right to left; an English
    # article's texts run left to right in the Arabic admin; a new article is Arabic.
    article = make_article(body="Pyongyang, Nordkorea - قالت الوكالة إن الجنود وصلوا.")
    english = make_article(
        title="Troops arrive", body="The agency said troops arrived.", language="en"
    )

    def body_tag(html):
        return html[html.index('name="body"') - 200 : html.index('name="body"') + 200]

    client = chief_in("ar")
    html = client.get(reverse("admin:archive_article_change", args=[article.pk])).content.decode()
    assert 'dir="rtl"' in body_tag(html)
    html = client.get(reverse("admin:archive_article_change", args=[english.pk])).content.decode()
    assert 'dir="ltr"' in body_tag(html)
    html = client.get(reverse("admin:archive_article_add")).content.decode()
    assert 'dir="rtl"' in body_tag(html)


def test_the_claim_form_and_its_inlines_too(chief_in, make_claim):
    claim = make_claim()
    html = chief_in("en").get(reverse("admin:archive_claim_change", args=[claim.pk]))
    html = html.content.decode()
    for name in ("statement", "verdict_note", "verdict_change_note", "appearances-0-quote"):
        tag = html[html.index(f'name="{name}"') - 200 : html.index(f'name="{name}"') + 200]
        assert 'dir="auto"' in tag, name


def test_the_claim_list_statement_cell_has_its_own_direction_in_english(chief_in, make_claim):
    make_claim("قال المتحدث إن الجنود وصلوا.")
    html = chief_in("en").get(CLAIMS).content.decode()
    assert '<span dir="auto" class="clamp">قال المتحدث إن الجنود وصلوا.</span>' in html
