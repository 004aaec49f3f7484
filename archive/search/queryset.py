"""The search as a QuerySet method: `Article.objects.published().search("...")` gives a QuerySet
of the results, which pages, filters and facets use as any other, carrying what the search did.

Why a QuerySet subclass rather than a results object of its own: the results go on through
django-filter, Django's Paginator, `.get()`, `.values_list()` and the admin, which all take a
QuerySet; four methods are overridden, each for one reason (see them), and everything the
search knows travels in one SearchState."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Self, cast

from django.db import models
from django.db.models import Expression, F, OrderBy

from . import execution, ranking
from .aliases import TagLookup, expand_aliases, prune_alternatives
from .query import PAIRS, WORDS, SearchInfo, parse_query, to_tsquery
from .suggestions import suggestion

if TYPE_CHECKING:

    class _QuerySet(models.QuerySet[Any]):
        # What the mixin is mixed into, with the Django internals it overrides or reads that
        # django-stubs leaves out.
        _prefetch_related_lookups: tuple[Any, ...]

        def _clone(self) -> Self: ...

else:
    _QuerySet = object


@dataclass(frozen=True)
class SearchSpec:
    """One model's search: what the reader asked and how that model is searched."""

    query: str
    order: Sequence[str]  # the rows' date order, newest first, e.g. ("-published_at", "-id")
    sort: str = "relevance"  # or "newest", "oldest"
    document: Expression | None = None  # the vector searched; None: the search_vector column
    rank_column: str | None = None  # a smaller vector to rank many candidates quickly
    pair_column: str | None = None  # the column of word pairs, which answers two-word phrases
    any_word: bool | None = None  # None: any word when no row has every word; or forced
    tags_by_key: TagLookup | None = None  # how names are found in the query (aliases.py)
    candidates: bool = False  # find the candidates (execution.py) rather than all the matches


@dataclass
class SearchState:
    """What a search did, carried by its QuerySet. `info`, the estimate and `ranks` go on to
    clones (a filtered or sliced result is still the search's); the candidates' ids and their
    outlets describe this QuerySet's rows only and do not."""

    info: SearchInfo | None = None
    estimated_count: int | None = None  # of all the matches, when not all are candidates
    ranks: dict[int, float] | None = None  # {id: rank}, computed once, when pages are slices
    candidate_ids: list[int] | None = None
    ordered_ids: list[int] | None = None  # the candidates in the order shown
    outlet_counts: dict[int, int] | None = None  # {source id: count} over the candidates, if read

    def for_clone(self) -> "SearchState":
        return SearchState(self.info, self.estimated_count, self.ranks)


