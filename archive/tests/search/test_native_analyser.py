"""The analyser in C (archive/search/native/) must index exactly as the SQL one: the same
vectors and pairs for every text, the same errors for texts a vector cannot hold. Where the
server cannot load it (the PostgreSQL server of CI's second run), the SQL one must be in use
instead."""

import importlib
import json
import shutil
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from archive import search
from archive.search import sql
from archive.tests.search.helpers import SEEDS, TRICKY, corpus_texts
from newsroom import embedded_db

pytestmark = pytest.mark.django_db

EDGES = [
    # more than 16,383 positions: PostgreSQL keeps the later ones at 16,383
    "الرئيس بوتين قال في " * 5_000,
    # one word more than 256 times: 256 positions kept
    "كلمة " * 20_000,
    # a word of 1,022 letters: 2,044 bytes, 2,045 with the exact-form mark, the most there is
    "ب" * 1_022,
    "abc def " * 70_000,
    "والله لبوتين 1,000 NATO ﻻﺟﺌﻮﻥ وبالانتخابات كالعادة",
    " ".join(f"{n:x}" for n in range(100_000, 140_000)),
]


def native_in_use():
    with connection.cursor() as cursor:
        return search.analyser_in_use(cursor) == "native"


def vectors(function, text, weight):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT vector::text, pairs FROM {function}(%s, %s)",
            [text, weight],
        )
        vector, pairs = cursor.fetchone()
    return vector, sorted(pairs)


@pytest.fixture
def native():
    if not native_in_use():
        pytest.skip("this server cannot load the native analyser; the SQL one is in use")


def test_the_embedded_server_analyses_natively():
    """`make venv` builds the library wherever there is a C compiler; on the embedded server,
    migrate must then have switched to it."""
    if connection.settings_dict["HOST"] != str(embedded_db.socket_dir()):
        pytest.skip("not the embedded server")
    if shutil.which("cc") is None:
        pytest.skip("no C compiler here: the SQL analyser is the one to use")
    assert native_in_use()


@pytest.mark.parametrize("text", TRICKY + EDGES)
@pytest.mark.parametrize("weight", ["A", "C"])
def test_native_and_sql_vectors_agree(native, text, weight):
    expected = vectors("archive_text_vectors_sql", text, weight)
    assert vectors("archive_text_vectors_native", text, weight) == expected
    assert vectors("archive_text_vectors", text, weight) == expected


def test_native_and_sql_agree_on_the_seed_articles(native):
    for item in json.loads(Path(SEEDS).read_text()):
        if item["model"] == "archive.article":
            for field, weight in (("title", "A"), ("lead", "B"), ("body", "C")):
                text = item["fields"][field]
                assert vectors("archive_text_vectors_native", text, weight) == vectors(
                    "archive_text_vectors_sql", text, weight
                ), item["fields"]["slug"]


def test_native_and_sql_agree_on_real_articles(native):
    texts = corpus_texts(150)
    if not texts:
        pytest.skip("the corpus is not beside the project")
    for text in texts:
        assert vectors("archive_text_vectors_native", text, "C") == vectors(
            "archive_text_vectors_sql", text, "C"
        )


def outcome(function, text, weight):
    """The vectors, or the error's first line."""
    try:
        with transaction.atomic():
            return vectors(function, text, weight)
    except DatabaseError as error:
        return str(error).splitlines()[0]


@pytest.mark.parametrize(
    "text, weight, message",
    [
        # 2,047 bytes with the mark: too long for PostgreSQL 18, not for 15 (the limit moved)
        ("ب" * 1_023, "A", None),
        ("ا" * 3_000, "B", "word is too long"),
        (" ".join(f"{n:08x}{n:08x}" for n in range(40_000)), "C", "string is too long"),
        ("كلمة", "X", "unrecognized weight"),
    ],
)
def test_native_and_sql_refuse_the_same_texts(native, text, weight, message):
    expected = outcome("archive_text_vectors_sql", text, weight)
    assert outcome("archive_text_vectors_native", text, weight) == expected
    if message:
        assert message in expected


def test_an_article_is_indexed_as_the_sql_analyser_indexes_it(make_article):
    """Through the trigger, whichever analyser it calls."""
    article = make_article(
        title="لبوتين والرئيس الكوري", lead="قمة في بيونغ يانغ", body="والجنود بالانتخابات " * 50
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.search_vector = t.vector || l.vector || b.vector,"
            " a.rank_vector = t.vector || l.vector,"
            " a.pair_vector = array_to_tsvector(t.pairs || l.pairs || b.pairs)"
            " FROM archive_article a,"
            " archive_text_vectors_sql(a.title, 'A') t, archive_text_vectors_sql(a.lead, 'B') l,"
            " archive_text_vectors_sql(a.body, 'C') b WHERE a.id = %s",
            [article.pk],
        )
        assert cursor.fetchone() == (True, True, True)


def test_a_server_that_cannot_load_it_falls_back_to_sql(monkeypatch):
    # Where use_native_analyser reads it (archive/search/sql.py), not the package's re-export.
    monkeypatch.setattr(
        sql, "NATIVE_SQL", sql.NATIVE_SQL.replace("archive_analyser'", "archive_nowhere'")
    )
    assert search.use_native_analyser(connection) is False
    assert not native_in_use()
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regproc('archive_text_vectors_native')")
        assert cursor.fetchone()[0] is None
    text = TRICKY[5]
    assert vectors("archive_text_vectors", text, "A") == vectors(
        "archive_text_vectors_sql", text, "A"
    )


def test_a_database_migrated_to_before_the_split_is_left_alone():
    """`migrate archive 0016` puts back the SQL analyser of migration 0014; the switch that
    runs after every migrate must leave it so, not point it at functions that are gone."""
    previous = importlib.import_module("archive.migrations.0014_search_pair_vector")
    with connection.cursor() as cursor:
        cursor.execute("SELECT quote_ident(current_schema())")
        schema = cursor.fetchone()[0]
        cursor.execute(previous.SQL.replace("@schema@", schema))
        cursor.execute('DROP FUNCTION archive_text_vectors_sql(text, "char")')
        cursor.execute('DROP FUNCTION IF EXISTS archive_text_vectors_native(text, "char")')
        assert search.use_native_analyser(connection) is False
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'archive_text_vectors'")
        assert "archive_terms" in cursor.fetchone()[0]
        cursor.execute("SELECT (archive_text_vectors('لبوتين', 'A')).vector::text")
        assert cursor.fetchone()[0] == "'=لبوتين':1A 'بوت':1A 'لبوت':1A"
