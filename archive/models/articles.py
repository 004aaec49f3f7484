"""Articles: what the public may see of them (`public_article`, `published()`), their search
and listing, and the article itself."""

import re
from collections import Counter

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Count, F, Func, Q, Value, Window
from django.db.models.functions import Now
from django.db.models.sql import Query
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import limits, search
from ..history import track, track_links
from .common import (
    EARLIEST_PUBLICATION,
    SLUG_SHAPE,
    SLUG_SHAPE_MESSAGE,
    IdArray,
    Language,
    control_character_problem,
    mark_quotes,
    publication_date_problem,
    squash_spaces,
    unique_slug,
    version_field,
    version_triggers,
)
from .sources import Source
from .tags import Tag


class SearchQuerySetMixin:
    """Carries what a search did (`search_info`) through clones, and puts a snippet on every
    result as it is fetched: the page's results only, never the whole match set."""

    search_info = None
    estimated_count = None  # set when the rows were bounded: the estimate of all of them
    bounded_ids = None  # set by bounded() on its result only, never on clones: the ids
    settled_ids = None  # likewise: the same ids in the order shown (when pages slice them)
    settled_ranks = None  # {id: rank} of a search sorted by relevance; kept by clones
    # {source id: count} over bounded_ids, when a query read their rows anyway (the quick
    # rank, see _settled): the facets need not read them again. Not kept by clones.
    bounded_sources = None

    def _clone(self):
        clone = super()._clone()
        clone.search_info = self.search_info
        clone.estimated_count = self.estimated_count
        clone.settled_ranks = self.settled_ranks
        return clone

    def bounded(self, base, sort="relevance"):
        """The rows of this queryset, settled: their ids are found once (the text condition,
        with its recheck of each row's vector, runs once), then ranking, counts, facets and
        pages work on those ids alone.

        When there are more than search.LARGE rows, only the search.CANDIDATES newest
        (oldest for sort=oldest) are kept, found through the indexes (see _newest_matches),
        so that the cost does not grow with the number of matches, and `estimated_count`
        keeps the number of all of them: counted when the matches were read at once, the
        planner's estimate otherwise (shown as "about" either way)."""
        newest_first = sort != "oldest"
        by_date = ["-published_at", "-id"] if newest_first else ["published_at", "id"]
        estimate = None
        self._phrase_tests_left = limits.MAX_PHRASE_TESTS  # see _spend_phrase_tests
        # {id: source id} of the rows found, where the queries that find them read the rows
        # anyway: the outlet facet is then counted from it (see bounded_sources).
        outlets = {}
        if self.search_info is None:  # a listing: the date index gives the newest at once
            rows = self.order_by(*by_date).values_list("pk", "source_id")[: search.LARGE + 1]
            outlets.update(rows)
            ids = list(outlets)
            if len(ids) > search.LARGE:
                estimate = max(search.estimate_rows(self), len(ids))
                ids = ids[: search.CANDIDATES]
        else:
            # The planner's estimate first: far above the limit, go straight to the newest
            # matches; otherwise read them all at once.
            guess, base_rows, archive = search.estimate_rows(
                self, base, self.model._default_manager.all()
            )
            info = self.search_info
            phrase = search.has_phrase(info)
            ids = None
            base_rows = max(base_rows, 1)
            share = min(1.0, guess / base_rows)
            walk = self._walk_is_cheaper(share, archive)
            few = guess <= search.LARGE or share < search.ONE_QUERY_SHARE
            if not phrase and not walk and guess < search.ONE_QUERY_BELOW and few:
                # All the matches through the text index (no vector read): the newest, and
                # their number, in one query. Up to LARGE, they are all of them.
                counted = self.order_by(*by_date).annotate(total=Window(Count("pk")))
                limit = max(search.LARGE, search.CANDIDATES)
                rows = self._search_ids(counted, limit, fields=("pk", "total"), outlets=outlets)
                ids = [pk for pk, _ in rows]
                if rows and rows[0][1] > search.LARGE:
                    estimate, ids = rows[0][1], ids[: search.CANDIDATES]
            elif phrase and guess < search.LARGE // 4 and self._few_to_test(base):
                # A phrase makes each match a read of its vector (the text index has no
                # positions): all at once only when they are surely few, and so are the rows
                # that have its words (each of which is read to test it).
                ids = self._search_ids(self.order_by(*by_date), search.LARGE + 1, outlets=outlets)
            if ids is None or (phrase and len(ids) > search.LARGE):
                guess = max(guess, len(ids or ()), 1)
                newest, complete = self._newest_matches(
                    base,
                    min(1.0, guess / base_rows),
                    by_date,
                    newest_first,
                    walk,
                    base_rows,
                    outlets,
                )
                if complete and len(newest) <= search.LARGE:
                    ids = newest  # few after all: every match, ranked exactly
                else:
                    estimate = max(guess, len(ids or ()), len(newest))
                    ids = newest[: search.CANDIDATES]
        result = self._settled(ids, sort, by_date)
        result.estimated_count = estimate
        result.bounded_ids = ids
        if result.bounded_sources is None and ids and all(pk in outlets for pk in ids):
            result.bounded_sources = Counter(outlets[pk] for pk in ids)
        return result

    def _settled(self, ids, sort, by_date):
        """A query for the settled ids. Ranks are computed once each, never again for a page.
        Sorted by relevance, up to search.RERANK ids are ranked by the whole vector within
        the page's own query (one query); above, the small title-and-lead vector ranks them
        all, the whole vector re-ranks the RERANK best of those, and pages are slices of the
        ids in that order. Sorted by date, the ids are in their order already, and the rank
        shown is computed for a page's rows only."""
        info = self.search_info
        quick = getattr(info, "quick_rank", None)
        ranks = sources = None
        if sort == "relevance" and info is not None:
            if quick is None or len(ids) <= search.RERANK:
                result = self.model._default_manager.filter(pk__any=IdArray(ids))
                result = result.annotate(**self.query.annotations).order_by(*self.query.order_by)
                return self._with_search(result, ranks)
            # The rows are read for their quick rank: their outlets are counted on the way,
            # for the facets (see bounded_sources).
            quick_order, sources = [], Counter()
            for pk, rank, source in self._ranked(ids, quick, by_date, "source_id"):
                quick_order.append((pk, rank))
                sources[source] += 1
            top = [pk for pk, _ in quick_order[: search.RERANK]]
            ranked = self._ranked(top, self.query.annotations["rank"], by_date)
            ordered = ranked + quick_order[search.RERANK :]
            ids, ranks = [pk for pk, _ in ordered], dict(ordered)
        shown = self.query.annotations if info is not None and ranks is None else {}
        result = self._settled_rows(ids, shown, ranks)
        result.settled_ids = ids
        result.bounded_sources = sources
        return result

    def _ranked(self, ids, rank, by_date, *columns):
        """(id, rank, *columns) of the rows `ids`, best first, then in `by_date` order. One
        statement written here around the rank expression, compiled alone: a queryset
        built, annotated and compiled for it cost ~1.5 ms of Python, and Django's iterator
        passes each value of each row through its converters (~2 µs a row), none of which
        these values need."""
        query = Query(self.model)
        compiler = query.get_compiler(using=self.db)
        rank_sql, rank_params = compiler.compile(rank.resolve_expression(query))
        table = compiler.quote_name_unless_alias(self.model._meta.db_table)
        order = ", ".join(
            f'{table}."{name.lstrip("-")}" {"DESC" if name.startswith("-") else "ASC"}'
            for name in by_date
        )
        selected = "".join(f', {table}."{column}"' for column in columns)
        sql = (
            f'SELECT {table}."id", {rank_sql}{selected} FROM {table}'
            f' WHERE {table}."id" = ANY(%s::bigint[]) ORDER BY 2 DESC, {order}'
        )
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, [*rank_params, IdArray(ids)])
            return cursor.fetchall()

    def _with_search(self, rows, ranks):
        """`rows` with this search's related rows, prefetches, information and `ranks`."""
        rows.query.select_related = self.query.select_related
        rows._prefetch_related_lookups = self._prefetch_related_lookups
        rows.search_info = self.search_info
        rows.estimated_count = self.estimated_count
        rows.settled_ranks = ranks
        return rows

    def _settled_rows(self, ids, annotations, ranks):
        """A query for exactly the rows `ids`, in that order (their position in the list),
        with `annotations`, this search's related rows and prefetches, and `ranks`."""
        rows = self.model._default_manager.filter(pk__any=IdArray(ids)).order_by(
            Func(
                Value(IdArray(ids)),
                F("pk"),
                template="array_position(%(expressions)s)",
                arg_joiner="::bigint[], ",
                output_field=models.IntegerField(),
            )
        )
        if annotations:
            rows = rows.annotate(**annotations)
        return self._with_search(rows, ranks)

    def __getitem__(self, k):
        # A page of settled rows (see bounded) is a query for that page's ids alone, in
        # their settled order: no OFFSET, nothing ranked again. (Anything else, including
        # the negative indexes Django refuses, as Django does it.)
        ends = [k] if isinstance(k, int) else [k.start, k.stop] if isinstance(k, slice) else [-1]
        if (
            self.settled_ids is None
            or self._result_cache is not None
            or min((end for end in ends if end is not None), default=0) < 0
        ):
            return super().__getitem__(k)
        annotations, ranks = self.query.annotations, self.settled_ranks
        if isinstance(k, slice):
            return self._settled_rows(self.settled_ids[k], annotations, ranks)
        page = list(self._settled_rows(self.settled_ids[k : k + 1], annotations, ranks))
        if not page:
            raise IndexError("index out of range")
        return page[0]

    def count(self):
        # Settled rows (see bounded) are counted already: no query. A clone — filtered,
        # sliced — counts itself.
        if self.bounded_ids is not None:
            return len(self.bounded_ids)
        return super().count()

    # How a text search's ids are found: "bitmap", through bitmaps of the indexes only (with
    # memory enough that the bitmap of a common word stays exact, so no row is rechecked for
    # nothing); "walk", along the date index, testing each row's vector until enough match.
    PLANS = {
        "bitmap": {"enable_indexscan": "off", "enable_seqscan": "off", "work_mem": "32MB"},
        "walk": {"enable_bitmapscan": "off", "enable_seqscan": "off"},
    }
    # "ids": the rows of a list of ids, each read through the primary key (not the rows of a
    # phrase's bitmap, whose count the planner underestimates, each vector read to recheck).
    PLANS["ids"] = PLANS["walk"]

    @classmethod
    def _search_ids(cls, queryset, limit, plan="bitmap", fields=None, outlets=None):
        """The ids of a text search, the first `limit` in the queryset's order, found the way
        `plan` says. Left to itself, the planner often walks the date index and tests each
        row's vector, which reads every vector on the way (~5 µs a row in memory, ~200 µs from
        disk), where the text index answers without reading any vector unless the query has a
        phrase. Only for a word in most of the archive is walking cheaper (see
        _walk_is_cheaper). With `outlets` (a dict), each row found puts its source id there
        too, {id: source id}: the row is read anyway."""
        names = [*(fields or ["pk"]), *(["source_id"] if outlets is not None else [])]
        sql, params = queryset.values_list(*names)[:limit].query.sql_with_params()
        found = cls._planned_rows(queryset.db, sql, params, plan)
        if outlets is not None:
            outlets.update((row[0], row[-1]) for row in found)
            found = [row[:-1] for row in found]
        return found if fields else [row[0] for row in found]

    @classmethod
    def _planned_rows(cls, db, sql, params, plan):
        """The rows of `sql`, planned with the settings of `plan` (see PLANS)."""
        settings = cls.PLANS[plan]
        connection = connections[db]
        # The settings are local to a transaction (set_config's `true`), sent in one batch
        # with the query (Django's client-side binding allows several statements), whose rows
        # are the batch's last result. In autocommit the batch is a transaction of its own,
        # whose end puts them back; inside a transaction they are put back afterwards.
        assign = "SELECT " + ", ".join(f"set_config('{name}', %s, true)" for name in settings)
        with connection.cursor() as cursor:
            before = None
            if not connection.get_autocommit():
                cursor.execute(
                    "SELECT " + ", ".join(f"current_setting('{name}')" for name in settings)
                )
                before = cursor.fetchone()
            cursor.execute(f"{assign}; {sql}", [*settings.values(), *params])
            # The history's context wrapper (pghistory) may already stand on the last result.
            while cursor.nextset():
                pass
            rows = cursor.fetchall()
            if before is not None:
                cursor.execute(assign, list(before))
            return rows

    @staticmethod
    def _walk_is_cheaper(share, archive):
        """Whether walking the date index beats the text index for a search that matches
        `share` of the rows it filters. The text index reads a word's whole posting list,
        over the whole archive, whatever the filters (~0.13 µs an entry); walking the date
        index (or an outlet's) tests the newest rows one by one (~35 µs a row, CANDIDATES /
        share rows) and stops as soon as it has enough. The walk wins for a word in most of
        the archive (of `archive` rows, all of them, whatever their status)."""
        archive = max(archive, 1)
        return (share * archive) ** 2 > search.WALK_ABOVE * archive

    def _newest_matches(
        self, base, share, by_date, newest_first, walk=False, base_rows=None, outlets=None
    ):
        """The newest (oldest) matches, up to search.CANDIDATES, and whether they are all of
        them. The date index is walked in windows, newest first: each window's edge is a date
        read from the date index alone, and the matches within it come from a bitmap of the
        text index and the date index. The first window is sized from `share`, the planner's
        estimate of the matches' share of `base` (at most search.FIRST_WINDOW rows, as phrase
        estimates run low); each next one, older and not overlapping, from the share seen so
        far. So the rows read stay near CANDIDATES / share, whatever the number of matches.
        A first window well beyond `base_rows` (the planner's estimate of the rows of `base`)
        is the whole of `base`: its edge is not looked for (reading the date index to its end
        to find none cost ~3 ms at 31.5k). Were the estimate far too low, that window would
        only be larger than intended: the matches found are the same. `outlets`: see
        _search_ids (filled where no phrase is tested)."""
        if walk:
            ids = self._search_ids(
                self.order_by(*by_date), search.CANDIDATES + 1, plan="walk", outlets=outlets
            )
            return ids[: search.CANDIDATES], len(ids) <= search.CANDIDATES
        dated = base.order_by(F("published_at").desc() if newest_first else "published_at")
        chosen = self.order_by(*by_date)
        # A window holds the rows from its edge (`reached`) up to the previous window's edge
        # (`beyond` it: older when newest first).
        reached, beyond = ("published_at__gte", "published_at__lt")
        if not newest_first:
            reached, beyond = ("published_at__lte", "published_at__gt")
        # With a phrase, the window's rows that have all the words come first (through the
        # text index, exact: no vector read), and the phrase is tested on them newest first,
        # a slice at a time, until enough match: the index alone would recheck every one.
        loose = sure = None
        if search.has_phrase(self.search_info):
            loose = base.filter(self.search_info.match(loose=True)).order_by(*by_date)
            parts = self.search_info.sure_match()
            if parts is not None:
                sure = base.filter(parts[0]).order_by(*by_date)
                chosen = base.filter(parts[1]).order_by(*by_date)  # for the rows not sure
        found, walked, previous_edge = [], 0, None
        # Generous: a window too small costs a second reading of the text index, a window
        # too large only some more rows of the date index.
        window = min(int(search.CANDIDATES / share * 1.5), search.FIRST_WINDOW)
        while True:
            wanted = search.CANDIDATES - len(found)
            step, rest = {}, dated
            if previous_edge is not None:
                step = {beyond: previous_edge}
                rest = rest.filter(**step)
            # The edge: `window` rows on in the date index, counted from the previous edge.
            whole = base_rows is not None and window >= base_rows * search.WHOLE_WINDOW
            if previous_edge is None and whole:
                edge = []
            else:
                edge = list(rest.values_list("published_at", flat=True)[window:][:1])
            if not edge:  # this window reaches the end of the archive: every remaining match
                ids = self._window_ids(chosen, loose, sure, step, wanted + 1, outlets)
                return found + ids[:wanted], len(ids) <= wanted
            window_conditions = {**step, reached: edge[0]}
            found += self._window_ids(chosen, loose, sure, window_conditions, wanted, outlets)
            if len(found) >= search.CANDIDATES:
                return found, False
            walked += window
            previous_edge = edge[0]
            seen = max(len(found), 1) / walked
            window = max(int((search.CANDIDATES - len(found)) / seen * 1.5), search.CANDIDATES)

    def _window_ids(self, chosen, loose, sure, conditions, limit, outlets=None):
        """The first `limit` matches of `chosen` within `conditions` (a date range), in
        order; with `loose` (the same search without its phrases), by testing the phrases on
        the loose matches only, in slices of search.PHRASE_SLICE, and only on those that
        `sure` (the branches of the search without a phrase, answered by the text indexes
        alone) does not already find; `chosen` is then what those rows must meet, their
        phrase branches. A name one of whose spellings is a phrase of three words (حلف شمال
        الأطلسي for الناتو) thus has its vectors read only for the rows that have those three
        words and not the name, and for the phrase alone."""
        if loose is None:
            return self._search_ids(chosen.filter(**conditions), limit, outlets=outlets)
        ids = []
        candidates = self._search_ids(loose.filter(**conditions), None)
        known = (
            set(self._search_ids(sure.filter(**conditions), None)) if sure is not None else set()
        )
        for start in range(0, len(candidates), search.PHRASE_SLICE):
            part = candidates[start : start + search.PHRASE_SLICE]
            tested = [pk for pk in part if pk not in known]
            if tested:
                self._spend_phrase_tests(len(tested))
                rows = chosen.filter(pk__any=IdArray(tested))
                known.update(self._search_ids(rows, None, plan="ids"))
            ids += [pk for pk in part if pk in known]
            if len(ids) >= limit:
                break
        return ids[:limit]

    def _few_to_test(self, base):
        """Whether the rows that have every word of this search's phrases (found through the
        text index alone, no vector read) are few enough to test the phrases on at once
        (limits.MAX_PHRASE_TESTS); they are then counted as tested."""
        most = self._phrase_tests_left
        loose = base.filter(self.search_info.match(loose=True)).order_by()
        sql, params = loose.values("pk")[: most + 1].query.sql_with_params()
        count = f"SELECT count(*) FROM ({sql}) AS loose"
        rows = self._planned_rows(self.db, count, params, "bitmap")[0][0]
        if rows > most:
            return False
        self._phrase_tests_left -= rows
        return True

    def _spend_phrase_tests(self, rows):
        """Count `rows` more rows whose vectors this search reads to test its phrases; past
        limits.MAX_PHRASE_TESTS in one search, it is refused (limits.TooCostly)."""
        left = getattr(self, "_phrase_tests_left", limits.MAX_PHRASE_TESTS) - rows
        if left < 0:
            raise limits.TooCostly
        self._phrase_tests_left = left

    def _fetch_all(self):
        super()._fetch_all()
        if self.search_info is None or self.search_info.mode == "none":
            return
        patterns = self.search_info.patterns
        ranks = self.settled_ranks or {}
        for obj in self._result_cache:
            if isinstance(obj, models.Model) and not hasattr(obj, "snippet"):
                obj.snippet = obj.make_snippet(patterns)
                if obj.pk in ranks:
                    obj.rank = ranks[obj.pk]

    def _searched(self, queryset, info):
        queryset.search_info = info
        return queryset

    def _search_with_fallback(
        self,
        query,
        vector,
        sort,
        default_order,
        rank_field=None,
        any_word=None,
        pair_field=None,
    ):
        """The rows matching `query`, ranked. Every word must match; when no row has them
        all, any word may (ranked) and search_info.mode says so. `any_word`: None, that is
        checked here; False, every word (the caller checks); True, any word at once.
        `pair_field`: the rows' column of word pairs, which answers two-word phrases."""
        parsed = search.expand_aliases(search.parse_query(query))
        info = search.SearchInfo(search.prune_alternatives(parsed))
        if info.parsed.is_empty:
            info.mode = "none"
            return self._searched(self.none(), info)
        annotated = self.annotate(search_document=vector) if vector is not None else self
        field = "search_document" if vector is not None else "search_vector"
        info.columns = {search.WORDS: field}
        if pair_field is not None:
            info.columns[search.PAIRS] = pair_field
        info.tsquery = search.to_tsquery(info.parsed)
        results = annotated.filter(info.match())
        order = []
        several = len(info.parsed.positive_items) > 1
        if any_word is None:
            # Whether any row has every word: through the index bitmaps, since a plan that
            # walks rows and tests each vector would read them all to prove that none does.
            any_word = several and not self._search_ids(results.order_by(), 1)
        if any_word and several:
            info.tsquery = search.to_tsquery(info.parsed, any_word=True)
            info.mode = "any"
            results = annotated.filter(info.match())
        results = results.annotate(rank=search.rank(info, field))
        if rank_field is not None:
            info.quick_rank = search.rank(info, rank_field, quick=True)
        if sort == "newest":
            order = [*default_order]
        elif sort == "oldest":
            order = [F(name.lstrip("-")).asc() for name in default_order]
        else:
            order += [F("rank").desc(), *default_order]
        return self._searched(results.order_by(*order), info)

    def search_suggestion(self):
        """A corrected query from the archive's own vocabulary, when a search found few
        results and a corrected spelling finds more: {"query", "count", "corrections"}."""
        info = self.search_info
        if info is None or info.mode == "none":
            return None
        corrections = search.vocabulary_corrections(info.parsed)
        if not corrections:
            return None
        text = search.corrected_query(info.parsed, corrections)
        base = self.model._default_manager.all()
        if hasattr(base, "published"):
            base = base.published()
        try:
            corrected = base.search(text)
        except limits.TooCostly:
            return None  # a suggestion is never worth a refusal
        if corrected.search_info.mode != "all":
            return None
        count = corrected.count()
        found = 0 if info.mode == "any" else self.count()
        if count <= found:
            return None
        return {
            "query": text,
            "count": count,
            "corrections": [{"from": k, "to": v} for k, v in corrections.items()],
        }


