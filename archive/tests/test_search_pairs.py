"""Adjacent words are indexed as pairs (stem_stem), so that a two-word phrase is one lookup of
the text index: exact, with no recheck of the vectors. The pairs must find exactly what the
phrase operator finds."""

import pytest
from django.db import connection

from archive import search
from archive.models import Article

pytestmark = pytest.mark.django_db


def tsquery(text):
    return search.to_tsquery(search.parse_query(text))


def vector(text):
    with connection.cursor() as cursor:
        cursor.execute("SELECT archive_tsvector(%s, 'B')::text", [text])
        return cursor.fetchone()[0]


def test_adjacent_words_are_indexed_as_pairs_at_the_first_position():
    indexed = vector("وزير الخارجية في بيونغ يانغ")
    assert "'زير_خارج':1B" in indexed and "'وزير_خارج':1B" in indexed
    assert "'بيونغ_يانغ':4B" in indexed  # في is a stop word: its position stays empty
    assert "خارج_بيونغ" not in indexed  # not adjacent: a stop word stands between


def test_each_reading_of_a_proclitic_word_is_paired():
    indexed = vector("لبوتين كلمة")
    assert "'لبوت_كلم':1B" in indexed and "'بوت_كلم':1B" in indexed


def test_a_two_word_phrase_is_its_pair_alone():
    query = tsquery('"وزير الخارجية"')
    assert set(query.strip("()").split(" | ")) == {"'زير_خارج'", "'وزير_خارج'"}
    info = search.SearchInfo(search.parse_query('"وزير الخارجية"'))
    info.tsquery = query
    assert not search.has_phrase(info)  # no vector to recheck


def test_a_longer_phrase_keeps_the_phrase_and_adds_its_pairs():
    query = tsquery('"الرئيس الروسي فلاديمير"')
    assert "'رءيس_روس'" in query and "'روس_فلاديمير'" in query
    assert "<1>" in query


def test_words_apart_are_no_pair():
    query = tsquery('"وزير في الخارجية"')
    assert "_" not in query and "<2>" in query


@pytest.fixture
def articles(make_article):
    texts = {
        "together": "قال وزير الخارجية إن المحادثات مستمرة.",
        "apart": "قال وزير الدفاع إن الخارجية لم ترد.",
        "reversed": "أكدت الخارجية أن الوزير سافر.",
        "gap": "التقى وزير في الخارجية بالسفراء.",
        "proclitic": "وجه رسالة لبوتين الجديدة أمس.",
    }
    made = {key: make_article(key, body=text) for key, text in texts.items()}
    # The title's last word and the lead's first: next to each other for the phrase
    # operator (which sees one run of positions), not a pair (fields are indexed apart).
    made["fields"] = make_article("fields الوزير", lead="الخارجية ترد", body="نص آخر.")
    return made


def found(query):
    return {a.title for a in Article.objects.published().search(query)}


def phrase_operator_finds(words):
    """What PostgreSQL's phrase operator finds, for comparison."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT title FROM archive_article WHERE search_vector @@ %s::tsquery", [words]
        )
        return {row[0] for row in cursor.fetchall()}


def test_a_two_word_phrase_finds_the_words_together_only(articles):
    assert found('"وزير الخارجية"') == {"together"}
    assert phrase_operator_finds("(زير | وزير) <1> خارج") == {"together", "fields الوزير"}


def test_a_phrase_meets_a_proclitic_reading(articles):
    assert found('"بوتين الجديدة"') == {"proclitic"}


def test_a_phrase_across_a_stop_word_still_matches(articles):
    assert found('"وزير في الخارجية"') == {"gap"}


def test_a_negated_phrase_excludes_only_the_words_together(articles):
    assert found('وزير -"وزير الخارجية"') == {"apart", "reversed", "gap", "fields الوزير"}
