"""Arabic search: a table of (query → the articles it must find, exactly) over the seed archive
and small articles built for each rule of archive/search.py, then the query language,
ranking, snippets, suggestions and claims."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection

from archive import search
from archive.models import Article, Claim, Source, Tag, TagAlias
from archive.tests.conftest import empty_archive

T0 = "north-korea-ratifies-mutual-defence-treaty-with-russia"
T1 = "north-korea-vows-unwavering-support-for-russia-in-ukraine-war"
T2 = "nato-north-korean-troops-in-ukraine-would-be-significant-escalation"
T3 = "russian-parliament-ratifies-security-treaty-with-north-korea"
T4 = "russia-steps-up-attacks-on-ukrainian-cities-zelensky-announces-drone-deals"
T5 = "us-confirms-north-korean-troops-fighting-alongside-russia-in-kursk"
PYONGYANG = {T0, T1, T2, T3, T5}

# Small articles, one or two rules each; the words are absent from the seed articles.
BUILT = {
    "tashkeel": ("خطة جديدة", "أعلن الوَزِيرُ الجَدِيدُ خُطَّتَهُ لإصلاحِ التَّعْلِيمِ."),
    "superscript": ("نص", "قرأ الإمام سورة الرحمٰن في صلاة الفجر."),
    "tatweel": ("قوات", "انتشر الجـــنود الأمميـــون في المنطقة العازلة."),
    "alef": ("وفد", "زار إسرائيل وفدٌ من آسيا برئاسة أحمد ولقي إيرادات ضعيفة."),
    "alef-plain": ("وفد آخر", "زار اسرائيل وفد برئاسة احمد."),
    "yeh": ("إسعاف", "نُقل المصاب إلى مستشفى الشفاء في المدينة."),
    "yeh-plain": ("إسعاف آخر", "نقل الجرحى إلى المستشفي الميداني."),
    "marbuta": ("موازنة", "ناقشت الحكومه الموازنه العامه للدولة."),
    "marbuta-plural": ("حكومات", "اجتمعت حكومات المنطقة لبحث الموازنات."),
    "hamza-waw": ("لاجئون", "صرّح مسؤول في شؤون اللاجئين بأن الوضع صعب."),
    "hamza-yeh": ("هجرة", "قال مسئول عن شئون الهجرة إن الأعداد تتزايد."),
    "digits": ("انتخابات", "شهدت انتخابات عام ٢٠٢٢ مشاركة ۱۵۰۰۰ ناخب في الدائرة."),
    "thousands-comma": ("سلال", "تم توزيع 25,000 سلة غذائية على الأسر."),
    "thousands-arabic": ("سلال أخرى", "تم توزيع ٢٥٬٠٠٠ سلة غذائية في الشمال."),
    "thousands-plain": ("سلال ثالثة", "وصلت 25000 سلة غذائية إلى الجنوب."),
    "presentation": ("مخيم", "ﻻﺟﺌﻮﻥ ﻓﻲ ﺍﻟﻤﺨﻴﻢ ﻳﻨﺘﻈﺮﻭﻥ ﺍﻟﻤﺴﺎﻋﺪﺍﺕ"),
    "latin": ("بيان مشترك", "Statement by NATO and the OSCE on monitoring missions."),
    "clitics": (
        "نتائج",
        "وبالانتخابات البلدية فاز الحزب، وللمرشحين المستقلين كالعادة حظوظ، فالنتائج مفاجئة.",
    ),
    "macron": ("اجتماع", "عقد ماكرون اجتماعا مطولا في الإليزيه."),
    "macron-li": ("رسالة", "وجه الوزير رسالة لماكرون بشأن الميزانية."),
    "macron-wa": ("تصريح", "وماكرون قال إن الإصلاح ضروري."),
    "france": ("زيارة", "قام الوفد بزيارة إلى فرنسا لبحث التعاون."),
    "french": ("موقف", "جاء الموقف الفرنسي من الأزمة متحفظا."),
    "engineers": ("مهندسون", "احتج المهندسون على قرار الوزارة."),
    "engineers-2": ("نقابة", "طالبت نقابة المهندسين بزيادة الأجور."),
    "teacher": ("مدرسة", "كرّمت المدرسة المعلمة المتميزة."),
    "teacher-2": ("مدرسة أخرى", "قال معلم في المدرسة إن الطلاب متفوقون."),
}


def built(key):
    return f"built-{key}"


def build_case_archive():
    """The seed archive plus the small articles (also used by bench/search_quality.py)."""
    call_command("loaddata", "seed", verbosity=0)
    outlet = Source.objects.create(name="Test Outlet", slug="test-outlet")
    base = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    for n, (key, (title, body)) in enumerate(BUILT.items()):
        Article.objects.create(
            title=title,
            body=body,
            slug=built(key),
            source=outlet,
            published_at=base + dt.timedelta(days=n),
            status=Article.Status.PUBLISHED,
        )
    search.refresh_vocabulary()


@pytest.fixture(scope="module")
def archive(django_db_setup, django_db_blocker):
    """The case archive, committed for the whole module."""
    with django_db_blocker.unblock():
        build_case_archive()
        yield
        empty_archive()


@pytest.fixture
def db_archive(archive, db):
    return None


def found(query):
    return {a.slug for a in Article.objects.published().search(query)}


B = built
CASES = [
    # 1. tashkeel, superscript alef, tatweel
    ('"الوزير الجديد"', {B("tashkeel")}),
    ("التعليم", {B("tashkeel")}),
    ('"الْوَزِيرُ الْجَدِيدُ"', {B("tashkeel")}),
    ("الرحمن", {B("superscript")}),
    ('"الجنود الأمميون"', {B("tatweel")}),
    ("أممي", {B("tatweel"), T2, T3, T5}),  # the adjective meets الأمم (المتحدة)
    # 2. alef forms
    ("اسرائيل", {B("alef"), B("alef-plain")}),
    ("إسرائيل", {B("alef"), B("alef-plain")}),
    ("احمد", {B("alef"), B("alef-plain")}),
    ("آسيا", {B("alef"), T3}),
    ("ايرادات", {B("alef")}),
    # 3. alef maqsura, teh marbuta
    ("مستشفى", {B("yeh"), B("yeh-plain")}),
    ("مستشفي", {B("yeh"), B("yeh-plain")}),
    ("المستشفى الميداني", {B("yeh-plain")}),
    ("الحكومة", {B("marbuta"), B("marbuta-plural")}),
    ("الموازنة العامة", {B("marbuta")}),
    # 4. hamza on waw and yeh
    ("مسؤول", {B("hamza-waw"), B("hamza-yeh"), T1}),
    ("مسئول عن شئون", {B("hamza-yeh"), B("hamza-waw")}),
    ("شؤون اللاجئين", {B("hamza-waw")}),
    # 5. digits and thousands separators
    ("2022", {B("digits"), T5}),
    ("٢٠٢٢", {B("digits"), T5}),
    ("15000", {B("digits")}),
    ("۱۵۰۰۰ ناخب", {B("digits")}),
    ("25000", {B("thousands-comma"), B("thousands-arabic"), B("thousands-plain")}),
    ("25,000", {B("thousands-comma"), B("thousands-arabic"), B("thousands-plain")}),
    ("٢٥٬٠٠٠ سلة", {B("thousands-comma"), B("thousands-arabic"), B("thousands-plain")}),
    ("25،000", {B("thousands-comma"), B("thousands-arabic"), B("thousands-plain")}),
    ("10000 جندي", {T1}),
    # 6. presentation forms and lam-alef ligatures
    ("لاجئون في المخيم", {B("presentation")}),
    ("المساعدات", {B("presentation"), T0, T1, T2, T5}),  # مساعدة, لمساعدة
    ("ﺍﻟﻤﺨﻴﻢ", {B("presentation")}),
    # 7. Latin case
    ("nato osce", {B("latin")}),
    ("NATO", {B("latin"), T0, T1, T2}),
    # 8. proclitics و ف ب ك ل ال وال بال فال كال لل
    ("الانتخابات البلدية", {B("clitics")}),
    ("انتخابات", {B("clitics"), B("digits")}),
    ("المرشحين", {B("clitics")}),
    ("العادة", {B("clitics")}),
    ("النتائج المفاجئة", {B("clitics")}),
    ("والجنود", {T0, T2, T3, T5, B("tatweel")}),
    # 9. suffixes ات ون ين ان ة
    ("المهندسين", {B("engineers"), B("engineers-2")}),
    ("مهندسون", {B("engineers"), B("engineers-2")}),
    ("معلم", {B("teacher"), B("teacher-2")}),
    ("المعلمة", {B("teacher"), B("teacher-2")}),
    ("حكومات", {B("marbuta"), B("marbuta-plural")}),
    ("موازنات", {B("marbuta"), B("marbuta-plural")}),
    # 10. names with clitics; what the stock configuration gets wrong
    ("ماكرون", {B("macron"), B("macron-li"), B("macron-wa")}),
    ("لماكرون", {B("macron"), B("macron-li"), B("macron-wa")}),
    ("وماكرون", {B("macron"), B("macron-li"), B("macron-wa")}),
    ("بوتين", {T0, T2, T3, T5, B("macron")} - {B("macron")}),
    ("فرنسا", {B("france"), B("french")}),
    ("الفرنسي", {B("france"), B("french")}),
    ("وزير", {T1, T2, T3, B("tashkeel"), B("macron-li")}),
    # 11. names spelled several ways: a tag's aliases
    ("بيونج يانج", PYONGYANG),
    ("بيونغ يانغ", PYONGYANG),
    ("Pyongyang", PYONGYANG),
    ("pyongyang", PYONGYANG),
    ("الناتو", {T0, T1, T2, B("latin")}),
    ("حلف شمال الأطلسي", {T0, T1, T2, B("latin")}),
    ("كيم جونج أون", {T0, T1, T2}),
    ("Kim Jong Un", {T0, T1, T2}),
    # 12. precision
    ("خاركيف", {T4}),
    ("كورسك", {T0, T5}),
    ("لويد أوستن", {T3}),
    ("روتي", {T2}),
    ("زابوريجيا ونيكولاييف", {T4}),
    # 13. the query language
    ('"الرئيس الروسي فلاديمير بوتين"', {T0, T2, T5}),
    ('"بوتين الرئيس"', set()),
    ("ماكرون OR فرنسا", {B("macron"), B("macron-li"), B("macron-wa"), B("france"), B("french")}),
    (
        "ماكرون أو المهندسين",
        {B("macron"), B("macron-li"), B("macron-wa"), B("engineers"), B("engineers-2")},
    ),
    ("ماكرون -الإليزيه", {B("macron-li"), B("macron-wa")}),
    ('بيونغ يانغ -"الرئيس الروسي"', {T1, T3}),
    ("كورسك -زيلينسكي", set()),
]


@pytest.mark.parametrize(("query", "expected"), CASES, ids=[q for q, _ in CASES])
def test_query_finds_exactly(db_archive, query, expected):
    results = found(query)
    assert results == expected, f"{query}: extra {results - expected}, missing {expected - results}"


def test_the_table_covers_enough_cases():
    assert len(CASES) >= 60


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "في من على",
        "!!! ... ،،،",
        "-",
        "--",
        "OR",
        "OR OR ماكرون OR",
        '"',
        '"""',
        '"ماكرون',
        'ماكرون"',
        "((ماكرون",
        "ماكرون)))",
        ":*",
        "ماكرون:*",
        "&|!<->",
        "ماكرون & فرنسا | !<-> (",
        "'",
        "\\",
        "\x00ماكرون\x00",
        "ماكرون" * 400,
        "كلمة " * 400,
        "😀 ماكرون 🇫🇷",
        "ماكرونmacron",
        "مـ😀ـاكرون",
        "<script>alert(1)</script>",
        "-ماكرون",
        '-"ماكرون فرنسا"',
        "%",
        "_",
        "'; DROP TABLE archive_article; --",
    ],
)
def test_nothing_a_reader_types_raises(db_archive, query):
    results = Article.objects.published().search(query)
    list(results[:20])
    assert results.search_info is not None
    assert Article.objects.count() > 0


