"""What a phrase finds: its words together, across a stop word, with a proclitic's reading, never
split over two fields. A two-word phrase is its pair (stem_stem) in pair_vector, one lookup of
its text index, and must find exactly what PostgreSQL's phrase operator finds."""

import pytest
from django.db import connection

from archive.models import Article

pytestmark = pytest.mark.django_db


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


def test_a_word_or_a_pair_reads_both_columns(articles):
    assert found('سافر OR "وزير الخارجية"') == {"reversed", "together"}
    assert found('"وزير الدفاع" OR "بوتين الجديدة"') == {"apart", "proclitic"}


def test_no_article_with_every_item_falls_back_to_any_of_them(articles):
    results = Article.objects.published().search('"وزير الخارجية" سافر')
    assert results.search_info.mode == "any"
    assert {a.title for a in results} == {"together", "reversed"}
