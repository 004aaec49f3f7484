"""How a search runs: which of its matches become candidates, and how they are ordered.

Below Limits.large matches, the candidates are all of them; above, the Limits.candidates
newest (oldest for sort=oldest), found through the indexes so that the cost does not grow with
the number of matches, and the total becomes an estimate. The candidates' ids are found once
(the text condition, with its recheck of each row's vector, runs once); ranking, counts,
facets and pages then work on those ids alone. See the glossary in __init__.py."""

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, overload

from django.db import connections, models
from django.db.models import Count, Expression, F, Func, QuerySet, Value, Window
from django.db.models.sql import Query

from archive import limits as request_limits

from . import tuning
from .ids import IdArray
from .query import has_phrase

if TYPE_CHECKING:
    from .queryset import SearchQuerySetMixin

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


@overload
def estimate_rows(queryset: QuerySet[Any], /) -> int: ...
@overload
def estimate_rows(
    first: QuerySet[Any], second: QuerySet[Any], /, *more: QuerySet[Any]
) -> list[int]: ...
def estimate_rows(*querysets: QuerySet[Any]) -> int | list[int]:
    """The planner's estimate of the rows of a queryset (no rows are read); of several, a list
    of them, from one statement: the arms of a UNION ALL keep their own estimates."""
    rows = [queryset.order_by().values("pk") for queryset in querysets]
    combined = rows[0].union(*rows[1:], all=True) if len(rows) > 1 else rows[0]
    sql, params = combined.query.sql_with_params()
    with connections[querysets[0].db].cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    top = plan[0]["Plan"]
    if len(rows) == 1:
        return int(top["Plan Rows"])
    arms = top.get("Plans", []) if top["Node Type"] == "Append" else []
    if len(arms) != len(rows):  # an arm the planner knew to be empty: one at a time
        return [estimate_rows(queryset) for queryset in querysets]
    return [int(arm["Plan Rows"]) for arm in arms]


def planned_rows(db: str, sql: str, params: Sequence[Any], plan: str) -> list[tuple[Any, ...]]:
    """The rows of `sql`, planned with the settings of `plan` (see PLANS)."""
    settings = PLANS[plan]
    connection = connections[db]
    # The settings are local to a transaction (set_config's `true`), sent in one batch with
    # the query, whose rows are the batch's last result; inside a transaction they are put
    # back afterwards (in autocommit the batch's own transaction ends them).
    assign = "SELECT " + ", ".join(f"set_config('{name}', %s, true)" for name in settings)
    with connection.cursor() as cursor:
        before = None
        if not connection.get_autocommit():
            cursor.execute("SELECT " + ", ".join(f"current_setting('{name}')" for name in settings))
            before = cursor.fetchone()
        cursor.execute(f"{assign}; {sql}", [*settings.values(), *params])
        # The history's context wrapper (pghistory) may already stand on the last result.
        while cursor.nextset():
            pass
        rows = cursor.fetchall()
        if before is not None:
            cursor.execute(assign, list(before))
        return rows


def search_ids(
    queryset: QuerySet[Any],
    limit: int | None,
    plan: str = "bitmap",
    fields: Sequence[str] | None = None,
    outlets: dict[int, int] | None = None,
) -> list[Any]:
    """The ids of a text search, the first `limit` in the queryset's order, found the way
    `plan` says (left to itself, the planner often walks the date index and reads every
    vector on the way). With `outlets` (a dict), each row found also puts {id: source id}
    there: the row is read anyway."""
    names = [*(fields or ["pk"]), *(["source_id"] if outlets is not None else [])]
    sql, params = queryset.values_list(*names)[:limit].query.sql_with_params()
    found = planned_rows(queryset.db, sql, params, plan)
    if outlets is not None:
        outlets.update((row[0], row[-1]) for row in found)
        found = [row[:-1] for row in found]
    return found if fields else [row[0] for row in found]


def walk_is_cheaper(share: float, archive: int, limits: tuning.Limits) -> bool:
    """Whether walking the date index beats the text index for a search that matches `share`
    of the rows it filters: the text index reads a word's whole posting list (of `archive`
    rows, whatever the filters), the walk tests the newest rows until it has enough."""
    archive = max(archive, 1)
    return (share * archive) ** 2 > limits.walk_above * archive


