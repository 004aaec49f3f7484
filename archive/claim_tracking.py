"""Claims tracked across the archive: the claims related to a claim, and the passages of other
published articles that state it ("where else it appears").

Related claims. A claim is related to another when one of these holds, and only then:
  - the same claimant (Claim.claimant);
  - a figure in the same unit (compared by the analyser's search key, so جنديا = جندي), a tag in
    common, and a date within RELATED_DAYS of one of the claim's dates (its figure's date, its
    appearances' dates, else the dates of the articles they are in);
  - similar wording: the pg_trgm similarity of the two statements' search keys (the analyser's
    stems, without stop words or clitics) at least SIMILAR_WORDING, the pg_trgm default.
Each reason adds to the rank (REASON_WEIGHTS; the wording adds its similarity).

Where else it appears. The claim's figure (digits, "12 ألف", "اثني عشر ألف"...), its claimant's
spellings (name and aliases) and its rarest words are turned into a tsquery over the articles'
search_vector; the best published articles that match (not those the claim already appears in)
are split into sentences, and each sentence is scored by what it states of the claim
(`score_sentence`).
"""

import datetime as dt
import functools
import itertools
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import F, FloatField, Func, Q, Value
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import search
from .models import Article, Claim, ClaimAppearance, public_article
from .search.execution import planned_rows
from .search.query import (
    PAIRS,
    WORDS,
    condition,
    matches,
    parse_query,
    search_key_of,
    to_tsquery,
    tsquery_value,
    without_phrases,
)
from .selectors import public_claims

RELATED_DAYS = 30
SIMILAR_WORDING = 0.3
RELATED_LIMIT = 10
REASON_WEIGHTS = {"claimant": 0.5, "figure": 0.6}

NEAREST_ARTICLES = 100  # the matching articles nearest in time to the claim, to be ranked
WHERE_ELSE_ARTICLES = 15  # the best-ranked of those, whose sentences are scored
WHERE_ELSE_LIMIT = 10
NAME_WORDS = 3  # a tag's spelling of more words is left to its words
PER_ARTICLE = 2  # sentences of one article at most
COMMON_ARTICLES = 1000
KEY_WORDS = 10  # the statement's rarest words that the search asks for (any two of them)


# ---------------------------------------------------------------------------------------------
# Related claims


@dataclass
class Related:
    claim: Claim
    reasons: list[str] = field(default_factory=list)  # said to the editor
    plain_reasons: list[str] = field(default_factory=list)  # said to the reader: no scores
    kinds: list[str] = field(default_factory=list)  # "claimant", "figure", "wording"
    score: float = 0.0


def figure_values(claim):
    return [v for v in (claim.quantity_value, claim.quantity_low, claim.quantity_high) if v]


def claim_dates(claims, appearances):
    """{claim id: the dates it refers to} of `claims`: its figure's, its appearances' (when
    stated, else the article's publication date). `appearances`: those that may be read."""
    dates = {claim.pk: {claim.quantity_date} - {None} for claim in claims}
    rows = appearances.filter(claim__in=list(dates)).values_list(
        "claim_id", "stated_on", "article__published_at"
    )
    for claim_id, stated_on, published_at in rows:
        dates[claim_id].add(stated_on or published_at.date())
    return dates


def within(dates, others, days):
    return any(abs((a - b).days) <= days for a in dates for b in others)


