"""Ranking: cover density over the stems, title above lead above body, with a bonus for the
exact forms the reader typed."""

from django.db.models import Expression, F, FloatField, Func, Value

from .query import SearchInfo, exact_tsquery, tsquery_value

RANK_WEIGHTS = "{0.05, 0.05, 0.2, 1.0}"  # D, C (body), B (lead), A (title)
EXACT_BONUS = 0.3  # an exact form's share on top of its stem's
RANK_NORMALIZATION = 1  # ts_rank_cd: divide by 1 + the logarithm of the document's length


def rank(
    info: SearchInfo, vector: str | Expression = "search_vector", *, quick: bool = False
) -> Expression:
    """Cover density over the stems (title above lead above body; closer words higher), plus a
    bonus for the exact forms the reader typed.

    `quick`: ts_rank (how often and how close the words are, no covers) instead of ts_rank_cd,
    for the stage that picks the Limits.rerank best of many candidates by the title-and-lead
    vector (execution.order_candidates); cover density costs most with alternatives and
    phrases. What the quick stage costs and changes: bench/RESULTS.md, "re-rank"."""
    target = F(vector) if isinstance(vector, str) else vector
    density = Func(
        Value(RANK_WEIGHTS),
        target,
        tsquery_value(info.tsquery),
        Value(RANK_NORMALIZATION),
        function="ts_rank" if quick else "ts_rank_cd",
        output_field=FloatField(),
    )
    exact = exact_tsquery(info.parsed)
    if not exact:
        return density
    bonus = Func(
        Value(RANK_WEIGHTS),
        target,
        tsquery_value(exact),
        function="ts_rank",
        output_field=FloatField(),
    )
    return density + Value(EXACT_BONUS) * bonus