class SearchQuerySetMixin(_QuerySet):
    _search_state = SearchState()

    @property
    def search_info(self) -> SearchInfo | None:
        return self._search_state.info

    @property
    def estimated_count(self) -> int | None:
        return self._search_state.estimated_count

    @property
    def candidate_ids(self) -> list[int] | None:
        return self._search_state.candidate_ids

    @property
    def outlet_counts(self) -> dict[int, int] | None:
        return self._search_state.outlet_counts

    def _clone(self) -> Self:
        clone = super()._clone()
        clone._search_state = self._search_state.for_clone()
        return clone

    def _with_state(self, **changes: Any) -> Self:
        self._search_state = replace(self._search_state, **changes)
        return self

    def run_search(self, spec: SearchSpec) -> Self:
        """The rows matching `spec.query`, ranked; with `spec.candidates`, within its
        candidates (see execution.py), retried with any word when no row has them all."""
        results = self._matching(spec, any_word=False if spec.candidates else spec.any_word)
        # results.search_info is not None: _matching sets it.
        if not spec.candidates or results.search_info.mode == "none":  # type: ignore[union-attr]
            return results
        found = results.within_candidates(self, spec.sort)
        if not found.candidate_ids and len(results.search_info.parsed.positive_items) > 1:  # type: ignore[union-attr]
            # No row has every word (found by the candidates' search itself): any word may.
            found = self._matching(spec, any_word=True).within_candidates(self, spec.sort)
        return found

    def _matching(self, spec: SearchSpec, any_word: bool | None) -> Self:
        """The rows matching the query, ranked: every word must match; when no row has them
        all, any word may and search_info.mode says so. `any_word`: None, that is checked
        here; False, every word (the caller checks); True, any word at once."""
        parsed = parse_query(spec.query)
        if spec.tags_by_key is not None:
            parsed = expand_aliases(parsed, spec.tags_by_key)
        info = SearchInfo(prune_alternatives(parsed, self.db))
        if info.parsed.is_empty:
            info.mode = "none"
            return self.none()._with_state(info=info)
        vector = spec.document
        annotated = self.annotate(search_document=vector) if vector is not None else self
        field = "search_document" if vector is not None else "search_vector"
        info.columns = {WORDS: field}
        if spec.pair_column is not None:
            info.columns[PAIRS] = spec.pair_column
        info.tsquery = to_tsquery(info.parsed)
        results = annotated.filter(info.match())
        several = len(info.parsed.positive_items) > 1
        if any_word is None:
            # Whether any row has every word: through the index bitmaps, since a plan that
            # walks rows and tests each vector would read them all to prove that none does.
            any_word = several and not execution.search_ids(results.order_by(), 1)
        if any_word and several:
            info.tsquery = to_tsquery(info.parsed, any_word=True)
            info.mode = "any"
            results = annotated.filter(info.match())
        results = results.annotate(rank=ranking.rank(info, field))
        if spec.rank_column is not None:
            info.quick_rank = ranking.rank(info, spec.rank_column, quick=True)
        order: list[str | OrderBy]
        if spec.sort == "newest":
            order = [*spec.order]
        elif spec.sort == "oldest":
            order = [F(name.lstrip("-")).asc() for name in spec.order]
        else:
            order = [F("rank").desc(), *spec.order]
        return results.order_by(*order)._with_state(info=info)

    def within_candidates(self, base: models.QuerySet[Any], sort: str = "relevance") -> Self:
        """These rows (a search's matches, or a listing) narrowed to their candidates and
        ordered: ranking, counting, facets and pages then read those ids alone."""
        finder = execution.CandidateSearch(self, base, sort)
        found = finder.find()
        ordering = execution.order_candidates(self, found.ids, sort, finder.by_date)
        # The model's own QuerySet, and so one with this mixin.
        result = cast(Self, ordering.query)
        result.query.select_related = self.query.select_related
        result._prefetch_related_lookups = self._prefetch_related_lookups
        outlets = ordering.outlets
        if outlets is None and found.ids and all(pk in found.outlets for pk in found.ids):
            outlets = Counter(found.outlets[pk] for pk in found.ids)
        result._search_state = SearchState(
            info=self.search_info,
            estimated_count=found.estimate,
            ranks=ordering.ranks,
            candidate_ids=found.ids,
            ordered_ids=ordering.ids,
            outlet_counts=outlets,
        )
        return result

    def search_suggestion(self) -> dict[str, Any] | None:
        """A corrected query from the archive's own vocabulary (see suggestions.suggestion)."""
        return suggestion(self)

    # The overrides, each for one reason:
    def __getitem__(self, k: int | slice) -> Any:
        # A page of ordered candidates is a query for that page's ids alone, in their order:
        # no OFFSET, nothing ranked again. (Anything else, including the negative indexes
        # Django refuses, as Django does it.)
        state = self._search_state
        ends = [k] if isinstance(k, int) else [k.start, k.stop] if isinstance(k, slice) else [-1]
        if (
            state.ordered_ids is None
            or self._result_cache is not None
            or min((end for end in ends if end is not None), default=0) < 0
        ):
            return super().__getitem__(k)
        if isinstance(k, slice):
            return self._page(state.ordered_ids[k])
        page = list(self._page(state.ordered_ids[k : k + 1]))
        if not page:
            raise IndexError("index out of range")
        return page[0]

    def _page(self, ids: list[int]) -> Self:
        rows = cast(Self, execution.rows_in_order(self.model, ids))
        if self.query.annotations:
            rows = rows.annotate(**self.query.annotations)
        rows.query.select_related = self.query.select_related
        rows._prefetch_related_lookups = self._prefetch_related_lookups
        rows._search_state = self._search_state.for_clone()
        return rows

    def count(self) -> int:
        # The candidates are counted already: no query. A clone (filtered, sliced) counts
        # itself.
        ids = self._search_state.candidate_ids
        return len(ids) if ids is not None else super().count()

    def _fetch_all(self) -> None:
        # A snippet (and the rank computed once) on each row as it is fetched: the page's
        # rows only, never the whole match set.
        super()._fetch_all()
        info = self._search_state.info
        if info is None or info.mode == "none":
            return
        patterns, ranks = info.patterns, self._search_state.ranks or {}
        # The rows are fetched (a list), of a model with make_snippet (Article).
        for obj in self._result_cache:  # type: ignore[union-attr]
            if isinstance(obj, models.Model) and not hasattr(obj, "snippet"):
                obj.snippet = obj.make_snippet(patterns)  # type: ignore[attr-defined]
                if obj.pk in ranks:
                    obj.rank = ranks[obj.pk]  # type: ignore[attr-defined]
