"""A reader's query: parsed (web-search syntax), turned into tsqueries, and into the condition
tree over an article's two search columns (its words and its pairs of adjacent words)."""

import functools
import itertools
import operator
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

from django.contrib.postgres.search import SearchQueryField
from django.db.models import BooleanField, Expression, F, Func, Q, Value
from django.db.models.functions import Cast

from .analyzer import Term, analyze
from .rules import EXACT_MARK, PAIR_MARK

MAX_QUERY_CHARS = 500
MAX_QUERY_TERMS = 32
OR_WORDS = {"or", "|", "او", "أو"}
_QUERY_TOKENS = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass
class Item:
    """One thing a reader asked for: a word or a quoted phrase, possibly excluded."""

    raw: str
    terms: list[Term]
    negated: bool = False
    phrase: bool = False
    alternatives: list[tuple[str, list[Term]]] = field(default_factory=list)  # (spelling, terms)
    tag: object = None  # the Tag whose spelling this item is, when it is one


@dataclass
class ParsedQuery:
    """The reader's query: AND of groups, each group an OR of items."""

    text: str
    groups: list[list[Item]]

    @property
    def positive_items(self) -> list[Item]:
        return [item for group in self.groups for item in group if not item.negated]

    @property
    def is_empty(self) -> bool:
        return not self.positive_items


def parse_query(text: str | None) -> ParsedQuery:
    """Web-search syntax — words (all must match), "phrases", OR, -exclusion — parsed so that
    nothing a reader types raises: unknown operators are plain punctuation, an unclosed quote
    runs to the end, and the query is cut to MAX_QUERY_CHARS."""
    text = (text or "").replace("\x00", " ")[:MAX_QUERY_CHARS]
    groups: list[list[Item]]
    groups, join_next, count = [], False, 0
    for match in _QUERY_TOKENS.finditer(text):
        quoted_neg, quoted, word = match.groups()
        if word is not None and word.lower() in OR_WORDS:
            join_next = bool(groups)
            continue
        if word is not None:
            negated = word.startswith("-") and len(word) > 1
            raw = word[1:] if negated else word
            phrase = False
        else:
            negated, raw, phrase = bool(quoted_neg), quoted, True
        terms = analyze(raw)[: MAX_QUERY_TERMS - count]
        if not terms:
            continue
        count += len(terms)
        item = Item(raw=raw, terms=terms, negated=negated, phrase=phrase or len(terms) > 1)
        if join_next and not negated and not any(i.negated for i in groups[-1]):
            groups[-1].append(item)
        else:
            groups.append([item])
        join_next = False
        if count >= MAX_QUERY_TERMS:
            break
    return ParsedQuery(text=text, groups=groups)


def terms_key(terms: Iterable[Term]) -> str:
    return " ".join(term.stem for term in terms)


def search_key_of(text: str | None) -> str:
    """The search key of a name, as archive_search_key computes it in SQL."""
    return terms_key(analyze(text))


