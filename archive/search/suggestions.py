"""Spelling suggestions from the archive's own vocabulary (a materialized view of the words
of the public articles, refreshed by a job), for a search that found little."""

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from archive import limits as request_limits

from .analyzer import analyze, normalize
from .query import ParsedQuery
from .snippets import _stems_finder

if TYPE_CHECKING:
    from .queryset import SearchQuerySetMixin

MIN_SIMILARITY = 0.45  # trigram similarity below which a word of the archive is no candidate
SUGGEST_BELOW = 3  # fewer results than this: look for a better spelling in the vocabulary
SPELLING_ROWS = 5  # the corrected search's first results, read for how its words are written


def vocabulary_corrections(parsed: ParsedQuery, using: str = DEFAULT_DB_ALIAS) -> dict[str, str]:
    """{exact form: closest word of the archive} for the words the archive does not have."""
    forms = sorted({t.exact for item in parsed.positive_items for t in item.terms})
    if not forms:
        return {}
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT word FROM archive_search_vocabulary WHERE word = ANY(%s)", [forms])
        known = {row[0] for row in cursor.fetchall()}
        corrections = {}
        for form in forms:
            if form in known or len(form) < 3 or form.isdigit():
                continue
            # Trigrams find the candidates through the index; the edit distance picks the
            # closest (a trigram score favours shorter words: الشمالبه is closer to الشماليه
            # than to الشمال), then the most common.
            cursor.execute(
                "SELECT word, ndoc FROM archive_search_vocabulary"
                " WHERE word %% %s AND similarity(word, %s) >= %s"
                " ORDER BY similarity(word, %s) DESC LIMIT 10",
                [form, form, MIN_SIMILARITY, form],
            )
            candidates = cursor.fetchall()
            if candidates:
                best = min(candidates, key=lambda c: (edit_distance(form, c[0]), -c[1], c[0]))
                corrections[form] = best[0]
    return corrections


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (PostgreSQL's is in fuzzystrmatch, which we do not require)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def corrected_query(
    parsed: ParsedQuery, corrections: dict[str, str], written: dict[str, str] | None = None
) -> str:
    """The reader's query with each corrected word replaced, in web-search syntax. The words
    are as the reader wrote them; a correction (a normalised form: ه for ة, ا for أ) as the
    archive writes it where `written` knows ({normalised form: spelling})."""
    written = written or {}
    groups = []
    for group in parsed.groups:
        items = []
        for item in group:
            words = " ".join(
                _corrected_word(word, corrections, written) for word in item.raw.split()
            )
            if item.phrase and " " in words:
                words = f'"{words}"'
            items.append(("-" if item.negated else "") + words)
        groups.append(" OR ".join(items))
    return " ".join(groups)


def _corrected_word(word: str, corrections: dict[str, str], written: dict[str, str]) -> str:
    """`word` as typed, or its corrected terms when one of them is corrected (a word that
    punctuation makes several terms, كوريا-الشمالبة, comes back as words apart)."""
    terms = analyze(word)
    if not any(term.exact in corrections for term in terms):
        return word
    fixed = (corrections.get(term.exact, term.exact) for term in terms)
    return " ".join(written.get(form, form) for form in fixed)


def written_forms(words: Iterable[str], texts: Iterable[str]) -> dict[str, str]:
    """{normalised word: its most common spelling in `texts`} for the `words` found there as
    whole words (الشماليه → الشمالية): a suggestion then reads as the archive writes it."""
    counts: dict[str, Counter[str]] = {word: Counter() for word in words}
    finders = {word: _stems_finder(frozenset({word})) for word in counts}
    for text in texts:
        for word, finder in finders.items():
            if not text or not finder.search(text):
                continue
            for token in text.split():
                if word in normalize(token).split():
                    found = finder.search(token)
                    if found:
                        counts[word][found.group()] += 1
    return {word: found.most_common(1)[0][0] for word, found in counts.items() if found}


def refresh_vocabulary(using: str = DEFAULT_DB_ALIAS) -> None:
    """Make the vocabulary again from the articles public now, and note when. CONCURRENTLY:
    searches keep reading the previous one meanwhile (a plain refresh would hold them)."""
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY archive_search_vocabulary")
        # now(): the start of this transaction, no later than what the refresh saw.
        cursor.execute("UPDATE archive_search_vocabulary_refresh SET refreshed_at = now()")


def vocabulary_refreshed_at(using: str = DEFAULT_DB_ALIAS) -> datetime | None:
    """When the vocabulary was last made (see refresh_vocabulary)."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT max(refreshed_at) FROM archive_search_vocabulary_refresh")
        return cursor.fetchone()[0]


def suggestion(results: "SearchQuerySetMixin") -> dict[str, Any] | None:
    """A corrected query from the archive's own vocabulary, when a search (`results`) found
    few results and a corrected spelling finds more: {"query", "count", "corrections"}."""
    info = results.search_info
    if info is None or info.mode == "none":
        return None
    corrections = vocabulary_corrections(info.parsed, results.db)
    if not corrections:
        return None
    text = corrected_query(info.parsed, corrections)
    base = results.model._default_manager.all()
    if hasattr(base, "published"):
        base = base.published()
    try:
        corrected = base.search(text)
    except request_limits.TooCostly:
        return None  # a suggestion is never worth a refusal
    if corrected.search_info.mode != "all":
        return None
    count = corrected.count()
    found = 0 if info.mode == "any" else results.count()
    if count <= found:
        return None
    # The model names the fields its words are read from (Article: title, lead, body).
    fields = getattr(results.model, "search_text_fields", ())
    rows = corrected[:SPELLING_ROWS] if fields else []
    texts = (getattr(row, name) or "" for row in rows for name in fields)
    written = written_forms(set(corrections.values()), texts)
    typed = _typed_words(info.parsed)
    return {
        "query": corrected_query(info.parsed, corrections, written),
        "count": count,
        "corrections": [
            {"from": typed.get(k, k), "to": written.get(v, v)} for k, v in corrections.items()
        ],
    }


def _typed_words(parsed: ParsedQuery) -> dict[str, str]:
    """{normalised form: the word as the reader typed it} for the query's one-term words."""
    typed: dict[str, str] = {}
    for item in parsed.positive_items:
        for word in item.raw.split():
            terms = analyze(word)
            if len(terms) == 1:
                typed.setdefault(terms[0].exact, word)
    return typed
