"""Snippets (snippets.py): the matched words marked in the text as it is written, in every form
the index folds together, a phrase only where its words stand together, the rest escaped."""

import pytest

from archive import search
from archive.models import Article
from archive.tests.search.case_archive import T2


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
