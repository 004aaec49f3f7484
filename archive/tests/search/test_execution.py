"""How a search runs (execution.py). A large search is ranked, counted and paged within its
candidates, its newest matches, found through date windows or all at once, and its total is
shown as an estimate. Also: the planner's settings and estimates, the quick rank, pages of
ordered ids, and the outlets counted on the way. The limits are lowered here so that a dozen
articles are "very many"."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive.models import Article
from archive.search import execution
from archive.tests.search.helpers import estimates_are, planner_says

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(make_article, monkeypatch, search_limits):
    search_limits(large=5, candidates=4)
    # The planner's estimate on a dozen rows means little; the real count stands in for it.
    estimates_are(monkeypatch, lambda queryset: queryset.count())
    made = [
        make_article(
            f"البرتقال {n}",
            body="عن البرتقال" + (" البرتقال" * (n % 3)),
            published_at=dt.datetime(2020, 1, 1 + n, tzinfo=dt.UTC),
        )
        for n in range(12)
    ]
    make_article("الليمون", body="عن الليمون")
    return made


def test_a_large_search_ranks_its_newest_matches(many):
    results = Article.objects.published().search("البرتقال")
    assert results.estimated_count == 12
    slugs = {a.title for a in results}
    assert slugs == {"البرتقال 11", "البرتقال 10", "البرتقال 9", "البرتقال 8"}
    ranks = [a.rank for a in results]
    assert ranks == sorted(ranks, reverse=True)


def test_oldest_first_takes_the_oldest(many):
    results = Article.objects.published().search("البرتقال", sort="oldest")
    assert [a.title for a in results] == ["البرتقال 0", "البرتقال 1", "البرتقال 2", "البرتقال 3"]


def test_a_small_search_is_exact(many):
    results = Article.objects.published().search("الليمون")
    assert results.estimated_count is None and results.count() == 1


def test_the_api_says_the_count_is_an_estimate(many, client):
    body = client.get("/api/articles/", {"q": "البرتقال"}).json()
    assert body["count"] == 12 and body["count_is_estimate"] is True
    assert body["results_cover"] == 4 and len(body["results"]) == 4
    small = client.get("/api/articles/", {"q": "الليمون"}).json()
    assert small["count_is_estimate"] is False and small["results_cover"] is None


def test_the_page_says_about(many, client):
    """The heading gives the estimate of all the matches (about 12), and the notice the
    number of newest ones the results cover (4)."""
    response = client.get("/", {"q": "البرتقال"})
    html = response.content.decode()
    assert response.context["estimated_count"] == 12
    heading = re.search(r'<h2 id="results-heading"[^>]*>([^<]*)</h2>', html).group(1)
    assert heading == "نحو 12 مقالًا"
    notice = re.search(r'<p class="notice">(تطابق مقالات كثيرة[^<]*)</p>', html).group(1)
    assert "تخص أحدث 4 منها" in notice
    small = client.get("/", {"q": "الليمون"}).content.decode()
    heading = re.search(r'<h2 id="results-heading"[^>]*>([^<]*)</h2>', small).group(1)
    assert heading == "مقال واحد"  # exact: no "about"
    assert "تطابق مقالات كثيرة" not in small


def test_a_listing_without_a_query_has_an_estimated_count_too(many, client):
    body = client.get("/api/articles/").json()
    assert body["count"] == 13 and body["count_is_estimate"] is True
    assert [r["title"] for r in body["results"]][:2] == ["الليمون", "البرتقال 11"]


def test_the_real_estimate_is_close_on_a_real_table(make_article):
    """The planner's estimate, unpatched, on a table with statistics."""
    from django.db import connection

    for n in range(40):
        make_article(f"خبر {n}", body="البرتقال" if n % 4 == 0 else "الليمون")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE archive_article")
    searched = Article.objects.published().search("البرتقال")
    estimate = execution.estimate_rows(searched)
    assert 1 <= estimate <= 40
    # Several at once, from one statement: each as it would be alone.
    drafts = Article.objects.filter(status=Article.Status.DRAFT)
    assert execution.estimate_rows(searched, Article.objects.all(), drafts) == [
        estimate,
        execution.estimate_rows(Article.objects.all()),
        execution.estimate_rows(drafts),
    ]


