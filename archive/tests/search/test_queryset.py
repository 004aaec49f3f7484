"""The search as a QuerySet method (queryset.py): it searches the rows it is called on (from
published(), never a draft), says in search_info.mode what it did, and when no row has every
word, searches for any of them. Pages of many results: test_execution.py."""

import datetime as dt

from archive.models import Article, Source
from archive.tests.search.case_archive import T4, B, found


def test_only_stop_words_find_nothing_and_say_so(db_archive):
    results = Article.objects.published().search("في من على")
    assert results.search_info.mode == "none"
    assert not results.exists()


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
