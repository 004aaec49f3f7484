"""What the analyser makes of a text besides its terms: adjacent words paired as one lexeme
(stem_stem), for each reading of a proclitic word, while the vector keeps the words alone.
Its terms (folds, stems, stop words) are the table of test_arabic_cases.py, held the same
in Python and SQL by test_parity.py."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def text_vectors(text):
    """(vector, pairs) of one text, as the trigger computes them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT vector::text, pairs FROM archive_text_vectors(%s, 'B')", [text])
        return cursor.fetchone()


def test_adjacent_words_are_paired_and_the_vector_keeps_the_words_alone():
    vector, pairs = text_vectors("وزير الخارجية في بيونغ يانغ")
    assert {"زير_خارج", "وزير_خارج", "بيونغ_يانغ"} <= set(pairs)
    assert "خارج_بيونغ" not in pairs  # not adjacent: a stop word stands between
    assert "_" not in vector and "'خارج':2B" in vector and "'يانغ':5B" in vector


def test_each_reading_of_a_proclitic_word_is_paired():
    _, pairs = text_vectors("لبوتين كلمة")
    assert {"لبوت_كلم", "بوت_كلم"} <= set(pairs)