@pytest.fixture
def sparse(make_article, monkeypatch, search_limits):
    """30 articles a day apart, every third about oranges: the newest four matches are
    days 29, 26, 23 and 20. Estimates of 2 or more take the windows."""
    search_limits(large=5, candidates=4, one_query_below=2)
    for n in range(30):
        make_article(
            f"خبر {n}",
            body="عن البرتقال" if n % 3 == 2 else "عن الليمون",
            published_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=n),
        )
    return ["خبر 29", "خبر 26", "خبر 23", "خبر 20"]


@pytest.mark.parametrize("first_window", [1, 3, 50])
@pytest.mark.parametrize("guess", [1, 10, 30])
def test_windows_find_exactly_the_newest_matches(
    sparse, monkeypatch, first_window, guess, search_limits
):
    """Whatever the estimate (far too low, about right, far too high) and the first window,
    the windows neither miss nor repeat a match."""
    search_limits(first_window=first_window)
    planner_says(monkeypatch, guess)
    results = Article.objects.published().search("البرتقال", sort="newest")
    assert [a.title for a in results] == sparse
    assert results.count() == 4 and results.estimated_count >= 5
    oldest = Article.objects.published().search("البرتقال", sort="oldest")
    assert [a.title for a in oldest] == ["خبر 2", "خبر 5", "خبر 8", "خبر 11"]


@pytest.mark.parametrize(
    "rows_estimate, first_window, edges",
    [
        (30, 50, False),  # the window covers the 30 rows searched: no edge looked for
        (30, 3, True),  # windows of a few rows: their edges are found in the date index
        (2, 3, False),  # an estimate far too low: one window of every row, the same matches
    ],
)
def test_a_first_window_beyond_the_rows_searched_looks_for_no_edge(
    sparse, monkeypatch, rows_estimate, first_window, edges, search_limits
):
    search_limits(first_window=first_window)
    estimates_are(monkeypatch, lambda q: 2 if q.search_info else rows_estimate)
    with CaptureQueriesContext(connection) as queries:
        results = Article.objects.published().search("البرتقال", sort="newest")
        titles = [a.title for a in results]
    assert titles == sparse
    assert results.count() == 4 and results.estimated_count is not None
    looked = [q["sql"] for q in queries.captured_queries if " OFFSET " in q["sql"]]
    assert bool(looked) == edges


def test_windows_that_reach_the_end_find_every_match(sparse, monkeypatch, search_limits):
    """An estimate far above the truth: the windows reach the oldest article and finds that
    the matches are few after all, so the count is exact."""
    search_limits(candidates=20, large=20, first_window=2)
    planner_says(monkeypatch, 10_000)
    results = Article.objects.published().search("البرتقال")
    assert results.estimated_count is None and results.count() == 10
    assert {a.title for a in results} == {f"خبر {n}" for n in range(2, 30, 3)}


def test_many_results_rank_by_title_and_lead_then_rerank_the_best(
    make_article, monkeypatch, search_limits
):
    """Above Limits.rerank results, the title-and-lead vector ranks them all and the whole
    text re-ranks the Limits.rerank best: articles that match in the body only come after,
    newest first."""
    search_limits(rerank=2)
    day = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    make_article("البرتقال في العنوان", body="لا شيء هنا", published_at=day)
    make_article(
        "البرتقال مرة أخرى",
        body="البرتقال البرتقال البرتقال البرتقال",
        published_at=day - dt.timedelta(days=1),
    )
    for n in range(3):
        make_article(
            f"خبر {n}", body="عن البرتقال " * (3 - n), published_at=day + dt.timedelta(days=n)
        )
    with CaptureQueriesContext(connection) as queries:
        titles = [a.title for a in Article.objects.published().search("البرتقال")]
    # The quick stage ranks by ts_rank (no cover density: cheaper, see search.ranking.rank); the
    # whole text re-ranks by cover density.
    by_vector = {
        column: [
            re.findall(r"(ts_rank(?:_cd)?)\('[^']*', \"archive_article\".\"" + column, sql)
            for sql in (q["sql"] for q in queries.captured_queries)
        ]
        for column in ("rank_vector", "search_vector")
    }
    assert {f for found in by_vector["rank_vector"] for f in found} == {"ts_rank"}
    assert {f for found in by_vector["search_vector"] for f in found} == {"ts_rank", "ts_rank_cd"}
    # The two title matches first, in the order the whole text gives them; then the body
    # matches, which the title-and-lead vector cannot tell apart: newest first.
    assert set(titles[:2]) == {"البرتقال في العنوان", "البرتقال مرة أخرى"}
    assert titles[2:] == ["خبر 2", "خبر 1", "خبر 0"]
    search_limits(rerank=200)
    full = [a.title for a in Article.objects.published().search("البرتقال")]
    assert titles[:2] == [t for t in full if t in titles[:2]]
    search_limits(rerank=2)
    newest = Article.objects.published().search("البرتقال", sort="newest")
    assert [a.title for a in newest][:2] == ["خبر 2", "خبر 1"]
    assert all(a.rank is not None for a in newest)
    # Below the limit, the whole text ranks every result: the most oranges first.
    search_limits(rerank=200)
    ranked = [a.title for a in Article.objects.published().search("البرتقال")]
    assert ranked.index("خبر 0") < ranked.index("خبر 2")


