"""Adjacent words are indexed as pairs (stem_stem) in an article's pair_vector, so that a
two-word phrase is one lookup of its text index: exact, with no recheck of the vectors. The
pairs must find exactly what the phrase operator finds; search_vector keeps the words alone.
The three search columns are kept by a trigger that analyses each text once."""

import pytest
from django.core import serializers
from django.db import connection

from archive import search
from archive.models import Article

pytestmark = pytest.mark.django_db


def text_vectors(text):
    """(vector, pairs) of one text, as the trigger computes them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT vector::text, pairs FROM archive_text_vectors(%s, 'B')", [text])
        return cursor.fetchone()


def stored(article, *columns):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(f'{c}::text' for c in columns)} FROM archive_article WHERE id = %s",
            [article.pk],
        )
        return cursor.fetchone()


def condition(text, **options):
    return search.condition(search.parse_query(text), **options)


def test_adjacent_words_are_paired_and_the_vector_keeps_the_words_alone():
    vector, pairs = text_vectors("وزير الخارجية في بيونغ يانغ")
    assert {"زير_خارج", "وزير_خارج", "بيونغ_يانغ"} <= set(pairs)
    assert "خارج_بيونغ" not in pairs  # not adjacent: a stop word stands between
    assert "_" not in vector and "'خارج':2B" in vector and "'يانغ':5B" in vector


def test_each_reading_of_a_proclitic_word_is_paired():
    _, pairs = text_vectors("لبوتين كلمة")
    assert {"لبوت_كلم", "بوت_كلم"} <= set(pairs)


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


def test_a_two_word_phrase_is_its_pair_alone():
    node = condition('"وزير الخارجية"')
    assert node[:2] == ("leaf", search.PAIRS)
    assert set(node[2].strip("()").split(" | ")) == {"'زير_خارج'", "'وزير_خارج'"}
    info = search.SearchInfo(search.parse_query('"وزير الخارجية"'), columns=COLUMNS)
    assert not search.has_phrase(info)  # no vector to recheck


COLUMNS = {search.WORDS: "search_vector", search.PAIRS: "pair_vector"}


def test_a_longer_phrase_asks_its_pairs_and_the_phrase():
    node = condition('"الرئيس الروسي فلاديمير"')
    leaves = dict((column, query) for _, column, query in search.condition_leaves(node))
    assert node[0] == "and"
    assert "'رءيس_روس'" in leaves[search.PAIRS] and "'روس_فلاديمير'" in leaves[search.PAIRS]
    assert "<1>" in leaves[search.WORDS]
    info = search.SearchInfo(search.parse_query('"الرئيس الروسي فلاديمير"'), columns=COLUMNS)
    assert search.has_phrase(info)
    loose = condition('"الرئيس الروسي فلاديمير" -بوتين', index_only=True)
    loose_leaves = search.condition_leaves(loose)
    assert all("<" not in q and "!" not in q for _, _, q in loose_leaves)  # indexes alone


def test_words_apart_are_no_pair():
    node = condition('"وزير في الخارجية"')
    assert node[:2] == ("leaf", search.WORDS) and "<2>" in node[2] and "_" not in node[2]


def test_words_and_pairs_are_each_one_lookup_of_their_column():
    node = condition('روسيا "وزير الخارجية" كوريا -"كيم جونغ"')
    leaves = search.condition_leaves(node)
    assert node[0] == "and" and sorted(column for _, column, _ in leaves) == [
        search.PAIRS,
        search.WORDS,
    ]
    words = next(q for _, c, q in leaves if c == search.WORDS)
    pairs = next(q for _, c, q in leaves if c == search.PAIRS)
    assert "روس" in words and "كور" in words
    assert "زير_خارج" in pairs and "!(" in pairs and "كيم_جونغ" in pairs


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


def test_a_loose_phrase_beside_an_or_is_its_words_alone():
    """Within an OR, a longer phrase's loose form is its words alone: an OR of single lookups
    is what the indexes answer exactly. ANDed with the rest, it keeps its pairs too."""

    def kinds(node):
        return [node[0]] + (
            [k for child in node[1] for k in kinds(child)] if node[0] != "leaf" else []
        )

    in_or = condition('"حلف شمال الأطلسي" OR "مجلس الأمن"', index_only=True)
    assert "and" not in kinds(in_or) and "not" not in kinds(in_or)
    assert {column for _, column, _ in search.condition_leaves(in_or)} == {
        search.WORDS,
        search.PAIRS,
    }
    alone = condition('"حلف شمال الأطلسي"', index_only=True)
    assert alone[0] == "and" and "<" not in str(alone)
    exact = condition('"حلف شمال الأطلسي" OR "مجلس الأمن"')
    assert "and" in kinds(exact) and "<1>" in str(exact)


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
