"""An article's three search columns (search_vector, rank_vector, pair_vector): kept by a trigger
that analyses each text once, stored so that a search reads them cheaply (uncompressed, the
quick rank's vector in the row, the planner's statistics wide), and never read by pages,
lists, forms, fixtures or exports."""

import pytest
from django.core import serializers
from django.db import connection

from archive.models import Article

pytestmark = pytest.mark.django_db


def stored(article, *columns):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(f'{c}::text' for c in columns)} FROM archive_article WHERE id = %s",
            [article.pk],
        )
        return cursor.fetchone()


def test_the_trigger_fills_the_three_columns_from_one_analysis(make_article):
    article = make_article("الوزير الجديد", lead="الخارجية ترد", body="قال وزير الخارجية.")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_vector = archive_article_vector(title, lead, body),"
            " rank_vector = archive_tsvector(title, 'A') || archive_tsvector(lead, 'B'),"
            " pair_vector = archive_article_pairs(title, lead, body),"
            " length(pair_vector) > 0 FROM archive_article WHERE id = %s",
            [article.pk],
        )
        assert cursor.fetchone() == (True, True, True, True)
    (pairs,) = stored(article, "pair_vector")
    assert "'وزير_خارج'" in pairs and "'جديد_خارج'" not in pairs  # no pair across fields
    assert ":" not in pairs  # lexemes alone: no positions, no weights


def test_the_columns_follow_the_texts_and_nothing_else(make_article):
    article = make_article("عنوان", body="قال وزير الخارجية.")
    before = stored(article, "search_vector", "rank_vector", "pair_vector")
    # Whatever else is written, even to the columns themselves, leaves them as they are.
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT, search_vector="")
    assert stored(article, "search_vector", "rank_vector", "pair_vector") == before
    article.refresh_from_db()
    article.body = "وزير الدفاع في الخارج."
    article.save()
    search_vector, pair_vector = stored(article, "search_vector", "pair_vector")
    assert "'دفاع'" in search_vector and "'=الخارجيه'" not in search_vector
    assert "'وزير_دفاع'" in pair_vector and "'وزير_خارج'" not in pair_vector


def test_articles_are_read_without_their_search_columns(make_article):
    """The search columns hold every term of the text: pages, lists and forms never load
    them, and fixtures and exports never carry them (the trigger makes them anew)."""
    article = make_article("عنوان", body="قال وزير الخارجية.")
    columns = ("search_vector", "rank_vector", "pair_vector")
    sql = str(Article.objects.published().query)
    assert "archive_article" in sql and not any(column in sql for column in columns)
    (found,) = Article.objects.published().search("وزير")
    assert set(columns) <= found.get_deferred_fields()
    fetched = Article.objects.get(pk=article.pk)
    assert set(columns) <= fetched.get_deferred_fields()
    dumped = serializers.serialize("json", [fetched])
    assert "عنوان" in dumped and not any(column in dumped for column in columns)
    fetched.title = "عنوان جديد"
    fetched.save()
    (search_vector,) = stored(article, "search_vector")
    assert "'جديد'" in search_vector


@pytest.mark.parametrize("column", ["rank_vector", "search_vector"])
def test_the_vectors_a_search_reads_are_stored_uncompressed(make_article, column):
    """A search reads rank_vector for up to 1,000 articles and search_vector for the best 200
    (and for phrases and walks): both are kept uncompressed (migrations 0012 and 0015), so
    that no value is decompressed to be ranked or tested."""
    from django.db import connection

    article = make_article("البرتقال", lead="الليمون الأخضر " * 300, body="التفاح الأحمر " * 600)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute WHERE attrelid = 'archive_article'::regclass"
            " AND attname = %s",
            [column],
        )
        assert cursor.fetchone()[0] == "e"
        # A vector that pglz would shrink (the same words over and over) is stored whole.
        cursor.execute(
            f"SELECT pg_column_size({column}), pg_column_compression({column}),"
            f" pg_column_size({column}::text::tsvector) FROM archive_article WHERE id = %s",
            [article.pk],
        )
        stored, compression, whole = cursor.fetchone()
        assert compression is None
        assert stored >= whole - 8  # its header may be shorter; pglz: 40%


def test_the_planner_keeps_ten_thousand_common_terms():
    """Terms outside the planner's list of common terms are estimated at a fixed 0.5% of the
    articles; the search chooses its way by the estimate (migration 0013)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstattarget FROM pg_attribute WHERE attrelid = 'archive_article'::regclass"
            " AND attname = 'search_vector'"
        )
        assert cursor.fetchone()[0] == 1000  # ten elements kept per unit of target


def test_the_quick_rank_vector_is_kept_in_the_row(make_article):
    """rank_vector stays in the table's row (migration 0016), where the quick rank reads it
    for up to 1,000 articles, while the whole text's vectors go out of line."""
    from django.db import connection

    lead = " ".join(f"الكلمة{n}" for n in range(60))
    article = make_article("البرتقال", lead=lead, body="التفاح الأحمر " * 600)
    with connection.cursor() as cursor:
        if connection.pg_version < 170000:
            pytest.skip("pg_column_toast_chunk_id() tells where a value is from PostgreSQL 17")
        cursor.execute(
            "SELECT pg_column_size(rank_vector), pg_column_toast_chunk_id(rank_vector),"
            " pg_column_toast_chunk_id(search_vector) FROM archive_article WHERE id = %s",
            [article.pk],
        )
        size, rank_chunk, search_chunk = cursor.fetchone()
    assert 2_000 < size < 3_500  # out of line at the default target (~2 kB a row)
    assert rank_chunk is None and search_chunk is not None