def public_article(prefix=""):
    """The one rule of what the public may see, as a condition on an article (or on the
    article reached through `prefix`, "article__"): published, and its publication time
    come. An article published for a later time is public from that time, with no job to run."""
    return Q(**{f"{prefix}status": "published", f"{prefix}published_at__lte": Now()})


class ArticleQuerySet(SearchQuerySetMixin, models.QuerySet):
    def published(self):
        """What the public may see: published articles whose publication time has come."""
        return self.filter(public_article())

    def withdrawn(self):
        """Articles withdrawn after they had been public: their address answers 410 Gone (one
        withdrawn before its publication time was never public, and stays a plain 404)."""
        return self.filter(status="withdrawn", published_at__lte=F("withdrawn_at"))

    def search(self, query, sort="relevance"):
        """Articles matching a reader's query (web-search syntax, Arabic-aware), annotated
        with `rank` and, once fetched, `snippet`. Sorted by relevance unless `sort` is
        "newest" or "oldest"; empty for a query with nothing to search for. A query that
        matches very many articles ranks the newest search.CANDIDATES of them (`bounded`)."""
        arguments = (query, None, sort, ["-published_at", "-id"], "rank_vector")
        results = self._search_with_fallback(*arguments, any_word=False, pair_field="pair_vector")
        if results.search_info.mode == "none":
            return results
        settled = results.bounded(self, sort)
        if not settled.bounded_ids and len(results.search_info.parsed.positive_items) > 1:
            # No article has every word (found by the bounded search itself, no query of
            # its own): any word may.
            settled = self._search_with_fallback(
                *arguments, any_word=True, pair_field="pair_vector"
            ).bounded(self, sort)
        return settled

    def listing(self, sort="newest"):
        """The articles by date, newest first (or oldest), bounded like a search."""
        order = ["published_at", "id"] if sort == "oldest" else ["-published_at", "-id"]
        return self.order_by(*order).bounded(self, sort)