def test_only_stop_words_find_nothing_and_say_so(db_archive):
    results = Article.objects.published().search("في من على")
    assert results.search_info.mode == "none"
    assert not results.exists()


def test_emoji_and_mixed_scripts_still_search(db_archive):
    assert found("😀 ماكرون") == {B("macron"), B("macron-li"), B("macron-wa")}


def test_a_query_of_2000_characters_is_cut_not_refused(db_archive):
    assert found("ماكرون " + "x" * 2000) == {B("macron"), B("macron-li"), B("macron-wa")}


def test_an_alias_added_in_the_admin_takes_effect_at_once(db_archive):
    assert found("ماكغون") == set()
    tag = Tag.objects.create(kind=Tag.Kind.PERSON, name_ar="ماكرون", name_en="Macron")
    TagAlias.objects.create(tag=tag, name="ماكغون")
    assert found("ماكغون") == {B("macron"), B("macron-li"), B("macron-wa")}


def test_every_word_must_match_then_any_word_as_a_fallback(db_archive):
    results = Article.objects.published().search("ماكرون خاركيف")
    assert results.search_info.mode == "any"
    assert {a.slug for a in results} == {T4, B("macron"), B("macron-li"), B("macron-wa")}
    assert Article.objects.published().search("ماكرون الإليزيه").search_info.mode == "all"