def _lexeme(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def _term_query(term: Term) -> str:
    if term.alt:
        return f"({_lexeme(term.stem)} | {_lexeme(term.alt)})"
    return _lexeme(term.stem)


def _pair_query(first: Term, second: Term) -> str:
    """Two adjacent words as the index keeps them: one lexeme for each reading of the pair."""
    pairs = [_lexeme(a + PAIR_MARK + b) for a in first.stems for b in second.stems]
    return pairs[0] if len(pairs) == 1 else "(" + " | ".join(pairs) + ")"


def _terms_query(terms: Sequence[Term]) -> str:
    """A phrase: each word at its distance from the previous one (a stop word between two
    words leaves a gap, as in the index)."""
    query = _term_query(terms[0])
    for previous, term in itertools.pairwise(terms):
        query += f" <{term.pos - previous.pos}> " + _term_query(term)
    return query


def _item_query(item: Item) -> str:
    options = [_terms_query(item.terms)]
    options += [_terms_query(terms) for _, terms in item.alternatives]
    body = " | ".join(f"({o})" for o in options) if len(options) > 1 else options[0]
    return f"!({body})" if item.negated else f"({body})"


def to_tsquery(parsed: ParsedQuery, *, any_word: bool = False) -> str:
    """The tsquery text of a parsed query: every group must match (or, with any_word, one
    positive group is enough; exclusions still hold)."""
    positive: list[str]
    negative: list[str]
    positive, negative = [], []
    for group in parsed.groups:
        if group[0].negated:
            negative.append(_item_query(group[0]))
        else:
            positive.append(" | ".join(_item_query(item) for item in group))
    if not positive:
        return ""
    joiner = " | " if any_word else " & "
    query = "(" + joiner.join(f"({p})" for p in positive) + ")"
    if negative:
        query += " & " + " & ".join(negative)
    return query


def has_phrase(info: "SearchInfo") -> bool:
    """Whether a search has a phrase (its own or an alias's) that PostgreSQL must recheck in
    each vector: with an article's pairs, only a phrase of three words or more, or of two
    words with a stop word between."""
    if info.columns and PAIRS in info.columns:
        node = condition(info.parsed, any_word=info.mode == "any")
        leaves = condition_leaves(node) if node else []
        return any(c == WORDS and re.search(r"<\d+>", q) for _, c, q in leaves)
    return bool(re.search(r"<\d+>", info.tsquery))


def without_phrases(tsquery: str) -> str:
    """The tsquery with every phrase loosened to all of its words (a b for "a b"): what the
    text index can answer exactly, a superset of the phrase's matches."""
    return re.sub(r"<\d+>", "&", tsquery)


# A condition is a tree over an article's two columns, its words and its pairs: ("leaf",
# column, tsquery), ("and"|"or", [nodes]), ("not", node); the leaves of one column are merged
# wherever the logic allows, so that each column is read once for most queries.
WORDS, PAIRS = "words", "pairs"
Leaf: TypeAlias = tuple[Literal["leaf"], str, str]
Node: TypeAlias = Leaf | tuple[Literal["and", "or"], list["Node"]] | tuple[Literal["not"], "Node"]


def _spelling_leaves(
    terms: Sequence[Term], *, index_only: bool = False, required: bool = True
) -> list[Leaf]:
    """What one spelling asks of the two columns, all of it: a word asks the words; two
    adjacent words their pair (exact, through the pairs' index); a longer phrase its pairs and
    the phrase itself, which PostgreSQL rechecks in each vector. `index_only`: what the text
    indexes answer without reading a vector, every word of the phrase instead of the phrase;
    and, for a spelling that is not `required` (one of a name's), its words alone: the indexes
    answer an OR of single lookups exactly, not an OR that holds an AND of two columns (which
    PostgreSQL would test row by row, reading both vectors)."""
    if len(terms) == 1:
        return [("leaf", WORDS, _term_query(terms[0]))]
    pairs = [_pair_query(a, b) for a, b in itertools.pairwise(terms) if b.pos - a.pos == 1]
    if len(terms) == 2 and pairs:
        return [("leaf", PAIRS, pairs[0])]
    phrase = _terms_query(terms)
    if index_only and not required:
        return [("leaf", WORDS, without_phrases(phrase))]
    leaves: list[Leaf] = [("leaf", PAIRS, " & ".join(pairs))] if pairs else []
    return [*leaves, ("leaf", WORDS, without_phrases(phrase) if index_only else phrase)]


def _joined(kind: Literal["and", "or"], nodes: Iterable[Node]) -> Node:
    """`nodes` joined by "and" or "or": nested nodes of the same kind flattened, and the leaves
    of each column merged into one."""
    flat: list[Node] = []
    for node in nodes:
        # node[0] == kind: an "and" or "or" node, whose node[1] is a list of nodes
        flat += node[1] if node[0] == kind else [node]  # type: ignore[arg-type]
    joiner = " & " if kind == "and" else " | "
    by_column: dict[str, list[str]]
    others: list[Node]
    by_column, others = {}, []
    for node in flat:
        if node[0] == "leaf":
            by_column.setdefault(node[1], []).append(node[2])
        else:
            others.append(node)
    merged: list[Node] = [
        ("leaf", column, joiner.join(f"({q})" for q in queries) if len(queries) > 1 else queries[0])
        for column, queries in by_column.items()
    ]
    joined = merged + others
    return joined[0] if len(joined) == 1 else (kind, joined)


def _item_condition(item: Item, *, index_only: bool = False, required: bool = True) -> Node:
    """An item's condition; `required`: whether it is ANDed with the rest of the query (not one
    side of an OR)."""
    spellings = [item.terms, *(terms for _, terms in item.alternatives)]
    required = required and len(spellings) == 1
    node = _joined(
        "or",
        [
            _joined("and", _spelling_leaves(t, index_only=index_only, required=required))
            for t in spellings
        ],
    )
    if not item.negated:
        return node
    return ("leaf", node[1], f"!({node[2]})") if node[0] == "leaf" else ("not", node)


def condition(
    parsed: ParsedQuery, *, any_word: bool = False, index_only: bool = False
) -> Node | None:
    """The condition tree of a parsed query over an article's words and pairs (None when it
    asks for nothing). `index_only`: a superset that the text indexes answer alone, every phrase
    loosened to its words and pairs, the exclusions left out (see execution.py)."""
    positive: list[Node]
    negative: list[Node]
    positive, negative = [], []
    for group in parsed.groups:
        if group[0].negated:
            negative.append(_item_condition(group[0]))
        else:
            required = len(group) == 1 and not any_word
            items = [_item_condition(i, index_only=index_only, required=required) for i in group]
            positive.append(_joined("or", items))
    if not positive:
        return None
    node = _joined("or" if any_word else "and", positive)
    return node if index_only or not negative else _joined("and", [node, *negative])


def index_exact_part(node: Node) -> Node | None:
    """The part of a condition tree that the text indexes answer exactly, without reading a
    vector: its branches that hold no phrase to recheck (and no exclusion). A row that meets
    it meets the whole condition, so only the other rows need their phrases tested. None when
    no part is."""
    if node[0] == "leaf":
        phrase = node[1] == WORDS and re.search(r"<\d+>", node[2])
        return None if phrase or "!" in node[2] else node
    if node[0] == "or":
        parts = [part for part in map(index_exact_part, node[1]) if part is not None]
        return _joined("or", parts) if parts else None
    if node[0] == "and":
        return node if all(index_exact_part(child) is not None for child in node[1]) else None
    return None


def rechecked_part(node: Node) -> Node:
    """What a row that index_exact_part did not find must meet: the branches of the condition
    the index cannot answer exactly (a row that fails the others can only meet these), so that
    a row's vector is read for its phrase alone; the whole condition when it is not an OR."""
    if node[0] != "or":
        return node
    rest = [child for child in node[1] if index_exact_part(child) is None]
    return _joined("or", rest) if rest else node


def condition_leaves(node: Node) -> list[Leaf]:
    if node[0] == "leaf":
        return [node]
    if node[0] == "not":
        return condition_leaves(node[1])
    return [leaf for child in node[1] for leaf in condition_leaves(child)]


def condition_expression(node: Node, columns: dict[str, str]) -> Q | Expression:
    """The condition tree as a Django expression, over `columns` ({WORDS: field, PAIRS:
    field})."""
    if node[0] == "leaf":
        return matches(node[2], columns[node[1]])
    if node[0] == "not":
        return ~Q(condition_expression(node[1], columns))
    parts = [Q(condition_expression(child, columns)) for child in node[1]]
    return functools.reduce(operator.and_ if node[0] == "and" else operator.or_, parts)


def exact_tsquery(parsed: ParsedQuery) -> str:
    """The exact forms the reader typed, any of them: ranks exact matches above stems."""
    forms = {EXACT_MARK + t.exact for item in parsed.positive_items for t in item.terms}
    return " | ".join(_lexeme(f) for f in sorted(forms))


@dataclass
class SearchInfo:
    """What a search did, for the page and the API to say: the parsed query, whether it fell
    back to any word, and the names it recognised."""

    parsed: ParsedQuery
    mode: str = "all"  # "all" words, "any" word (fallback), or "none" (nothing to search)
    tsquery: str = ""  # every word and phrase in one tsquery (no pairs): what ranks
    quick_rank: Expression | None = None  # the rank by a small vector (see execution.py)
    # {WORDS: field} of the rows searched, and {PAIRS: field} if any; set before any match()
    columns: dict[str, str] = None  # type: ignore[assignment]

    def match(self, *, index_only: bool = False) -> Q | Expression:
        """The condition the rows must meet; `index_only`, a superset that the text indexes
        answer without reading a vector (see condition). Without a pair column, the tsquery."""
        if PAIRS not in self.columns:
            query = without_phrases(self.tsquery) if index_only else self.tsquery
            return matches(query, self.columns[WORDS])
        node = condition(self.parsed, any_word=self.mode == "any", index_only=index_only)
        # Not None: a search that asks for nothing stops before its match (mode "none").
        return condition_expression(node, self.columns)  # type: ignore[arg-type]

    def split_match(self) -> tuple[Q | Expression, Q | Expression] | None:
        """(exact, rest): a subset of the condition that the text indexes answer exactly, and
        what the other rows must meet (see index_exact_part, rechecked_part); None when no
        part of the condition is."""
        if PAIRS not in self.columns:
            return None
        node = condition(self.parsed, any_word=self.mode == "any")
        exact = index_exact_part(node) if node else None
        if exact is None:
            return None
        return (
            condition_expression(exact, self.columns),
            # node is not None: exact is a part of it
            condition_expression(rechecked_part(node), self.columns),  # type: ignore[arg-type]
        )

    @property
    def patterns(self) -> list[list[set[str]]]:
        """What to mark in snippets: every positive word or phrase, with its alternatives."""
        patterns = []
        for item in self.parsed.positive_items:
            for terms in [item.terms, *(terms for _, terms in item.alternatives)]:
                patterns.append([set(term.stems) for term in terms])
        return patterns

    @property
    def expansions(self) -> list[dict[str, Any]]:
        return [
            {
                "query": item.raw,
                "tag": str(item.tag),
                "spellings": [s for s, _ in item.alternatives],
            }
            for item in self.parsed.positive_items
            if item.tag is not None
        ]


def tsquery_value(text: str) -> Cast:
    return Cast(Value(text), SearchQueryField())


def matches(tsquery_text: str, vector: str | Expression = "search_vector") -> Func:
    target = F(vector) if isinstance(vector, str) else vector
    return Func(
        target,
        tsquery_value(tsquery_text),
        template="(%(expressions)s)",
        arg_joiner=" @@ ",
        output_field=BooleanField(),
    )