@dataclass
class Candidates:
    """What finding the candidates gives: their ids in date order, the estimate of all the
    matches when the candidates are not all of them, and {id: source id} of the rows whose
    outlet was read on the way."""

    ids: list[int]
    estimate: int | None = None
    outlets: dict[int, int] = field(default_factory=dict)


class CandidateSearch:
    """Finds the candidates of one search (or listing): `matched`, the rows that match, in
    `base`, the rows searched (published articles, say); see the module's docstring."""

    def __init__(self, matched: "SearchQuerySetMixin", base: QuerySet[Any], sort: str) -> None:
        self.matched, self.base, self.info = matched, base, matched.search_info
        self.limits = tuning.current()
        self.newest_first = sort != "oldest"
        self.by_date = ["-published_at", "-id"] if self.newest_first else ["published_at", "id"]
        self.phrase_tests_left = request_limits.MAX_PHRASE_TESTS

    def find(self) -> Candidates:
        limits, by_date, found = self.limits, self.by_date, Candidates([])
        outlets = found.outlets
        if self.info is None:  # a listing: the date index gives the newest at once
            rows: QuerySet[Any, Any] | list[Any]
            rows = self.matched.order_by(*by_date).values_list("pk", "source_id")
            outlets.update(rows[: limits.large + 1])
            found.ids = list(outlets)
            if len(found.ids) > limits.large:
                found.estimate = max(estimate_rows(self.matched), len(found.ids))
                found.ids = found.ids[: limits.candidates]
            return found
        # The planner's estimate first: far above the limit, go straight to the newest
        # matches; otherwise read them all at once.
        matched = self.matched
        guess, base_rows, archive = estimate_rows(
            matched, self.base, matched.model._default_manager.all()
        )
        phrase = has_phrase(self.info)
        ids: list[int] | None = None
        base_rows = max(base_rows, 1)
        share = min(1.0, guess / base_rows)
        walk = walk_is_cheaper(share, archive, limits)
        few = guess <= limits.large or share < limits.one_query_share
        if not phrase and not walk and guess < limits.one_query_below and few:
            # All the matches through the text index (no vector read): the newest, and
            # their number, in one query. Up to `large`, they are all of them.
            counted = matched.order_by(*by_date).annotate(total=Window(Count("pk")))
            limit = max(limits.large, limits.candidates)
            rows = search_ids(counted, limit, fields=("pk", "total"), outlets=outlets)
            ids = [pk for pk, _ in rows]
            if rows and rows[0][1] > limits.large:
                found.estimate, ids = rows[0][1], ids[: limits.candidates]
        elif phrase and guess < limits.large // 4 and self._few_to_test():
            # A phrase makes each match a read of its vector (the text index has no
            # positions): all at once only when they are surely few, and so are the rows
            # that have its words (each of which is read to test it).
            ids = search_ids(matched.order_by(*by_date), limits.large + 1, outlets=outlets)
        if ids is None or (phrase and len(ids) > limits.large):
            guess = max(guess, len(ids or ()), 1)
            newest, complete = self._newest_matches(
                min(1.0, guess / base_rows), walk, base_rows, outlets
            )
            if complete and len(newest) <= limits.large:
                ids = newest  # few after all: every match, ranked exactly
            else:
                found.estimate = max(guess, len(ids or ()), len(newest))
                ids = newest[: limits.candidates]
        found.ids = ids
        return found

    def _newest_matches(
        self,
        share: float,
        walk: bool = False,
        base_rows: int | None = None,
        outlets: dict[int, int] | None = None,
    ) -> tuple[list[int], bool]:
        """The newest (oldest) matches, up to Limits.candidates, and whether they are all of
        them. The date index is walked in windows, newest first: each window's edge is a date
        read from the date index alone, and the matches within it come from a bitmap of the
        text index and the date index. The first window is sized from `share` (the planner's
        estimate of the matches' share of the rows searched), each next one from the share
        seen so far, so the rows read stay near candidates / share. A first window well
        beyond `base_rows` (the planner's estimate of the rows searched) is all of them: its
        edge is not looked for. `outlets`: see search_ids (filled where no phrase is tested)."""
        limits, by_date, matched, base = self.limits, self.by_date, self.matched, self.base
        wanted_total = limits.candidates
        if walk:
            ids = search_ids(
                matched.order_by(*by_date), wanted_total + 1, plan="walk", outlets=outlets
            )
            return ids[:wanted_total], len(ids) <= wanted_total
        dated = base.order_by(F("published_at").desc() if self.newest_first else "published_at")
        chosen: QuerySet[Any] = matched.order_by(*by_date)
        # A window holds the rows from its edge (`reached`) up to the previous window's edge
        # (`beyond` it: older when newest first).
        reached, beyond = ("published_at__gte", "published_at__lt")
        if not self.newest_first:
            reached, beyond = ("published_at__lte", "published_at__gt")
        # With a phrase, the window's rows that have all the words come first (through the
        # text index, exact: no vector read), and the phrase is tested on them newest first,
        # a slice at a time, until enough match: the index alone would recheck every one.
        words_only: QuerySet[Any] | None
        exact: QuerySet[Any] | None
        words_only = exact = None
        # self.info is set: a listing (None) takes no window (see find).
        if has_phrase(self.info):  # type: ignore[arg-type]
            words_only = base.filter(self.info.match(index_only=True)).order_by(*by_date)  # type: ignore[union-attr]
            parts = self.info.split_match()  # type: ignore[union-attr]
            if parts is not None:
                exact = base.filter(parts[0]).order_by(*by_date)
                chosen = base.filter(parts[1]).order_by(*by_date)  # for the rows not exact
        found: list[int]
        previous_edge: datetime | None
        found, walked, previous_edge = [], 0, None
        # Generous: a window too small costs a second reading of the text index, a window
        # too large only some more rows of the date index.
        window = min(int(wanted_total / share * 1.5), limits.first_window)
        while True:
            wanted = wanted_total - len(found)
            step: dict[str, datetime]
            step, rest = {}, dated
            if previous_edge is not None:
                step = {beyond: previous_edge}
                rest = rest.filter(**step)
            # The edge: `window` rows on in the date index, counted from the previous edge.
            whole = base_rows is not None and window >= base_rows * limits.whole_window
            if previous_edge is None and whole:
                edge = []
            else:
                edge = list(rest.values_list("published_at", flat=True)[window:][:1])
            if not edge:  # this window reaches the end of the archive: every remaining match
                ids = self._window_ids(chosen, words_only, exact, step, wanted + 1, outlets)
                return found + ids[:wanted], len(ids) <= wanted
            window_conditions = {**step, reached: edge[0]}
            found += self._window_ids(chosen, words_only, exact, window_conditions, wanted, outlets)
            if len(found) >= wanted_total:
                return found, False
            walked += window
            previous_edge = edge[0]
            seen = max(len(found), 1) / walked
            window = max(int((wanted_total - len(found)) / seen * 1.5), wanted_total)

    def _window_ids(
        self,
        chosen: QuerySet[Any],
        words_only: QuerySet[Any] | None,
        exact: QuerySet[Any] | None,
        conditions: dict[str, datetime],
        limit: int,
        outlets: dict[int, int] | None = None,
    ) -> list[int]:
        """The first `limit` matches of `chosen` within `conditions` (a date range), in order.
        With `words_only` (the same search with its phrases loosened to their words), by
        testing the phrases on those rows only, in slices of Limits.phrase_slice, and only on
        those that `exact` (the branches without a phrase, answered by the text indexes
        alone) does not already find; `chosen` is then what those rows must meet."""
        if words_only is None:
            return search_ids(chosen.filter(**conditions), limit, outlets=outlets)
        ids: list[int] = []
        candidates = search_ids(words_only.filter(**conditions), None)
        known = set(search_ids(exact.filter(**conditions), None)) if exact is not None else set()
        size = self.limits.phrase_slice
        for start in range(0, len(candidates), size):
            part = candidates[start : start + size]
            tested = [pk for pk in part if pk not in known]
            if tested:
                self._spend_phrase_tests(len(tested))
                rows = chosen.filter(pk__any=IdArray(tested))
                known.update(search_ids(rows, None, plan="ids"))
            ids += [pk for pk in part if pk in known]
            if len(ids) >= limit:
                break
        return ids[:limit]

    def _few_to_test(self) -> bool:
        """Whether the rows that have every word of this search's phrases (found through the
        text index alone, no vector read) are few enough to test the phrases on at once
        (limits.MAX_PHRASE_TESTS); they are then counted as tested."""
        most = self.phrase_tests_left
        # self.info is set: only a search has phrases to test.
        words_only = self.base.filter(self.info.match(index_only=True)).order_by()  # type: ignore[union-attr]
        sql, params = words_only.values("pk")[: most + 1].query.sql_with_params()
        count = f"SELECT count(*) FROM ({sql}) AS words_only"
        rows = planned_rows(self.matched.db, count, params, "bitmap")[0][0]
        if rows > most:
            return False
        self.phrase_tests_left -= rows
        return True

    def _spend_phrase_tests(self, rows: int) -> None:
        """Count `rows` more rows whose vectors this search reads to test its phrases; past
        limits.MAX_PHRASE_TESTS in one search, it is refused (limits.TooCostly)."""
        self.phrase_tests_left -= rows
        if self.phrase_tests_left < 0:
            raise request_limits.TooCostly


