"""Arabic full-text search inside PostgreSQL: the analyser, the query language, and how a
search runs. This package never imports the archive's models: the data model imports it
(`ArticleQuerySet.search` builds a SearchSpec and hands it to `run_search`).

The modules, in the order a search meets them (docs/architecture.md draws it):
  rules.py        the analyser's tables (folds, stop words, clitics, suffixes); no Django
  analyzer.py     the analyser in Python (the SQL and C ones index; this one reads queries)
  sql.py          the analyser as SQL functions, and the switch to the C one (native/)
  query.py        parsing a reader's query, the tsqueries and the condition tree
  aliases.py      the names inside a query and their other spellings
  ranking.py      the rank expression
  execution.py    finding the candidates and ordering them; the planner settings
  tuning.py       Limits: the numbers that steer execution.py
  queryset.py     SearchSpec and the QuerySet mixin that runs a search
  snippets.py     excerpts with the matched words marked
  suggestions.py  better spellings from the archive's own vocabulary
  names.py        the spellings of tags found in an article's text (tag suggestions)

Glossary
  term        one word of a text as the index holds it: its exact (normalised) form, its stem
              and, for a word that may start with a proclitic, its alt (analyzer.Term).
  spelling    one way of writing a name: a tag's name or alias. A query word that is a
              spelling brings the tag's other spellings along as alternatives.
  pair        two adjacent words indexed as one lexeme (stem_stem), so that a two-word phrase
              is one lookup of the text index instead of a recheck of each row's vector.
  condition   what a row must meet: a tree over the two columns, words and pairs (query.py).
  index-only  a condition the text indexes answer without reading any row's vector: a
              superset of the matches, phrases loosened to their words.
  candidates  the matches a search ranks, counts facets over and pages through: all of them
              up to Limits.large, otherwise the Limits.candidates newest (or oldest).
  window      a range of publication dates, newest first, in which the candidates of a large
              search are looked for; each is sized from the share of matches seen so far.
  estimate    the total of a search whose candidates are not all its matches, shown as
              "about N": the planner's estimate, or the exact count when it was read anyway.
  plan        how the ids are read: "bitmap" (the text index), "walk" (the date index,
              testing each row), "ids" (rows by primary key); execution.PLANS.
  quick rank  the rank by the title-and-lead vector, for many candidates; the best
              Limits.rerank of them are then ranked by the whole text.

The names below are re-exported for reading; a test that replaces one patches the module that
uses it (archive/search/sql.py's NATIVE_SQL, tuning.LIMITS through the search_limits fixture).
"""

from .aliases import expand_aliases, prune_alternatives
from .analyzer import Term, analyze, normalize
from .query import (
    MAX_QUERY_CHARS,
    MAX_QUERY_TERMS,
    PAIRS,
    WORDS,
    ParsedQuery,
    SearchInfo,
    condition,
    condition_leaves,
    has_phrase,
    matches,
    parse_query,
    search_key_of,
    to_tsquery,
)
from .queryset import SearchQuerySetMixin, SearchSpec
from .ranking import rank
from .rules import (
    ARTICLES,
    EXACT_MARK,
    MIN_STEM,
    NFKC_TRIGGER,
    NORMAL_STOP_WORDS,
    PAIR_MARK,
    PROCLITICS,
    STOP_WORDS,
    SUFFIXES,
    THOUSANDS_SEPARATORS,
    WEIGHTS,
    WORD_CHARS,
)
from .snippets import highlight, highlight_none
from .sql import (
    analyser_in_use,
    point_text_vectors,
    render_sql,
    unindexable,
    use_native_analyser,
)
from .suggestions import (
    SUGGEST_BELOW,
    corrected_query,
    refresh_vocabulary,
    vocabulary_corrections,
    vocabulary_refreshed_at,
)
from .tuning import Limits

__all__ = [
    "ARTICLES",
    "EXACT_MARK",
    "MAX_QUERY_CHARS",
    "MAX_QUERY_TERMS",
    "MIN_STEM",
    "NFKC_TRIGGER",
    "NORMAL_STOP_WORDS",
    "PAIRS",
    "PAIR_MARK",
    "PROCLITICS",
    "STOP_WORDS",
    "SUFFIXES",
    "SUGGEST_BELOW",
    "THOUSANDS_SEPARATORS",
    "WEIGHTS",
    "WORDS",
    "WORD_CHARS",
    "Limits",
    "ParsedQuery",
    "SearchInfo",
    "SearchQuerySetMixin",
    "SearchSpec",
    "Term",
    "analyser_in_use",
    "analyze",
    "condition",
    "condition_leaves",
    "corrected_query",
    "expand_aliases",
    "has_phrase",
    "highlight",
    "highlight_none",
    "matches",
    "normalize",
    "parse_query",
    "point_text_vectors",
    "prune_alternatives",
    "rank",
    "refresh_vocabulary",
    "render_sql",
    "search_key_of",
    "to_tsquery",
    "unindexable",
    "use_native_analyser",
    "vocabulary_corrections",
    "vocabulary_refreshed_at",
]
