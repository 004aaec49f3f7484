"""The names inside a query: a tag's spelling found among the reader's words brings the tag's
other spellings along; and a word's proclitic reading dropped where the archive says it is a
word of its own."""

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Protocol

from django.db import DEFAULT_DB_ALIAS, connections

from .analyzer import analyze
from .query import Item, ParsedQuery, terms_key


class Named(Protocol):
    """What the search needs of a tag: its spellings (name and aliases)."""

    @property
    def spellings(self) -> Sequence[str]: ...


# {search key: tag} of the tags one of whose spellings has one of the keys (in the data model:
# Tag.objects.with_search_keys); passed in, so that the search never imports the models.
TagLookup = Callable[[list[str]], dict[str, Named]]


def expand_aliases(parsed: ParsedQuery, tags_by_key: TagLookup) -> ParsedQuery:
    """Give every item that is a spelling of a tag the tag's other spellings as alternatives.

    Runs of plain words are searched for spellings longest first (بيونج يانج is two words);
    `tags_by_key` reads them from the database at query time, so an alias added in the admin
    takes effect at once."""

    candidates: dict[str, list[tuple[int, int]]] = {}  # {key: [(first group, size), ...]}
    for index, group in enumerate(parsed.groups):
        if len(group) == 1 and group[0].phrase:
            candidates.setdefault(terms_key(group[0].terms), []).append((index, 1))
    runs = plain_runs(parsed.groups)
    for run in runs:
        for size in range(min(4, len(run)), 0, -1):
            for start in range(len(run) - size + 1):
                terms = [parsed.groups[i][0].terms[0] for i in run[start : start + size]]
                candidates.setdefault(terms_key(terms), []).append((run[start], size))
    if not candidates:
        return parsed
    tags = tags_by_key(list(candidates))
    if not tags:
        return parsed
    taken: set[int] = set()
    replacements = {}
    for key in sorted(candidates, key=lambda k: -len(k.split())):
        tag = tags.get(key)
        if tag is None:
            continue
        for start, size in candidates[key]:
            span = set(range(start, start + size))
            if span & taken:
                continue
            taken |= span
            items = [parsed.groups[i][0] for i in range(start, start + size)]
            negated = items[0].negated
            raw = " ".join(i.raw for i in items)
            merged = Item(
                raw=raw,
                terms=analyze(raw),
                negated=negated,
                phrase=True,
                tag=tag,
            )
            merged.alternatives = [
                (spelling, terms)
                for spelling in tag.spellings
                if (terms := analyze(spelling)) and terms_key(terms) != key
            ]
            replacements[start] = (size, merged)
    groups, index = [], 0
    while index < len(parsed.groups):
        if index in replacements:
            size, merged = replacements[index]
            groups.append([merged])
            index += size
        else:
            groups.append(parsed.groups[index])
            index += 1
    return ParsedQuery(text=parsed.text, groups=groups)


def prune_alternatives(parsed: ParsedQuery, using: str = DEFAULT_DB_ALIAS) -> ParsedQuery:
    """Drop a query word's proclitic reading (و ف ب ك ل + the rest) where the archive says the
    word is a word of its own: وزير is far more common than زير, so وزير is not و + زير; but
    لبوتين is rarer than بوتين, so it is ل + بوتين. Documents keep both readings."""
    terms = {t for item in parsed.positive_items for t in item.terms if t.alt}
    if not terms:
        return parsed
    forms = sorted({t.exact for t in terms} | {t.exact[1:] for t in terms})
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT word, ndoc FROM archive_search_vocabulary WHERE word = ANY(%s)", [forms]
        )
        frequency = dict(cursor.fetchall())
    for item in parsed.positive_items:
        item.terms = [
            replace(term, alt=None)
            if term.alt and frequency.get(term.exact, 0) > frequency.get(term.exact[1:], 0)
            else term
            for term in item.terms
        ]
    return parsed


def plain_runs(groups: list[list[Item]]) -> list[list[int]]:
    """Indexes of consecutive groups that are one plain word each (same sign)."""
    runs: list[list[int]]
    current: list[int]
    sign: bool | None
    runs, current, sign = [], [], None
    for index, group in enumerate(groups):
        item = group[0]
        plain = len(group) == 1 and not item.phrase and len(item.terms) == 1
        if plain and (not current or item.negated == sign):
            current.append(index)
            sign = item.negated
            continue
        if current:
            runs.append(current)
        current, sign = ([index], item.negated) if plain else ([], None)
    if current:
        runs.append(current)
    return runs