def test_drafts_are_never_searched(db_archive):
    outlet = Source.objects.get(slug="test-outlet")
    Article.objects.create(
        title="مسودة",
        body="كلمةسريةفريدة",
        source=outlet,
        status=Article.Status.DRAFT,
        published_at=dt.datetime(2024, 5, 1, tzinfo=dt.UTC),
    )
    assert found("كلمةسريةفريدة") == set()
    assert Article.objects.search("كلمةسريةفريدة").count() == 1  # the editors' side sees it


# --- ranking ---------------------------------------------------------------------------------


@pytest.fixture
def ranked(db_archive):
    outlet = Source.objects.get(slug="test-outlet")

    def make(slug, title="عنوان", lead="", body="نص", days=0):
        return Article.objects.create(
            slug=slug,
            title=title,
            lead=lead,
            body=body,
            source=outlet,
            status=Article.Status.PUBLISHED,
            published_at=dt.datetime(2023, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=days),
        )

    return make


def order(query, **kwargs):
    return [a.slug for a in Article.objects.published().search(query, **kwargs)]


def test_title_above_lead_above_body(ranked):
    ranked("in-body", body="تقرير عن البرتقال في الأسواق", days=3)
    ranked("in-title", title="البرتقال", days=1)
    ranked("in-lead", lead="البرتقال في الأسواق", days=2)
    assert order("البرتقال") == ["in-title", "in-lead", "in-body"]


