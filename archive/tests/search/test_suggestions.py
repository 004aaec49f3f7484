"""Did you mean (suggestions.py): a better spelling from the vocabulary of the published
articles, offered for a query that finds few results."""

import datetime as dt

from archive import search
from archive.models import Article, Source


def test_a_misspelling_gets_the_spelling_the_archive_has(db_archive):
    results = Article.objects.published().search("كوريا الشمالبة")
    suggestion = results.search_suggestion()
    # The reader's words as typed, the correction as the archive's articles write it (the
    # vocabulary holds the normalised الشماليه).
    assert suggestion["query"] == "كوريا الشمالية"
    assert {"from": "الشمالبة", "to": "الشمالية"} in suggestion["corrections"]
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
