"""Snippets: an excerpt of a result's text around the reader's words, marked where they match
(by the same stems as the search), in the text as it was written."""

import functools
import html
import re
from collections.abc import Callable

from .analyzer import analyze
from .rules import FOLDS, MARKS

SNIPPET_WORDS = 36


_UNFOLDED = {target: target + sources for target, sources in FOLDS.items()}
_MARKS_BETWEEN = "[" + re.escape(MARKS) + "]*"


@functools.lru_cache(maxsize=256)
def _stems_finder(stems: frozenset[str]) -> re.Pattern[str]:
    """A regular expression that finds any of `stems` (normalised forms) in a text that is
    not: each letter as itself or any letter that folds into it, in either case, with marks
    (which normalisation deletes) allowed between letters."""

    def unfolded(stem: str) -> str:
        return _MARKS_BETWEEN.join(
            f"[{re.escape(_UNFOLDED[ch])}]" if ch in _UNFOLDED else re.escape(ch) for ch in stem
        )

    longest_first = sorted(stems, key=lambda s: (-len(s), s))
    return re.compile("|".join(unfolded(stem) for stem in longest_first), re.IGNORECASE)


@functools.lru_cache(maxsize=65_536)
def _word_stems(word: str) -> tuple[frozenset[str], ...]:
    """The stem sets of one written word (a word of text.split(): punctuation may make it
    several terms, a stop word none). Kept: the same words come back in every snippet."""
    return tuple(frozenset(term.stems) for term in analyze(word))


def highlight(
    text: str | None, patterns: list[list[set[str]]], *, limit: int = SNIPPET_WORDS
) -> str:
    """An excerpt of `text` (the original, not the normalised form) around its densest run of
    matched words, the matched words in <mark>, everything else HTML-escaped.

    `patterns` are what the query asks for, each a list of stem sets: one set for a word,
    several in a row for a phrase (whose words are marked only where they stand together).
    Returns "" when nothing matches."""
    if not text or not patterns:
        return ""
    words = text.split()  # the words of \S+, split in C
    if not words:
        return ""
    # Look for the stems in the text as it is, each letter also in the forms that fold into
    # it and with marks allowed between letters (folding the whole text first cost more than
    # the rest of the snippet); only the words that contain a stem are analysed in full.
    joined = " ".join(words)
    first_stems = {stem for pattern in patterns for stem in pattern[0]}
    finder = _stems_finder(frozenset(first_stems))
    # The words the matches fall in, in order: a word's index is the spaces before it,
    # counted on from the previous match (no stem holds a space).
    candidates: list[int]
    candidates, index, position = [], 0, 0
    for found in finder.finditer(joined):
        index += joined.count(" ", position, found.start())
        position = found.start()
        if not candidates or candidates[-1] != index:
            candidates.append(index)

    def stems_of(index: int) -> tuple[frozenset[str], ...]:
        return _word_stems(words[index])

    hits = set()
    for index in candidates:
        for pattern in patterns:
            matched = _match_at(index, pattern, stems_of, len(words))
            if matched:
                hits.update(matched)
    if not hits:
        return ""
    ordered = sorted(hits)
    best_start, best_count = 0, -1
    for hit in ordered:
        start = max(0, hit - limit // 4)
        count = sum(1 for h in ordered if start <= h < start + limit)
        if count > best_count:
            best_start, best_count = start, count
    end = min(len(words), best_start + limit)
    # Escaped at once (escaping adds no space, so the words stay apart).
    shown = html.escape(" ".join(words[best_start:end])).split(" ")
    pieces = [f"<mark>{w}</mark>" if i in hits else w for i, w in enumerate(shown, best_start)]
    prefix = "… " if best_start > 0 else ""
    suffix = " …" if end < len(words) else ""
    return prefix + " ".join(pieces) + suffix


def _match_at(
    index: int,
    pattern: list[set[str]],
    stems_of: Callable[[int], tuple[frozenset[str], ...]],
    size: int,
) -> list[int] | None:
    """The word indexes matched by `pattern` starting at word `index`, or None. Words that
    are only stop words or punctuation may stand between the words of a phrase."""
    matched: list[int]
    matched, wanted, i = [], list(pattern), index
    while wanted:
        if i >= size:
            return None
        word_terms = stems_of(i)
        if not word_terms:
            if not matched:
                return None
            i += 1
            continue
        for term_stems in word_terms:
            if not wanted:
                break
            if not term_stems & wanted[0]:
                return None
            wanted.pop(0)
        matched.append(i)
        i += 1
    return matched


def highlight_none(text: str | None, *, limit: int = SNIPPET_WORDS) -> str:
    """The opening words of a text, escaped: the snippet of a hit whose match is elsewhere."""
    words = (text or "").split()
    suffix = " …" if len(words) > limit else ""
    return html.escape(" ".join(words[:limit])) + suffix
