"""Names in a text: where the spellings of tags (names and aliases) occur in an article, by the
same analysis as the search, with the words of the text that matched. The reverse of
aliases.py, which finds the spellings inside a reader's query.

A spelling of several words occurs where its words stand as consecutive words of one
sentence of the text: each word of the text meets the spelling's word when one of its stems
(stem or alt, so a proclitic or the article may be attached) is that word's stem, as in a
phrase of the search. A spelling of one word is met by its form instead (proclitics and
article off, no suffix taken off, the article in both or neither; see _forms). Only
spaces, or a hyphen, may stand between them: a full stop, a comma, a line break or another
word means that the words only happen to be near each other. A stop word inside a spelling
(زيارة بوتين إلى بيونغ يانغ) must be a stop word of the text at the same place.

`words_of` keeps, for each word, where it stands in the text as written, so that the editor
is shown the text's own words (بيونج يانج, لكوريا الشمالية), not their analysed forms."""

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import NamedTuple

from .analyzer import Term, _strip_suffixes, analyze, analyze_word, normalize
from .rules import ARTICLES, MARKS, MIN_STEM, NORMAL_STOP_WORDS, THOUSANDS_SEPARATORS

_STOP = frozenset(NORMAL_STOP_WORDS)
# What may stand between two words of one name: spaces (not a line break), or one hyphen.
_JOINED = re.compile(r"[^\S\r\n]*(?:[-‐‑–][^\S\r\n]*)?")


class Word(NamedTuple):
    """One word of a text as the analyser sees it, and where it stands in the text as written.
    `term` is None for a stop word (the analyser leaves it out, its position counted).
    `stems`: the term's stems, and one more for a word with two proclitics and no article
    (ولكوريا, وبكورسك), which the analyser reads as one letter and a word (لكوريا): the
    search does not find those either, but a name is worth the extra reading.
    (A tuple: a text has thousands of words, made for each reading of it.)"""

    normal: str
    start: int
    end: int
    term: Term | None
    stems: tuple[str, ...] = ()
    forms: tuple[str, ...] = ()


_CONJUNCTIONS, _PREPOSITIONS = "وف", "بلك"
DEFINITE = "+"  # marks the form of a word that carries the definite article


def _forms(term: Term) -> tuple[str, ...]:
    """A word's forms as a one-word name is matched: without its proclitics and article but
    with no suffix taken off, the article kept as a mark. A one-word name is a name as
    written (سيول, روتي, الدوما): its stem would also meet other words (السيولة, الروتين,
    دوماً), where a name of several words has its other words to tell it apart."""
    word = term.exact
    for article in ARTICLES:
        if word.startswith(article) and len(word) - len(article) >= MIN_STEM:
            return (DEFINITE + word[len(article) :],)
    forms = [word]
    if term.alt:
        forms.append(word[1:])
        if word[0] in _CONJUNCTIONS and word[1] in _PREPOSITIONS and len(word) - 2 >= MIN_STEM:
            forms.append(word[2:])
    return tuple(forms)


def _stems(term: Term) -> tuple[str, ...]:
    word = term.exact
    if (
        term.alt
        and len(word) - 2 >= MIN_STEM
        and word[0] in _CONJUNCTIONS
        and word[1] in _PREPOSITIONS
        and not any(word.startswith(article) for article in ARTICLES)
    ):
        return (*term.stems, _strip_suffixes(word[2:]))
    return term.stems


# Where the characters that normalise into word characters are: Latin, Arabic and its marks,
# the letter-like symbols that lower into Latin (K, Å), the presentation forms and the
# full-width forms (NFKC). A test reads all of Unicode to hold this list complete.
_CANDIDATES = [*range(0x0000, 0x0800), *range(0x1E00, 0x2200), *range(0xFB00, 0x10000)]


@functools.cache
def _word_finder() -> re.Pattern[str]:
    """A regular expression for the runs of characters that normalise into one word (or
    several, for a ligature such as ﷺ): every code point whose normal form is a word, and
    the marks that normalisation deletes; a thousands separator between digits stays inside
    a number, as normalize() removes it. Built from normalize() itself, so the two agree."""
    inside = []
    for code in _CANDIDATES:
        char = chr(code)
        if char in MARKS or normalize(char):
            inside.append(code)
    ranges, start, previous = [], inside[0], inside[0]
    for code in inside[1:]:
        if code != previous + 1:
            ranges.append((start, previous))
            start = code
        previous = code
    ranges.append((start, previous))
    chars = "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )
    digit = "0-9٠-٩۰-۹"
    separator = rf"(?<=[{digit}])[{THOUSANDS_SEPARATORS}](?=[{digit}]{{3}}(?![{digit}]))"
    return re.compile(rf"(?:[{chars}]|{separator})+")


Analysed = tuple[str, Term | None, tuple[str, ...], tuple[str, ...]]