def related_claims(
    claim,
    claims=None,
    appearances=None,
    *,
    days=RELATED_DAYS,
    limit=RELATED_LIMIT,
):
    """The claims related to `claim` (see the module's docstring), best first, each with its
    reasons. `claims` and `appearances`: what may be listed and read (all of them in the
    admin; the public ones on the public page)."""
    claims = Claim.objects.all() if claims is None else claims
    appearances = ClaimAppearance.objects.all() if appearances is None else appearances
    found = {}

    def add(other, kind, reason, score, plain_reason=None):
        entry = found.setdefault(other.pk, Related(other))
        entry.kinds.append(kind)
        entry.reasons.append(reason)
        entry.plain_reasons.append(plain_reason or reason)
        entry.score += score

    others = claims.exclude(pk=claim.pk).select_related("claimant")
    if claim.claimant_id:
        for other in others.filter(claimant_id=claim.claimant_id):
            add(other, "claimant", _("same claimant"), REASON_WEIGHTS["claimant"])

    tag_ids = list(claim.tags.values_list("pk", flat=True))
    unit = search_key_of(claim.quantity_unit)
    if unit and figure_values(claim) and tag_ids:
        same_figure = others.filter(quantity_unit__gt="", tags__in=tag_ids).filter(
            Q(quantity_value__isnull=False)
            | Q(quantity_low__isnull=False)
            | Q(quantity_high__isnull=False)
        )
        same_figure = [o for o in same_figure.distinct() if search_key_of(o.quantity_unit) == unit]
        dates = claim_dates([claim, *same_figure], appearances)
        for other in same_figure:
            if within(dates[claim.pk], dates[other.pk], days):
                reason = ngettext(
                    "same figure unit and tag, within %(days)d day",
                    "same figure unit and tag, within %(days)d days",
                    days,
                ) % {"days": days}
                add(other, "figure", reason, REASON_WEIGHTS["figure"])

    key = claim.search_key
    if key:
        similar = others.filter(search_key__trigram_similar=key).annotate(
            wording=TrigramSimilarity("search_key", Value(key))
        )
        for other in (o for o in similar if o.wording >= SIMILAR_WORDING):
            reason = _("similar wording %(similarity).2f") % {"similarity": other.wording}
            add(other, "wording", reason, other.wording, _("similar wording"))

    ranked = sorted(found.values(), key=lambda r: (-r.score, -r.claim.pk))
    return ranked[:limit]


def public_related_claims(claim):
    """The related claims a reader may see: public claims, dated by public appearances."""
    return related_claims(claim, public_claims(), ClaimAppearance.objects.published())


# ---------------------------------------------------------------------------------------------
# The figure in words

ONES = {
    1: ["واحد"],
    2: ["اثنين", "اثنان"],
    3: ["ثلاثة", "ثلاث"],
    4: ["أربعة", "أربع"],
    5: ["خمسة", "خمس"],
    6: ["ستة", "ست"],
    7: ["سبعة", "سبع"],
    8: ["ثمانية", "ثماني"],
    9: ["تسعة", "تسع"],
    10: ["عشرة", "عشر"],
}
TEENS = {11: ["أحد عشر"], 12: ["اثني عشر", "اثنا عشر"]}
TENS = {20: "عشرين", 30: "ثلاثين", 40: "أربعين", 50: "خمسين", 60: "ستين", 70: "سبعين"}
TENS |= {80: "ثمانين", 90: "تسعين"}
for _n in range(13, 20):
    TEENS[_n] = [f"{word} عشر" for word in ONES[_n - 10]]
SCALES = [(1_000_000_000, ["مليار"], ["مليار"]), (1_000_000, ["مليون"], ["ملايين"])]
SCALES.append((1000, ["ألف"], ["آلاف"]))


def number_words(n):
    """A whole number from 1 to 99 in words (the forms newspapers use), or []."""
    if n in ONES:
        return ONES[n]
    if n in TEENS:
        return TEENS[n]
    if n in TENS:
        return [TENS[n]]
    if 20 < n < 100 and n % 10:
        return [f"{one} و{TENS[n - n % 10]}" for one in ONES[n % 10]]
    return []