def test_pages_of_many_results_are_slices_of_their_ordered_ids(
    make_article, monkeypatch, search_limits
):
    """Above Limits.rerank results, ranks are computed once when the ids are ordered: a page is
    its ids' rows in that order, with their rank, and no ranking query of its own."""
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    search_limits(rerank=3)
    day = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    for n in range(1, 9):
        title = "البرتقال" if n % 2 else f"خبر {n}"
        make_article(title, body="عن البرتقال " * n, published_at=day + dt.timedelta(days=n))
    everything = [(a.pk, a.rank) for a in Article.objects.published().search("البرتقال")]
    assert len(everything) == 8 and all(rank is not None for _, rank in everything)
    top = [rank for _, rank in everything[:3]]
    assert top == sorted(top, reverse=True)
    results = Article.objects.published().search("البرتقال")  # ordered, not yet fetched
    pages = Paginator(results, 3)
    seen = []
    for number in pages.page_range:
        with CaptureQueriesContext(connection) as queries:
            rows = list(pages.page(number).object_list)
        page_queries = [q["sql"] for q in queries.captured_queries]
        assert page_queries and not any("ts_rank" in sql for sql in page_queries)
        seen += [(a.pk, a.rank) for a in rows]
    assert seen == everything
    assert results[0].pk == everything[0][0] and results[7].pk == everything[7][0]
    with pytest.raises(IndexError):
        results[8]
    # Sorted by date, the page's rows get their rank computed for them alone.
    newest = Article.objects.published().search("البرتقال", sort="newest")
    page = list(Paginator(newest, 3).page(2).object_list)
    assert [a.published_at.day for a in page] == [6, 5, 4]
    assert all(a.rank is not None for a in page)


@pytest.fixture
def phrases(make_article, monkeypatch, search_limits):
    """30 articles a day apart: every third has the phrase «البرتقال الأحمر اللذيذ», the
    others its two pairs apart (or none of its words). The newest four with the phrase: days
    29, 26, 23, 20. (A phrase of three words: its pairs come from the index, the phrase
    itself is tested in each vector.)"""
    search_limits(large=5, candidates=4)
    for n in range(30):
        body = {2: "عن البرتقال الأحمر اللذيذ", 1: "البرتقال الأحمر ثم الأحمر اللذيذ"}.get(
            n % 3, "الليمون"
        )
        make_article(
            f"خبر {n}",
            body=body,
            published_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=n),
        )
    return ["خبر 29", "خبر 26", "خبر 23", "خبر 20"]


@pytest.mark.parametrize("slice_size", [1, 2, 100])
@pytest.mark.parametrize("first_window", [2, 50])
def test_a_phrase_is_tested_on_the_words_matches_newest_first(
    phrases, monkeypatch, slice_size, first_window, search_limits
):
    """The windows find the rows with both words through the index, then test the phrase
    on them a slice at a time: exactly the newest phrase matches, none of the loose ones."""
    search_limits(phrase_slice=slice_size, first_window=first_window)
    planner_says(monkeypatch, 5_000)
    results = Article.objects.published().search('"البرتقال الأحمر اللذيذ"', sort="newest")
    assert [a.title for a in results] == phrases
    assert results.estimated_count is not None
    loose = Article.objects.published().search("البرتقال الأحمر", sort="newest")
    assert [a.title for a in loose] == ["خبر 29", "خبر 28", "خبر 26", "خبر 25"]


