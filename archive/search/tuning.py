"""The numbers that steer how a search is executed (execution.py), in one place, each with its
reason. What they cost and save was measured, and is kept, in bench/RESULTS.md.

Tests lower them with the `search_limits` fixture (archive/tests/conftest.py)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    # More matches than this: the candidates are the newest `candidates` of them, and the
    # total shown is an estimate ("about N"), so that no search reads every match.
    large: int = 1_000
    # How many candidates a large search ranks, counts facets over and pages through.
    candidates: int = 1_000
    # More candidates than this: the title-and-lead vector ranks them all and the whole
    # vector re-ranks only this many best (ranking by the whole vector is the dear part).
    rerank: int = 200
    # Fewer estimated matches than this (and no phrase): all of them in one query through
    # the text index, which reads no vector, with their exact number.
    one_query_below: int = 20_000
    # ... unless they are more than `large` and at least this share of the rows searched:
    # windows then find the newest candidates among few rows, where counting reads them all.
    one_query_share: float = 0.1
    # The most articles the first window of a large search covers (phrase estimates run low).
    first_window: int = 40_000
    # A first window this many times the planner's estimate of the rows searched is taken to
    # cover them all: no edge is looked for in the date index.
    whole_window: float = 1.25
    # Walk the date index instead of reading the text index when matches² > this × rows:
    # testing a row's vector costs this / candidates times as much as reading one posting.
    walk_above: int = 270_000
    # Rows whose vectors are read at a time to test a phrase, newest first, until enough match.
    phrase_slice: int = 1_500


# The limits in force; read at each use, so that the tests' fixture can replace them.
LIMITS = Limits()


def current() -> Limits:
    return LIMITS