def ranked(
    queryset: QuerySet[Any],
    ids: list[int],
    rank: Expression,
    by_date: Sequence[str],
    *columns: str,
) -> list[tuple[Any, ...]]:
    """(id, rank, *columns) of the rows `ids`, best first, then in `by_date` order: one
    statement written around the rank expression, compiled alone, whose values need none of
    Django's converters (a queryset built for it costs more than the query)."""
    model = queryset.model
    query = Query(model)
    compiler = query.get_compiler(using=queryset.db)
    rank_sql, rank_params = compiler.compile(rank.resolve_expression(query))
    table = compiler.quote_name_unless_alias(model._meta.db_table)
    order = ", ".join(
        f'{table}."{name.lstrip("-")}" {"DESC" if name.startswith("-") else "ASC"}'
        for name in by_date
    )
    selected = "".join(f', {table}."{column}"' for column in columns)
    sql = (
        f'SELECT {table}."id", {rank_sql}{selected} FROM {table}'
        f' WHERE {table}."id" = ANY(%s::bigint[]) ORDER BY 2 DESC, {order}'
    )
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, [*rank_params, IdArray(ids)])
        return cursor.fetchall()


def rows_in_order(model: type[models.Model], ids: list[int]) -> QuerySet[Any]:
    """A query for exactly the rows `ids`, in that order (their position in the list)."""
    return model._default_manager.filter(pk__any=IdArray(ids)).order_by(
        Func(
            Value(IdArray(ids)),
            F("pk"),
            template="array_position(%(expressions)s)",
            arg_joiner="::bigint[], ",
            output_field=models.IntegerField(),
        )
    )