class ArticleManager(models.Manager.from_queryset(ArticleQuerySet)):
    # The search columns are SQL's alone (conditions, ranking); an article's page, a list or
    # a form never loads them: they hold every term of the text, several kB each.
    SEARCH_COLUMNS = ("search_vector", "rank_vector", "pair_vector")

    def get_queryset(self):
        return super().get_queryset().defer(*self.SEARCH_COLUMNS)

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


@track
class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    title = models.CharField(_("title"), max_length=500)
    slug = models.SlugField(
        _("slug"),
        max_length=255,
        unique=True,
        allow_unicode=True,
        blank=True,
        help_text=_("The article's permanent address; made from the title when left empty."),
    )
    lead = models.TextField(_("lead"), blank=True)
    body = models.TextField(_("body"))
    url = models.URLField(
        _("original URL"),
        max_length=1000,
        blank=True,
        help_text=_("Where the outlet published it. Two articles cannot share a URL."),
    )
    author = models.CharField(_("byline"), max_length=300, blank=True)
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="articles", verbose_name=_("outlet")
    )
    credited_sources = models.ManyToManyField(
        Source,
        blank=True,
        related_name="credited_in",
        verbose_name=_("credited sources"),
        help_text=_("Agencies and outlets the article credits (via Reuters, المصدر: الأسبوع)."),
    )
    published_at = models.DateTimeField(_("published at"), db_index=True)
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ARABIC
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    withdrawn_at = models.DateTimeField(
        _("withdrawn at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the article was withdrawn from the public archive."),
    )
    # Kept by PostgreSQL (archive/models/corrections.py): when the title, lead or body last changed
    # while the article was public, whatever wrote it. Its page then says "updated on".
    revised_at = models.DateTimeField(
        _("revised while public at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the title, lead or body last changed while the article was public."),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles", verbose_name=_("tags"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last changed by"),
    )
    # Who wrote it (the admin, or an import run by a user): an editor may delete their own
    # drafts, and only those (archive/workflow.py). Empty for articles older than the field.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )

    # The search columns, kept by PostgreSQL (the trigger archive_article_vectors, see
    # archive/search.py), which analyses each text once for all three, and again only when a
    # text changes; whatever Django writes to them is replaced.
    search_vector = SearchVectorField(null=True, editable=False, serialize=False)
    # The title and the lead alone (weights A and B, as in search_vector): what ranking reads.
    # Small enough to stay in the row, where the full vector lives out of line (TOAST) and
    # costs a decompression for every ranked article.
    rank_vector = SearchVectorField(null=True, editable=False, serialize=False)
    # Each two adjacent words of title, lead or body as one lexeme (stem_stem), no positions:
    # a two-word phrase is one lookup of its index, and search_vector stays as small as the
    # words make it (for walks along the date index and for ranking, which read it).
    pair_vector = SearchVectorField(null=True, editable=False, serialize=False)

    objects = ArticleManager()

    version = version_field()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        triggers = version_triggers()
        # The chief editors' rights (the group "Chief editors"); editors have the model's own.
        permissions = [
            ("publish_article", _("Can publish, schedule, unpublish and withdraw articles")),
            ("restore_deleted", _("Can bring back deleted articles, claims and tags")),
            ("purge_item", _("Can purge an item and its history (legal takedown)")),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_status_date"),
            models.Index(fields=["source", "-published_at"], name="article_source_date"),
            GinIndex(fields=["search_vector"], name="article_search"),
            GinIndex(fields=["pair_vector"], name="article_pairs"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["url"],
                condition=~Q(url=""),
                name="article_url_unique_when_present",
                violation_error_message=_("Another article already has this URL."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "review", "published", "withdrawn"]),
                name="article_status_valid",
            ),
            # The 410 page says when; leaving the state clears the date (archive/workflow.py).
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | Q(withdrawn_at__isnull=False),
                name="article_withdrawn_has_its_date",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="article_title_not_empty"),
            models.CheckConstraint(condition=~Q(slug=""), name="article_slug_not_empty"),
            # Older dates are typos; before 1 AD the driver cannot even read them back.
            models.CheckConstraint(
                condition=Q(published_at__gte=EARLIEST_PUBLICATION),
                name="article_published_after_1800",
            ),
            models.CheckConstraint(
                condition=Q(slug__regex=SLUG_SHAPE),
                name="article_slug_fits_its_url",
                violation_error_message=SLUG_SHAPE_MESSAGE,
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(
                Article, self.title, instance_pk=self.pk, max_length=255, fallback="article"
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        """The public page (for a draft, the preview that staff can see: the admin's
        "View on site")."""
        return reverse("article", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    @property
    def is_published(self):
        """Public now: published, and its publication time come (see public_article)."""
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()

    @property
    def is_scheduled(self):
        """Published for a time still to come: public from then."""
        return self.status == self.Status.PUBLISHED and self.published_at > timezone.now()

    @property
    def public_corrections(self):
        """The correction notes readers see, oldest first (see archive/models/corrections.py)."""
        return self.corrections.public().order_by("created_at", "id")

    def last_public_update(self, corrections=None):
        """When readers were last told of a change: its text revised while public, or a
        correction made while public; None when neither. `corrections`: those already read."""
        corrections = self.public_corrections if corrections is None else corrections
        dates = [c.created_at for c in corrections]
        if self.revised_at is not None:
            dates.append(self.revised_at)
        return max(dates, default=None)

    def related(self):
        """Published articles that share tags with this one, most shared tags first."""
        return (
            Article.objects.published()
            .exclude(pk=self.pk)
            .filter(tags__in=self.tags.all())
            .annotate(shared=models.Count("tags"))
            .select_related("source")
            .order_by("-shared", "-published_at", "-id")
        )

    def paragraphs_with_quotes(self, appearances):
        """The title, lead and body's paragraphs as HTML, each claim's quote marked where it
        stands (an id per appearance, so that the claim list can link to it)."""
        marks = [(a.quote, f"quote-{a.pk}", a.claim.get_verdict_display()) for a in appearances]
        paragraphs = [p for p in re.split(r"\n\s*\n|\n", self.body) if p.strip()]
        return {
            "title": mark_quotes(self.title, marks),
            "lead": mark_quotes(self.lead, marks) if self.lead else "",
            "body": [mark_quotes(p.strip(), marks) for p in paragraphs],
        }

    def make_snippet(self, patterns):
        """The excerpt shown for a search hit: matched words in <mark>, the rest escaped."""
        for text in (self.body, self.lead):
            snippet = search.highlight(text, patterns)
            if snippet:
                return snippet
        return search.highlight_none(self.lead or self.body)

    def clean(self):

        self.title = squash_spaces(self.title)
        if not self.slug and self.title:
            # Made here as well as in save() so that the form's constraint checks see it.
            self.slug = unique_slug(
                Article, self.title, instance_pk=self.pk, max_length=255, fallback="article"
            )
        self.url = (self.url or "").strip()
        if self.url:
            existing = Article.objects.filter(url=self.url).exclude(pk=self.pk).first()
            if existing is not None:
                raise ValidationError(
                    {
                        "url": _(
                            "This URL already belongs to the article “%(title)s”"
                            " (no. %(id)s, %(date)s)."
                            " Edit that article instead of adding it again."
                        )
                        % {
                            "title": existing.title,
                            "id": existing.pk,
                            "date": existing.published_at.date().isoformat(),
                        }
                    }
                )
        problems = {}
        for name in ("title", "lead", "body", "author"):
            problem = control_character_problem(getattr(self, name))
            if problem:
                problems[name] = problem
        if self.published_at is not None:
            problem = publication_date_problem(self.published_at)
            if problem:
                problems["published_at"] = problem
        if problems:
            raise ValidationError(problems)
        problems = search.unindexable({"title": self.title, "lead": self.lead, "body": self.body})
        if problems:
            raise ValidationError(problems)


# The links of the many-to-many fields have a history of their own (added, removed).
track_links(Article.tags.through, "ArticleTagEvent")
track_links(Article.credited_sources.through, "ArticleCreditedSourceEvent")