@functools.lru_cache(maxsize=65_536)
def _analysed(written: str) -> tuple[Analysed, ...]:
    """The words of one run of word characters, analysed: (normal form, term, stems, forms)
    each. Kept: a text's words come back in every other text."""
    analysed: list[Analysed] = []
    for normal in normalize(written).split():
        term = None if normal in _STOP else analyze_word(normal)
        if term is None:
            analysed.append((normal, None, (), ()))
        else:
            analysed.append((normal, term, _stems(term), _forms(term)))
    return tuple(analysed)


def words_of(text: str | None) -> list[Word]:
    """The words of `text` in order, as analyze() reads them, each with its place in `text`
    (a word's term carries no position: its index in the list is its position)."""
    words: list[Word] = []
    append = words.append
    for found in _word_finder().finditer(text or ""):
        start, end = found.span()
        for normal, term, stems, forms in _analysed(found.group()):
            append(Word(normal, start, end, term, stems, forms))
    return words


@dataclass(frozen=True)
class Spelling:
    """A spelling to look for: what it names (`key`, e.g. a tag's id) and its analysed words
    as (offset from its first word, stem) pairs; the offsets skip its stop words."""

    key: object
    text: str
    words: tuple[tuple[int, str], ...]
    # An acronym (NIS, UN) is found only in capitals: "un" is a French word.
    capitals: bool = False

    @property
    def length(self) -> int:
        return self.words[-1][0] + 1


@dataclass(frozen=True)
class Found:
    """A spelling found in a text: the text's words that matched, as written."""

    key: object
    spelling: str
    start: int
    end: int
    matched: str


class NameFinder:
    """The spellings of many names, indexed by the stem of their first word, so that a text
    is read once whatever the number of names: each word's stems are looked up, and only the
    spellings that begin with one of them are checked further."""

    def __init__(self, spellings: Iterable[tuple[object, str]]):
        self.by_first: dict[str, list[Spelling]] = {}  # names of several words, by stem
        self.by_form: dict[str, list[Spelling]] = {}  # names of one word, by form
        self.size = 0
        for key, text in spellings:
            terms = analyze(text)
            if not terms:
                continue  # nothing but stop words or punctuation
            first = terms[0].pos
            capitals = text.isascii() and text.isupper()
            if len(terms) == 1:
                form = _forms(replace(terms[0], alt=None))[0]
                spelling = Spelling(key, text, ((0, form),), capitals)
                self.by_form.setdefault(form, []).append(spelling)
            else:
                # A spelling's own words are names as written, without a proclitic: their
                # stem alone stands for them (the text's words bring both their readings).
                words = tuple((t.pos - first, t.stem) for t in terms)
                spelling = Spelling(key, text, words, capitals)
                self.by_first.setdefault(terms[0].stem, []).append(spelling)
            self.size += 1

    def find(self, text: str | None) -> list[Found]:
        """Every occurrence of every spelling in `text`, in the order of the text. Where
        several begin at the same word, only the longest counts: كوريا الشمالية is no mention
        of كوريا (while بوتين inside زيارة بوتين إلى بيونغ يانغ is one of بوتين)."""
        text = text or ""
        words = words_of(text)
        found: list[Found] = []
        for index, word in enumerate(words):
            if word.term is None:
                continue
            here: list[Found] = []
            for form in word.forms:
                for spelling in self.by_form.get(form, ()):
                    if not spelling.capitals or text[word.start : word.end].isupper():
                        here.append(self._found(spelling, text, word.start, word.end))
            seen = set()
            for stem in word.stems:
                for spelling in self.by_first.get(stem, ()):
                    if id(spelling) in seen:
                        continue
                    seen.add(id(spelling))
                    end = _match(words, index, spelling, text)
                    if end is not None:
                        here.append(self._found(spelling, text, word.start, end))
            if here:
                longest = max(hit.end for hit in here)
                found += [hit for hit in here if hit.end == longest]
        return found

    @staticmethod
    def _found(spelling: Spelling, text: str, start: int, end: int) -> Found:
        return Found(spelling.key, spelling.text, start, end, text[start:end])


def _match(words: list[Word], index: int, spelling: Spelling, text: str) -> int | None:
    """Where in `text` the occurrence of `spelling` that begins at words[index] ends, or None."""
    last = index + spelling.length - 1
    if last >= len(words):
        return None
    wanted = dict(spelling.words)
    for offset in range(1, spelling.length):
        word, before = words[index + offset], words[index + offset - 1]
        if word.start > before.end and not _JOINED.fullmatch(text, before.end, word.start):
            return None  # another sign (a full stop, a comma, a line break) between them
        stem = wanted.get(offset)
        if stem is None:
            if word.term is not None:
                return None  # the spelling has a stop word here, the text a word
        elif word.term is None or stem not in word.stems:
            return None
    return words[last].end