@pytest.mark.parametrize("slice_size", [1, 100])
def test_a_phrase_is_tested_only_where_the_index_cannot_say(
    phrases, monkeypatch, slice_size, search_limits
):
    """A phrase OR a word (as a name and its spellings are): the rows with the word come from
    the text index, exact; the phrase is tested only on the rows that have its words and not
    the word. The results are the same as testing every row."""
    search_limits(phrase_slice=slice_size)
    planner_says(monkeypatch, 5_000)
    lemons = set(Article.objects.filter(body="الليمون").values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries:
        results = list(
            Article.objects.published().search('"البرتقال الأحمر اللذيذ" OR الليمون', sort="newest")
        )
    assert [a.title for a in results] == ["خبر 29", "خبر 27", "خبر 26", "خبر 24"]
    # The phrase tests: the ids of a slice, with the whole condition (the ranks and the
    # page's rows are other queries).
    tests = [
        q["sql"]
        for q in queries
        if 'SELECT "archive_article"."id" AS "pk" FROM' in q["sql"]
        and "<1>" in q["sql"]
        and "= ANY(" in q["sql"]
    ]
    tested = {int(pk) for sql in tests for pk in re.findall(r"\b(\d+)\b", sql.split("ANY(")[1])}
    assert tests, "the phrase was not tested at all"
    assert not tested & lemons
    # and no row was read whole but the page's
    assert sum('"archive_article"."body"' in q["sql"] for q in queries) == 1


def test_a_phrase_with_few_matches_after_all_is_exact(phrases, monkeypatch, search_limits):
    search_limits(candidates=20, large=20, phrase_slice=3)
    planner_says(monkeypatch, 5_000)
    results = Article.objects.published().search('"البرتقال الأحمر اللذيذ"')
    assert results.estimated_count is None and results.count() == 10


def test_a_word_in_most_articles_walks_the_date_index(sparse, monkeypatch, search_limits):
    """Walking the date index (for a word in most of the archive) finds the same newest
    matches as the bitmaps do."""
    search_limits(walk_above=0)
    planner_says(monkeypatch, 10)
    results = Article.objects.published().search("البرتقال", sort="newest")
    assert [a.title for a in results] == sparse
    assert results.estimated_count >= 5


def test_a_bitmap_search_leaves_the_planner_settings_as_they_were(sparse):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET enable_indexscan = on; SET work_mem = '5MB'")
    list(Article.objects.published().search("البرتقال"))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_indexscan'), current_setting('enable_seqscan'),"
            " current_setting('work_mem')"
        )
        assert cursor.fetchone() == ("on", "on", "5MB")


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_settings_go_with_the_query_in_one_batch(make_article):
    """Outside a transaction, the planner's settings and the search query are one batch (one
    implicit transaction): one statement, and the settings are back once it ends."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    newest = dt.datetime(2020, 1, 10, tzinfo=dt.UTC)
    for day in range(3):
        make_article(f"البرتقال {day}", published_at=newest - dt.timedelta(days=day))
    with connection.cursor() as cursor:
        cursor.execute("SET enable_indexscan = on; SET work_mem = '5MB'")
    with CaptureQueriesContext(connection) as queries:
        results = Article.objects.published().search("البرتقال", sort="newest")
        assert [a.title for a in results] == [f"البرتقال {day}" for day in range(3)]
    settings = [q["sql"] for q in queries.captured_queries if "set_config" in q["sql"]]
    assert len(settings) == 1 and "archive_article" in settings[0]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_indexscan'), current_setting('enable_seqscan'),"
            " current_setting('work_mem')"
        )
        assert cursor.fetchone() == ("on", "on", "5MB")


def test_more_matches_than_the_planner_said_are_counted_exactly(sparse, monkeypatch):
    """The planner expected few, the first Limits.large + 1 say otherwise: the newest come from all
    the matches at once, and their number comes with them."""
    planner_says(monkeypatch, 1)
    results = Article.objects.published().search("البرتقال", sort="newest")
    assert [a.title for a in results] == sparse
    assert results.estimated_count == 10


@pytest.mark.parametrize(("share", "counted"), [(0.5, True), (0.1, False)])
def test_a_word_in_a_large_share_is_not_counted_exactly(
    sparse, monkeypatch, share, counted, search_limits
):
    """More than Limits.large matches in Limits.one_query_share of the rows or more: the
    windows find the newest, and the total is the estimate; below that share, one query
    counts them all."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    search_limits(one_query_below=1_000, one_query_share=share)
    planner_says(monkeypatch, 9)  # of 30 rows: 30%
    with CaptureQueriesContext(connection) as queries:
        results = Article.objects.published().search("البرتقال", sort="newest")
        assert [a.title for a in results] == sparse
    assert any("OVER ()" in q["sql"] for q in queries.captured_queries) is counted
    assert results.estimated_count == (10 if counted else 9)