def test_exact_form_above_stem_only(ranked):
    ranked("stem-only", body="ارتفعت أسعار البرتقال اليوم", days=2)
    ranked("exact", body="ارتفعت أسعار برتقال اليوم", days=1)
    assert order("برتقال") == ["exact", "stem-only"]


def test_closer_words_rank_higher(ranked):
    ranked("far", body="البرتقال " + "كلام " * 30 + "الليمون", days=2)
    ranked("near", body="البرتقال الليمون", days=1)
    assert order("البرتقال الليمون") == ["near", "far"]


def test_recency_breaks_ties(ranked):
    ranked("older", body="البرتقال", days=1)
    ranked("newer", body="البرتقال", days=5)
    assert order("البرتقال") == ["newer", "older"]


def test_sort_by_date(ranked):
    ranked("older", title="البرتقال", days=1)
    ranked("newer", body="البرتقال", days=5)
    assert order("البرتقال", sort="newest") == ["newer", "older"]
    assert order("البرتقال", sort="oldest") == ["older", "newer"]


# --- snippets --------------------------------------------------------------------------------


def test_snippet_marks_the_original_words(db_archive):
    article = Article.objects.published().search('"الوزير الجديد"').get()
    assert "<mark>الوَزِيرُ</mark> <mark>الجَدِيدُ</mark>" in article.snippet


def test_snippet_marks_a_phrase_only_where_it_stands_together(db_archive):
    article = Article.objects.published().search("الناتو").get(slug=T2)
    assert "<mark>لحلف</mark> <mark>شمال</mark> <mark>الأطلسي</mark>" in article.snippet
    assert "<mark>شماليين</mark>" not in article.snippet


@pytest.mark.parametrize(
    "query, text, marked",
    [
        ("الوزير", "قال الوَزِيرُ أمس", "الوَزِيرُ"),  # marks between the letters
        ("الوزير", "قال الوزيـــر أمس", "الوزيـــر"),  # tatweel
        ("مستشفى", "في مستشفي المدينة", "مستشفي"),  # alef maqsura / yeh
        ("الرئيس", "قال الرءيس أمس", "الرءيس"),  # hamza forms
        ("إسرائيل", "حكومة اسرائيل اليوم", "اسرائيل"),  # alef forms
        ("الحكومة", "بيان الحكومه الجديد", "الحكومه"),  # teh marbuta
        ("الأسبوع", "صحيفة الاسبوع", "الاسبوع"),
        ("كوريا", "زعيم کوريا", "کوريا"),  # Persian kaf
        ("2024", "في عام ٢٠٢٤ وقع", "٢٠٢٤"),  # Arabic-Indic digits
        ("٢٠٢٤", "في عام 2024 وقع", "2024"),
        ("google", "شركة Google الأمريكية", "Google"),  # case
        ("لبوتين", "قال بوتين إن", "بوتين"),  # a proclitic's reading
    ],
)
def test_snippet_finds_a_word_in_any_of_its_written_forms(query, text, marked):
    """Snippets look for the query's stems in the text as it is written: every form that the
    index folds together is marked, with its marks and tatweel kept."""
    info = search.SearchInfo(search.parse_query(query))
    assert f"<mark>{marked}</mark>" in search.highlight(text, info.patterns)


