"""The Arabic analyser, mirrored in Python: what a text's words are to the search.

PostgreSQL's stock 'arabic' configuration stems وزير to زير, cannot see that مستشفى and مستشفي are
one word, and loses بوتين once a clitic is attached. This package replaces it with a light
analyser that runs as IMMUTABLE SQL functions (created by migration 0004 from `sql.render_sql()`),
so that the stored columns (generated ones; an article's kept by a trigger) index every write
path alike, and mirrors it in Python for the two things Python does: building queries and
marking the matched words in snippets.
`archive/tests/search/test_parity.py` checks that both sides give the same terms.
An article's columns are made, where the server can load it, by the same rules in C
(native/, rules.h generated from rules.py; see sql.use_native_analyser), checked
against the SQL by `archive/tests/search/test_native_analyser.py`.

Analysis of a text, in order
============================

===  ==========================  =============================================================
 1   compatibility forms         NFKC: presentation forms and lam-alef ligatures (ﻻ → لا,
                                 ﷲ → الله), full-width Latin
 2   case                        Latin lower case
 3   letters folded              أ إ آ ٱ ٲ ٳ ٵ → ا · ى ی ۍ ې → ي · ة ۀ → ه · ؤ ئ ٶ ٸ → ء ·
                                 ک ڪ گ → ك · ڤ → ف · پ → ب · چ → ج · ژ → ز
 4   marks deleted               tashkeel (U+064B–065F), superscript alef (U+0670), tatweel,
                                 Quranic marks, ZWJ/ZWNJ, direction marks, soft hyphen
 5   digits                      Arabic-Indic ٠–٩ and Persian ۰–۹ → 0–9; a thousands separator
                                 (, ، ٬) between a digit and three digits is removed, so
                                 10،000 = 10,000 = 10000
 6   words                       anything but a–z, Latin-1 letters, Arabic letters and digits
                                 separates words
 7   stop words                  STOP_WORDS (في، من، على، ...), removed
===  ==========================  =============================================================

Each remaining word (its normalised form is the *exact* form) gets up to two stems, indexed
at the word's position; a query word matches a document word when their stems meet:

- *stem*: the definite article with its proclitics (ال وال فال بال كال لل ولل فلل وبال ...)
  removed when three letters remain, then SUFFIXES removed in order (ها يه ات ون ين ان ه ا ي),
  each when three letters remain: الانتخابات → انتخاب, الحكومة → حكوم, كوريا → كور.
- *alt*: for a word with no article that starts with one of و ف ب ك ل and keeps three letters
  without it, the same without that letter: لبوتين → بوت (while بوتين → بوت, alt وتين). The
  letter may be a proclitic or part of the name: both readings are indexed, so وبوتين,
  لبوتين and بوتين meet on بوت, and فرنسا meets الفرنسي on فرنس.

The document vector holds, at each position, '=' + the exact form (so that exact forms can
rank above stem-only matches), the stem and the alt; title, lead and body carry weights A, B, C.
Each pair of adjacent words (no stop word between) of an article's title, lead or body is also
indexed, in a column of its own (pair_vector, lexemes alone), as one lexeme per reading of the
pair (stem + '_' + stem): a phrase of two words is then one exact lookup in that column's text
index, where the phrase operator (<1>) would make PostgreSQL read and recheck the vector of every
article that has both words. A search is then a condition over the two columns (`query.condition`);
ranking reads the words alone (`query.to_tsquery`). A trigger computes an article's three columns
(search_vector, rank_vector, pair_vector) from one analysis of each text.
"""

import re
import unicodedata
from dataclasses import dataclass

from .rules import (
    ARTICLES,
    FOLD_TABLE,
    MIN_STEM,
    NFKC_TRIGGER,
    NON_WORD,
    NORMAL_STOP_WORDS,
    PROCLITICS,
    SUFFIXES,
    THOUSANDS_SEPARATORS,
)

_NFKC_TRIGGER = re.compile(NFKC_TRIGGER)
_THOUSANDS = re.compile(rf"(?<=[0-9])[{THOUSANDS_SEPARATORS}](?=[0-9]{{3}}(?![0-9]))")
_STOP = frozenset(NORMAL_STOP_WORDS)


def normalize(text: str) -> str:
    """Steps 1–6 of the table: the text as the index sees it, words separated by spaces."""
    if _NFKC_TRIGGER.search(text):
        text = unicodedata.normalize("NFKC", text)
    text = text.lower().translate(FOLD_TABLE)
    return NON_WORD.sub(" ", _THOUSANDS.sub("", text)).strip()


@dataclass(frozen=True)
class Term:
    exact: str
    stem: str
    alt: str | None = None
    pos: int = 1  # the word's position in its text, stop words counted

    @property
    def stems(self) -> tuple[str, ...]:
        return (self.stem, self.alt) if self.alt else (self.stem,)


def _strip_suffixes(word: str) -> str:
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            word = word[: -len(suffix)]
    return word


def analyze_word(word: str, pos: int = 1) -> Term:
    """The Term of one normalised word (not a stop word)."""
    bare = word
    for article in ARTICLES:
        if word.startswith(article) and len(word) - len(article) >= MIN_STEM:
            bare = word[len(article) :]
            break
    alt = None
    if bare == word and word[0] in PROCLITICS and len(word) - 1 >= MIN_STEM:
        alt = _strip_suffixes(word[1:])
    return Term(exact=word, stem=_strip_suffixes(bare), alt=alt, pos=pos)


def analyze(text: str | None) -> list[Term]:
    """The Terms of a text, in order; stop words are left out but keep their positions."""
    words = normalize(text or "").split()
    return [analyze_word(w, pos) for pos, w in enumerate(words, 1) if w not in _STOP]