@pytest.mark.parametrize("rerank", [200, 2])
def test_outlets_counted_by_the_quick_rank_are_the_facets(
    make_article, monkeypatch, rerank, search_limits
):
    """Above Limits.rerank results the quick rank counts the outlets as it reads the rows (below,
    the query that found them did); the outlet facet is then those counts, most common
    first, ties by name, cut at the limit: what counting the rows again gives."""
    from archive.facets import article_facets
    from archive.models import Source

    search_limits(rerank=rerank)
    outlets = [Source.objects.create(name=n, name_ar=n, slug=n) for n in ("b-outlet", "a-outlet")]
    outlets.append(Source.objects.create(name="c-outlet", name_ar="ج", slug="c-outlet"))
    for outlet, times in zip(outlets, (1, 3, 2), strict=True):
        for n in range(times):
            make_article(f"البرتقال {outlet.slug} {n}", source=outlet)
    results = Article.objects.published().search("البرتقال")
    assert results.outlet_counts is not None
    for limit in (1, 2, 15):
        recounted = article_facets(results.candidate_ids, limit)
        facets = article_facets(results.candidate_ids, limit, results.outlet_counts)
        assert facets == recounted
        expected = [("a-outlet", 3), ("c-outlet", 2), ("b-outlet", 1)][:limit]
        assert [(i["value"], i["count"]) for i in facets["source"]] == expected


@pytest.fixture
def outlets(make_article):
    """Oranges in three outlets (1, 3 and 2 articles a day apart, the newest last), and a
    draft in a fourth, never counted."""
    from archive.models import Source

    made = [Source.objects.create(name=n, name_ar=n, slug=n) for n in ("b", "a", "c", "d")]
    day = 0
    for outlet, times in zip(made, (1, 3, 2), strict=False):
        for n in range(times):
            day += 1
            make_article(
                f"البرتقال {outlet.slug} {n}",
                body="عن البرتقال في السوق",
                source=outlet,
                published_at=dt.datetime(2020, 1, day, tzinfo=dt.UTC),
            )
    make_article("البرتقال مسودة", source=made[3], status=Article.Status.DRAFT)
    return made


@pytest.mark.parametrize(
    "query, sort, candidates",
    [
        (None, "newest", 1_000),  # a listing
        (None, "newest", 4),  # a listing of more than Limits.candidates: the newest four
        ("البرتقال", "newest", 1_000),  # all the matches in one query
        ("البرتقال", "newest", 4),  # the windows, newest first
        ("البرتقال", "oldest", 4),
        ("البرتقال", "relevance", 4),
        ('"في السوق"', "newest", 4),  # a phrase: the rows found may not say their outlet
    ],
)
def test_the_outlets_of_the_rows_found_are_the_facets(
    outlets, monkeypatch, query, sort, candidates, search_limits
):
    """Listings and searches count the outlet facet from the rows their own queries found,
    without reading those rows again; the counts are what counting the rows gives, and a
    draft is never among them."""
    from archive.facets import article_facets

    search_limits(
        large=min(candidates, 5),
        candidates=candidates,
        one_query_below=2 if candidates == 4 else 20_000,
    )
    published = Article.objects.published()
    results = (
        published.search(query, sort=sort)
        if query
        else published.within_candidates(published, sort)
    )
    ids = results.candidate_ids
    assert len(ids) == min(6, candidates)
    if results.outlet_counts is None:
        assert query and query.startswith('"')
    else:
        assert sum(results.outlet_counts.values()) == len(ids)
    facets = article_facets(ids, 15, results.outlet_counts)
    assert facets == article_facets(ids, 15)
    counted = Article.objects.filter(pk__in=ids).values_list("source__slug", flat=True)
    expected = sorted(
        {s: list(counted).count(s) for s in counted}.items(), key=lambda i: (-i[1], i[0])
    )
    assert [(i["value"], i["count"]) for i in facets["source"]] == expected
    assert "d" not in {i["value"] for i in facets["source"]}
