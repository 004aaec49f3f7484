"""A reader's query (query.py): whatever it holds is searched without an error, and it becomes
tsqueries and a condition tree over the two columns, words and pairs, which the text indexes
answer. What a phrase finds: test_phrases.py."""

import pytest
from django.db import connection

from archive import search
from archive.models import Article
from archive.tests.search.case_archive import B, found

# --- what a reader types -------------------------------------------------------------------------


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


def test_emoji_and_mixed_scripts_still_search(db_archive):
    assert found("😀 ماكرون") == {B("macron"), B("macron-li"), B("macron-wa")}


def test_a_query_of_2000_characters_is_cut_not_refused(db_archive):
    assert found("ماكرون " + "x" * 2000) == {B("macron"), B("macron-li"), B("macron-wa")}


# --- the condition tree --------------------------------------------------------------------------


def condition(text, **options):
    return search.condition(search.parse_query(text), **options)


COLUMNS = {search.WORDS: "search_vector", search.PAIRS: "pair_vector"}


def test_a_two_word_phrase_is_its_pair_alone():
    node = condition('"وزير الخارجية"')
    assert node[:2] == ("leaf", search.PAIRS)
    assert set(node[2].strip("()").split(" | ")) == {"'زير_خارج'", "'وزير_خارج'"}
    info = search.SearchInfo(search.parse_query('"وزير الخارجية"'), columns=COLUMNS)
    assert not search.has_phrase(info)  # no vector to recheck


def test_a_longer_phrase_asks_its_pairs_and_the_phrase():
    node = condition('"الرئيس الروسي فلاديمير"')
    leaves = dict((column, query) for _, column, query in search.condition_leaves(node))
    assert node[0] == "and"
    assert "'رءيس_روس'" in leaves[search.PAIRS] and "'روس_فلاديمير'" in leaves[search.PAIRS]
    assert "<1>" in leaves[search.WORDS]
    info = search.SearchInfo(search.parse_query('"الرئيس الروسي فلاديمير"'), columns=COLUMNS)
    assert search.has_phrase(info)
    index_only = condition('"الرئيس الروسي فلاديمير" -بوتين', index_only=True)
    index_only_leaves = search.condition_leaves(index_only)
    assert all("<" not in q and "!" not in q for _, _, q in index_only_leaves)  # indexes alone


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


def test_an_index_only_phrase_beside_an_or_is_its_words_alone():
    """Within an OR, a longer phrase's index-only form is its words alone: an OR of single lookups
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


# --- the index -----------------------------------------------------------------------------------


def test_the_search_condition_is_answered_by_the_gin_index(db_archive):
    """On six articles the planner rightly prefers a scan; forbidding it shows that the
    condition matches the index (docs/search.md has the plan on the 31,525-article corpus)."""
    tsquery = search.to_tsquery(search.parse_query("خاركيف"))
    matching = Article.objects.filter(search.matches(tsquery)).order_by().values("pk")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = matching.explain()
    assert "Bitmap Index Scan on article_search" in plan