@dataclass
class Ordering:
    """How the candidates are shown: `query`, the rows of the first page onwards; with
    `ids`, the candidates in the order shown (pages are then slices of them) and `ranks`
    ({id: rank}) computed once; `outlets`, {source id: count} when the ranking read them."""

    query: QuerySet[Any]
    ids: list[int] | None = None
    ranks: dict[int, float] | None = None
    outlets: Counter[int] | None = None


def order_candidates(
    matched: "SearchQuerySetMixin", ids: list[int], sort: str, by_date: Sequence[str]
) -> Ordering:
    """The candidates `ids` of the search `matched`, in the order shown. Ranks are computed
    once each, never again for a page. Sorted by relevance, up to Limits.rerank candidates
    are ranked by the whole vector within the page's own query; above, the small
    title-and-lead vector ranks them all, the whole vector re-ranks the best of those, and
    pages are slices of the ids in that order. Sorted by date, the ids are in order already,
    and the rank shown is computed for a page's rows only."""
    info, limits = matched.search_info, tuning.current()
    quick = getattr(info, "quick_rank", None)
    model, annotations = matched.model, matched.query.annotations
    if sort == "relevance" and info is not None:
        if quick is None or len(ids) <= limits.rerank:
            rows = model._default_manager.filter(pk__any=IdArray(ids))
            return Ordering(rows.annotate(**annotations).order_by(*matched.query.order_by))
        # The rows are read for their quick rank: their outlets are counted on the way,
        # for the facets.
        quick_order: list[tuple[int, float]]
        outlets: Counter[int]
        quick_order, outlets = [], Counter()
        for pk, rank, source in ranked(matched, ids, quick, by_date, "source_id"):
            quick_order.append((pk, rank))
            outlets[source] += 1
        top = [pk for pk, _ in quick_order[: limits.rerank]]
        best = ranked(matched, top, annotations["rank"], by_date)
        ordered = best + quick_order[limits.rerank :]
        ids = [pk for pk, _ in ordered]
        return Ordering(rows_in_order(model, ids), ids, dict(ordered), outlets)
    rows = rows_in_order(model, ids)
    if info is not None:
        rows = rows.annotate(**annotations)
    return Ordering(rows, ids)