def test_snippet_marks_nothing_that_only_looks_alike():
    info = search.SearchInfo(search.parse_query("الوزير"))
    assert search.highlight("قالت الوزارة والوزراء", info.patterns) == ""


def test_snippet_escapes_everything_else(ranked):
    ranked("html", body="<script>alert('x')</script> البرتقال & الليمون")
    article = Article.objects.published().search("البرتقال").get(slug="html")
    assert "<script>" not in article.snippet
    assert "&lt;script&gt;" in article.snippet
    assert "<mark>البرتقال</mark> &amp;" in article.snippet


def test_title_only_match_shows_the_opening_words(ranked):
    ranked("title-only", title="البرتقال", body="نص طويل عن موضوع آخر")
    article = Article.objects.published().search("البرتقال").get(slug="title-only")
    assert article.snippet == "نص طويل عن موضوع آخر"


# --- did you mean ----------------------------------------------------------------------------


def test_a_misspelling_gets_the_spelling_the_archive_has(db_archive):
    results = Article.objects.published().search("كوريا الشمالبة")
    suggestion = results.search_suggestion()
    assert suggestion["query"] == "كوريا الشماليه"  # the archive's word, normalised
    assert {"from": "الشمالبه", "to": "الشماليه"} in suggestion["corrections"]
    assert suggestion["count"] >= 4


def test_no_suggestion_when_the_spelling_is_fine(db_archive):
    assert Article.objects.published().search("خاركيف").search_suggestion() is None


def test_a_suggestion_never_comes_from_a_draft(db_archive):
    outlet = Source.objects.get(slug="test-outlet")
    Article.objects.create(
        title="مسودة",
        body="البرتقاليون",
        source=outlet,
        status=Article.Status.DRAFT,
        published_at=dt.datetime(2024, 5, 1, tzinfo=dt.UTC),
    )
    search.refresh_vocabulary()
    suggestion = Article.objects.published().search("البرتقاليوم").search_suggestion()
    assert suggestion is None or "البرتقاليون" not in suggestion["query"]


# --- claims ----------------------------------------------------------------------------------


def claims(query):
    return {c.slug for c in Claim.objects.published().search(query)}


def test_claims_are_found_by_their_wording(db_archive):
    assert "russia-50000-force-in-kursk-zelensky" in claims("50 ألف كورسك")


def test_claims_are_found_by_their_quotes(db_archive):
    # "قوة قوامها" is in the quote of the 50,000 claim as the article prints it.
    assert "russia-50000-force-in-kursk-zelensky" in claims('"جمعت قوة قوامها"')


def test_claims_are_found_by_their_claimant_and_its_aliases(db_archive):
    by_name = claims("روتي")
    assert "nato-cannot-yet-confirm-nk-troop-deployment-rutte" in by_name
    tag = Tag.objects.get(slug="mark-rutte")
    before = Claim.objects.published().search("مارك رته")
    assert before.search_info.mode == "any"  # only مارك matched: a fallback
    TagAlias.objects.create(tag=tag, name="مارك رته")
    after = Claim.objects.published().search("مارك رته")
    assert after.search_info.mode == "all"
    assert "nato-cannot-yet-confirm-nk-troop-deployment-rutte" in {c.slug for c in after}


def test_claims_of_draft_articles_are_not_found_by_their_quotes(db_archive):
    Article.objects.filter(slug=T4).update(status=Article.Status.DRAFT)
    assert claims("120 طائرة مسيرة") == set()


# --- the index -------------------------------------------------------------------------------


def test_the_search_condition_is_answered_by_the_gin_index(db_archive):
    """On six articles the planner rightly prefers a scan; forbidding it shows that the
    condition matches the index (docs/search.md has the plan on the 31,525-article corpus)."""
    tsquery = search.to_tsquery(search.parse_query("خاركيف"))
    matching = Article.objects.filter(search.matches(tsquery)).order_by().values("pk")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = matching.explain()
    assert "Bitmap Index Scan on article_search" in plan