def figure_spellings(value):
    """The ways an article may write `value`: 12000, "12 ألف", "اثني عشر ألف"; 1.5 مليون."""
    value = Decimal(value)
    if value != value.to_integral_value():
        return [format(value.normalize(), "f")]
    n = int(value)
    spellings = [str(n)]
    for size, singular, plural in SCALES:
        if n < size or n % (size // 10):
            continue
        count = Decimal(n) / size
        text = format(count.normalize(), "f")
        for word in singular + plural:
            spellings.append(f"{text} {word}")
        if count == count.to_integral_value():
            words = number_words(int(count))
            scale = plural if 3 <= count <= 10 else singular
            spellings += [f"{w} {s}" for w in words for s in scale]
            if count == 1:
                spellings += singular
        break
    return list(dict.fromkeys(spellings))


# ---------------------------------------------------------------------------------------------
# Where else it appears

# Verbs of saying: every claim has one, and they say nothing of what it states.
REPORTING_WORDS = {
    search_key_of(w)
    for w in "قال قالت يقول تقول أكد أكدت أعلن أعلنت ذكر ذكرت أضاف أضافت أشار أشارت".split()
}
SENTENCE_END = re.compile(r"(?<=[.!?؟…])\s+|\s*[\n؛]+\s*")


@dataclass
class Passage:
    article: Article
    sentence: str
    score: float
    matched: list[str]

    @property
    def states_figure(self):
        return _("figure") in self.matched


@dataclass(frozen=True)
class KeyWord:
    """A word of the statement, or a name in it (one of the claim's tags) with its other
    spellings: `runs`, each a run of stem sets, any of which the sentence must hold."""

    query: str  # for the tsquery: the word, or the name's spellings as quoted phrases
    runs: tuple[tuple[frozenset[str], ...], ...]
    weight: float  # its rarity in the public archive

    @property
    def stems(self):
        return frozenset(s for run in self.runs for stems in run for s in stems)

    def found_in(self, stems, all_stems):
        if len(self.runs) == 1 and len(self.runs[0]) == 1:
            return bool(self.runs[0][0] & all_stems)
        return any(contains_run(stems, run) for run in self.runs)


def stem_runs(spellings):
    runs = (tuple(frozenset(t.stems) for t in search.analyze(s)) for s in spellings)
    return tuple(dict.fromkeys(run for run in runs if run))


@dataclass
class Finder:
    """What the finder looks for, made once per claim."""

    claim: Claim
    figures: list[str]  # normalised spellings of the figure
    unit_stems: set[str]
    names: tuple  # the claimant's spellings, each a run of stem sets
    key_words: list[KeyWord]
    pairs: list[tuple[frozenset[str], frozenset[str]]]  # adjacent words of the statement
    common: float = 0.0  # the weight of a word too common to narrow the search
    tsquery: str = ""  # what ranks the articles
    options: list[str] = field(default_factory=list)  # queries, any of which an article meets

    @classmethod
    def for_claim(cls, claim):
        figures = []
        for value in figure_values(claim):
            figures += [search.normalize(s) for s in figure_spellings(value)]
        unit_stems = {s for t in search.analyze(claim.quantity_unit) for s in t.stems}
        names = stem_runs(claim.claimant.spellings) if claim.claimant_id else ()
        named = {s for run in names for stems in run for s in stems}
        figure_words = {w for f in figures for w in f.split()}
        terms = [
            t
            for t in search.analyze(claim.statement)
            if t.exact not in figure_words
            and t.stem not in REPORTING_WORDS
            and not (set(t.stems) & named)
        ]
        # A word that may start with a proclitic (وكوريا) is as common as its other reading.
        forms = {t.exact for t in terms} | {t.exact[1:] for t in terms if t.alt}
        weights, common = word_rarity(forms)
        rarity = {
            t.exact: min(
                weights[t.exact], weights.get(t.exact[1:], math.inf) if t.alt else math.inf
            )
            for t in terms
        }
        key_words, in_names = {}, set()
        # The claim's tags named in the statement, in a few words: a sentence may spell them
        # otherwise (بيونج يانج for بيونغ يانغ), as the alias table says. A name weighs as its
        # rarest word.
        stems = [set(t.stems) for t in terms]
        for tag in claim.tags.prefetch_related("aliases"):
            runs = stem_runs(tag.spellings)
            if len(runs) < 2:
                continue
            for run in (run for run in runs if len(run) <= NAME_WORDS):
                size = len(run)
                at = [
                    i
                    for i in range(len(terms) - size + 1)
                    if all(stems[i + j] & run[j] for j in range(size))
                ]
                if at:
                    words = terms[at[0] : at[0] + size]
                    in_names.update(id(t) for t in words)
                    query = " OR ".join(f'"{s.replace(chr(34), " ")}"' for s in tag.spellings)
                    weight = max(rarity[t.exact] for t in words)
                    key_words.setdefault(f"tag:{tag.pk}", KeyWord(query, runs, weight))
                    break
        for term in terms:
            if id(term) not in in_names:
                runs = ((frozenset(term.stems),),)
                key_words.setdefault(term.stem, KeyWord(term.exact, runs, rarity[term.exact]))
        pairs = [
            (frozenset(a.stems), frozenset(b.stems))
            for a, b in itertools.pairwise(terms)
            if b.pos - a.pos == 1
        ]
        finder = cls(claim, figures, unit_stems, names, list(key_words.values()), pairs, common)
        finder.tsquery = finder.make_tsquery()
        return finder

    def index_queries(self):
        """{column: tsquery} that the text indexes answer without reading any article's
        vector, as the search builds them (search.condition, index_only): a two-word phrase
        ("12 ألف", a two-word name) is one lookup of the pairs' index, a longer one its words;
        the sentences are checked for the phrases afterwards."""
        by_column = {WORDS: [], PAIRS: []}
        for option in self.options:
            parsed = parse_query(option)
            node = condition(parsed, index_only=True)
            leaves = [node] if node and node[0] == "leaf" else []
            if node and node[0] == "or" and all(n[0] == "leaf" for n in node[1]):
                leaves = node[1]
            if not leaves:  # words and pairs together: the words alone
                leaves = [("leaf", WORDS, without_phrases(to_tsquery(parsed)))]
            for _leaf, column, query in leaves:
                by_column[column].append(f"({query})")
        columns = {WORDS: "search_vector", PAIRS: "pair_vector"}
        return {columns[c]: " | ".join(q) for c, q in by_column.items() if q}

    @functools.cached_property
    def probes(self):
        """Every stem the sentences are searched for, and the figure's first words."""
        stems = {s for k in self.key_words for s in k.stems}
        stems |= {s for run in self.names for word in run for s in word}
        return stems | {f.split()[0] for f in self.figures}

    def make_tsquery(self):
        """Articles that give the figure, or name the claimant, or hold two of the claim's
        KEY_WORDS rarest words (a word held by more than COMMON_ARTICLES articles narrows
        nothing: it is left to the sentences' scores)."""
        options = []
        if self.figures:
            options.append(" OR ".join(f'"{f}"' for f in self.figures))
        if self.claim.claimant_id:
            spellings = self.claim.claimant.spellings
            options.append(" OR ".join(f'"{s.replace(chr(34), " ")}"' for s in spellings))
        narrowing = [k for k in self.key_words if k.weight > self.common]
        rarest = sorted(narrowing, key=lambda k: -k.weight)[:KEY_WORDS]
        options += [f"{a.query} {b.query}" for a, b in itertools.combinations(rarest, 2)]
        self.options = [option for option in options if not parse_query(option).is_empty]
        return " | ".join(f"({to_tsquery(parse_query(o))})" for o in self.options)

    def articles(self, exclude, around=None):
        """The public articles (not `exclude`) that match: the NEAREST_ARTICLES published
        nearest to `around` (the claim's date; else the newest), where other reports of a
        claim gather, then the WHERE_ELSE_ARTICLES best of those by ts_rank. Ranking reads
        each article's whole vector: it is done for those few alone."""
        if not self.tsquery:
            return Article.objects.none()
        # Each column through the bitmap of its text index (PLANS["bitmap"]): the planner,
        # which expects many matches, would otherwise read every article's vector in turn.
        public = Article.objects.filter(public_article()).exclude(pk__in=exclude)
        found = {}
        for column, query in self.index_queries().items():
            rows = public.filter(matches(query, column)).values_list("pk", "published_at")
            sql, params = rows.order_by().query.sql_with_params()
            found.update(planned_rows(public.db, sql, params, "bitmap"))
        if around is None:
            order = sorted(found, key=lambda pk: (found[pk], pk), reverse=True)
        else:
            order = sorted(found, key=lambda pk: (abs(found[pk] - around), -pk))
        ids = order[:NEAREST_ARTICLES]
        rank = Func(
            F("search_vector"),
            tsquery_value(self.tsquery),
            function="ts_rank",
            output_field=FloatField(),
        )
        return (
            Article.objects.filter(pk__in=ids)
            .annotate(match_rank=rank)
            .order_by("-match_rank", "-published_at", "-id")
            .select_related("source")[:WHERE_ELSE_ARTICLES]
        )

    def score_sentence(self, sentence):
        """(score, what matched) of one sentence; 0 when it does not state the claim. It
        states it when it gives the figure; or names the claimant and holds a fifth of the
        key words (by weight); or holds nearly half of them, or five that weigh 30%; or holds
        three or more that make half of its own words (a short sentence that says a part of
        the claim). The statement's pairs of adjacent words found in it rank it higher."""
        normal = f" {search.normalize(sentence)} "
        # A stem is a part of its word's normal form: a sentence that holds none of the stems
        # sought, as text, cannot match, and is not analysed.
        if not any(stem in normal for stem in self.probes):
            return 0.0, []
        terms = [t for t in search.analyze(sentence) if t.stem not in REPORTING_WORDS]
        stems = [set(t.stems) for t in terms]
        all_stems = set().union(*stems) if stems else set()
        matched, score = [], 0.0
        figure = any(re.search(rf" [وب]?{re.escape(f)}(?:ا|ان|ين)? ", normal) for f in self.figures)
        if figure:
            matched.append(_("figure"))
            score += 3
            if self.unit_stems & all_stems:
                matched.append(_("unit"))
                score += 1
        named = any(contains_run(stems, name) for name in self.names)
        if named:
            matched.append(_("claimant"))
            score += 2
        total = sum(k.weight for k in self.key_words)
        found = [k for k in self.key_words if k.found_in(stems, all_stems)]
        coverage = sum(k.weight for k in found) / total if total else 0.0
        claim_stems = set().union(*(k.stems for k in self.key_words)) if self.key_words else set()
        share = sum(bool(s & claim_stems) for s in stems) / len(stems) if stems else 0.0
        pairs = list(itertools.pairwise(stems))
        shared_pairs = sum(
            any(x & first and y & second for x, y in pairs) for first, second in self.pairs
        )
        if found:
            matched.append(
                ngettext("%(count)d key word", "%(count)d key words", len(found))
                % {"count": len(found)}
            )
        score += 3 * coverage + 2 * share + 0.5 * shared_pairs
        if not (
            figure
            or (named and coverage >= 0.2)
            or coverage >= 0.45
            or (len(found) >= 5 and coverage >= 0.3)
            or (len(found) >= 3 and coverage >= 0.2 and share >= 0.5)
        ):
            return 0.0, []
        return round(score, 3), matched


def contains_run(stems, name):
    """Whether the sentence's stem sets (`stems`) hold the name's words in a row."""
    size = len(name)
    return any(
        all(stems[i + j] & name[j] for j in range(size)) for i in range(len(stems) - size + 1)
    )


def word_rarity(words):
    """({word: weight}, common): the weights of normalised words, by how few public articles
    hold them (from the search vocabulary, which holds exact forms: a form it does not hold
    weighs as one held by one article, as another form of it may be); and the weight of a
    word held by COMMON_ARTICLES articles."""
    words = list(words)
    total = Article.objects.filter(public_article()).count() or 1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word, ndoc FROM archive_search_vocabulary WHERE word = ANY(%s)", [words]
        )
        counts = dict(cursor.fetchall())
    weights = {w: math.log((total + 1) / (max(counts.get(w, 0), 1) + 0.5)) for w in words}
    return weights, math.log((total + 1) / (COMMON_ARTICLES + 0.5))


def sentences(text):
    return [s.strip() for s in SENTENCE_END.split(text or "") if s and s.strip()]


def where_else(claim, limit=WHERE_ELSE_LIMIT):
    """The passages of published articles the claim does not appear in yet that state it,
    best first: at most PER_ARTICLE sentences of one article, `limit` in all."""
    finder = Finder.for_claim(claim)
    own = claim.appearances.values("article_id")
    dates = sorted(claim_dates([claim], ClaimAppearance.objects.all())[claim.pk])
    around = None
    if dates:
        middle = dates[len(dates) // 2]
        around = dt.datetime.combine(middle, dt.time(12), tzinfo=dt.UTC)
    passages = []
    for article in finder.articles(own, around):
        found = []
        for text in (article.title, article.lead, article.body):
            for sentence in sentences(text):
                score, matched = finder.score_sentence(sentence)
                if score:
                    found.append(Passage(article, sentence, score, matched))
        found.sort(key=lambda p: (-p.states_figure, -p.score))
        passages += found[:PER_ARTICLE]
    # A sentence that gives the claim's figure comes before one that only shares its words.
    passages.sort(
        key=lambda p: (-p.states_figure, -p.score, -p.article.published_at.timestamp())
    )
    return passages[:limit]
