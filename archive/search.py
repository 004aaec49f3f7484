"""Arabic full-text search, inside PostgreSQL.

PostgreSQL's stock 'arabic' configuration stems وزير to زير, cannot see that مستشفى and مستشفي are
one word, and loses بوتين once a clitic is attached. This module replaces it with a light
analyser that runs as IMMUTABLE SQL functions (created by migration 0004 from `render_sql()`),
so that the stored columns (generated ones; an article's kept by a trigger) index every write
path alike, and mirrors it in Python for the two things Python does: building queries and
marking the matched words in snippets.
`archive/tests/test_search_parity.py` checks that both sides give the same terms.
An article's columns are made, where the server can load it, by the same rules in C
(archive/native/, rules.h generated from the tables below; see use_native_analyser), checked
against the SQL by `archive/tests/test_native_analyser.py`.

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
article that has both words. A search is then a condition over the two columns (`condition`);
ranking reads the words alone (`to_tsquery`). A trigger computes an article's three columns
(search_vector, rank_vector, pair_vector) from one analysis of each text.
"""

import functools
import html
import itertools
import operator
import re
import unicodedata
from dataclasses import dataclass, field, replace

# --- the rules (the single table both the SQL and the Python are made from) ----------------

FOLDS = {
    "ا": "أإآٱٲٳٵ",
    "ي": "ىیۍې",
    "ه": "ةۀ",
    "ء": "ؤئٶٸ",
    "ك": "کڪگ",
    "ف": "ڤ",
    "ب": "پ",
    "ج": "چ",
    "ز": "ژ",
    **{str(d): "٠١٢٣٤٥٦٧٨٩"[d] + "۰۱۲۳۴۵۶۷۸۹"[d] for d in range(10)},
}
MARKS = (
    "".join(chr(c) for c in range(0x064B, 0x0660))  # tashkeel and hamza marks
    + "\u0670\u0640"  # superscript alef, tatweel
    + "".join(chr(c) for c in range(0x06D6, 0x06EE))  # Quranic annotation marks
    + "\u200c\u200d\u200e\u200f\u061c\u00ad"  # joiners, direction marks, soft hyphen
)
THOUSANDS_SEPARATORS = ",،٬"
# NFKC (step 1) is applied to texts with presentation forms, ligatures or full-width forms.
NFKC_TRIGGER = "[\ufb00-\ufdff\ufe70-\ufeff\uff00-\uffef]"
COMMON_FOLDS = "أإآىةؤئ"  # folded in every text; the rarer folds only where they occur
WORD_CHARS = "0-9a-zß-öø-ÿء-ي"

STOP_WORDS = """
في من على الى إلى عن ان أن إن او أو ما لا لم لن قد ثم كما هذا هذه ذلك تلك هؤلاء هناك هنا التي
الذي الذين اللذين اللتين اللواتي هو هي هم هن انا نحن انت كان كانت يكون تكون كانوا مع عند بين
حتى اذا إذا بعد قبل حيث كل غير منذ خلال ضد نحو لدى عبر ايضا أيضا الا إلا بل لكن لكن انه إنه أنه
انها إنها أنها به له لها لهم فيه فيها منه منها عليه عليها اليه إليه عنه عنها وفي ومن وعلى والى
وإلى وعن وان وأن وإن وما ولا ولم ولن وقد وهو وهي وهذا وهذه وذلك والتي والذي وكان وكانت ومع
وبين وحتى وبعد وقبل وكل فقد فان فإن فيما مما بما كما لما يا و ف ب ل ك
""".split()

ARTICLES = ["وبال", "فبال", "وكال", "ولل", "فلل", "وال", "فال", "بال", "كال", "لل", "ال"]
PROCLITICS = "وفبكل"
SUFFIXES = ["ها", "يه", "ات", "ون", "ين", "ان", "ه", "ا", "ي"]
MIN_STEM = 3

EXACT_MARK = "="
PAIR_MARK = "_"  # joins the stems of two adjacent words into one lexeme (never in a word)
WEIGHTS = {"title": "A", "lead": "B", "body": "C"}


def _fold_table():
    table = {ord(ch): target for target, sources in FOLDS.items() for ch in sources}
    table.update({ord(ch): None for ch in MARKS})
    return table


_FOLD = _fold_table()
_THOUSANDS = re.compile(rf"(?<=[0-9])[{THOUSANDS_SEPARATORS}](?=[0-9]{{3}}(?![0-9]))")
_NON_WORD = re.compile(rf"[^{WORD_CHARS}]+")


def _normal_stop_words():
    words = []
    for word in STOP_WORDS:
        normal = _NON_WORD.sub(" ", unicodedata.normalize("NFKC", word).lower().translate(_FOLD))
        words.append(normal.strip())
    return sorted(set(words), key=lambda w: (-len(w), w))


NORMAL_STOP_WORDS = _normal_stop_words()
_STOP = frozenset(NORMAL_STOP_WORDS)


# --- Python mirror of the SQL functions ----------------------------------------------------


_NFKC_TRIGGER = re.compile(NFKC_TRIGGER)


def normalize(text):
    """Steps 1–6 of the table: the text as the index sees it, words separated by spaces."""
    if _NFKC_TRIGGER.search(text):
        text = unicodedata.normalize("NFKC", text)
    text = text.lower().translate(_FOLD)
    return _NON_WORD.sub(" ", _THOUSANDS.sub("", text)).strip()


@dataclass(frozen=True)
class Term:
    exact: str
    stem: str
    alt: str | None = None
    pos: int = 1  # the word's position in its text, stop words counted

    @property
    def stems(self):
        return (self.stem, self.alt) if self.alt else (self.stem,)


def _strip_suffixes(word):
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            word = word[: -len(suffix)]
    return word


def analyze_word(word, pos=1):
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


def analyze(text):
    """The Terms of a text, in order; stop words are left out but keep their positions."""
    words = normalize(text or "").split()
    return [analyze_word(w, pos) for pos, w in enumerate(words, 1) if w not in _STOP]


# --- SQL, rendered from the same tables ----------------------------------------------------


def _sql_string(text):
    return "'" + text.replace("'", "''") + "'"


def _char_class(chars):
    return "".join(sorted(set(chars)))


SCHEMA_PLACEHOLDER = "@schema@"


def render_sql():
    """The SQL functions of the analyser (run by migration 0004 and by each migration that
    changed them since; frozen in archive/migrations/sql/).

    The functions call each other by schema-qualified name (the migration puts the current
    schema in place of @schema@), so that they work under any search_path: restores and
    maintenance commands run with an empty one.

    Written for speed: every step is one pass of a C function over the whole text (NFKC and
    the rarer folds only when the text needs them), words separated by single spaces."""
    folds = {ch: target for target, sources in FOLDS.items() for ch in sources}
    common_from = COMMON_FOLDS
    common_to = "".join(folds[ch] for ch in COMMON_FOLDS)
    rare_from = "".join(ch for ch in folds if ch not in COMMON_FOLDS)
    rare_to = "".join(folds[ch] for ch in rare_from)
    stop = "{" + ",".join(f'"{w}"' for w in NORMAL_STOP_WORDS) + "}"
    articles = "|".join(ARTICLES)
    suffix_steps = "s"
    # The weighted tsvector of the rows of archive_terms (pos, exact, stem, alt).
    vector_of_terms = (
        "setweight(coalesce(string_agg(\n"
        f"      format('''{EXACT_MARK}%s'':%s ''%s'':%s', exact, pos, stem, pos)\n"
        "        || CASE WHEN alt IS NOT NULL THEN format(' ''%s'':%s', alt, pos) ELSE '' END,\n"
        "      ' ')::tsvector, ''::tsvector), weight)"
    )
    for suffix in SUFFIXES:
        suffix_steps = (
            f"regexp_replace({suffix_steps}, '(\\S{{{MIN_STEM},}}){suffix} ', '\\1 ', 'g')"
        )
    return f"""
CREATE OR REPLACE FUNCTION archive_normalize(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
  SELECT btrim(regexp_replace(regexp_replace(regexp_replace(
    CASE WHEN f ~ {_sql_string("[" + rare_from + "]")}
      THEN translate(f, {_sql_string(rare_from)}, {_sql_string(rare_to)}) ELSE f END,
    {_sql_string("[" + MARKS + "]+")}, '', 'g'),
    '(?<=[0-9])[{THOUSANDS_SEPARATORS}](?=[0-9]{{3}}(?![0-9]))', '', 'g'),
    '[^{WORD_CHARS}]+', ' ', 'g'))
  FROM (SELECT translate(lower(
      CASE WHEN t ~ '{NFKC_TRIGGER}' THEN normalize(t, NFKC) ELSE t END),
    {_sql_string(common_from)}, {_sql_string(common_to)}) AS f) AS folded
$fn$;

CREATE OR REPLACE FUNCTION archive_strip_suffixes(s text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
  SELECT {suffix_steps}
$fn$;

-- The words of a text with their position, exact form, stem and alt (see archive/search.py);
-- stop words are left out but keep their positions. The stems are worked out once for each
-- distinct word, by whole-text passes (MATERIALIZED, so that no step runs twice), and the alt
-- only for the words that start with a proclitic letter.
CREATE OR REPLACE FUNCTION archive_terms(t text)
RETURNS TABLE(pos integer, exact text, stem text, alt text)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
  WITH words AS MATERIALIZED (
    SELECT w.exact, w.pos::integer AS pos
    FROM unnest(string_to_array(@schema@.archive_normalize(t), ' ')) WITH ORDINALITY
      AS w(exact, pos)
    WHERE w.exact <> '' AND w.exact <> ALL ('{stop}'::text[])
  ), distinct_words AS MATERIALIZED (
    SELECT ' ' || string_agg(DISTINCT exact, ' ') || ' ' AS words FROM words
  ), forms AS MATERIALIZED (
    SELECT words,
      regexp_replace(words, ' ({articles})(\\S{{{MIN_STEM}}})', ' \\2', 'g') AS bare
    FROM distinct_words
  ), stems AS MATERIALIZED (
    SELECT v.exact, v.bare, v.stem
    FROM forms, unnest(
      string_to_array(btrim(words), ' '), string_to_array(btrim(bare), ' '),
      string_to_array(btrim(@schema@.archive_strip_suffixes(bare)), ' ')
    ) AS v(exact, bare, stem)
  ), proclitic AS MATERIALIZED (
    SELECT ' ' || string_agg(DISTINCT substr(exact, 2), ' ') || ' ' AS rest
    FROM stems WHERE bare = exact AND exact ~ '^[{PROCLITICS}].{{{MIN_STEM}}}'
  ), alts AS MATERIALIZED (
    SELECT v.rest, v.alt
    FROM proclitic, unnest(
      string_to_array(btrim(rest), ' '),
      string_to_array(btrim(@schema@.archive_strip_suffixes(rest)), ' ')
    ) AS v(rest, alt)
  )
  SELECT words.pos, words.exact, stems.stem, alts.alt
  FROM words
    JOIN stems USING (exact)
    LEFT JOIN alts ON stems.bare = stems.exact AND words.exact ~ '^[{PROCLITICS}]'
      AND alts.rest = substr(words.exact, 2)
$fn$;

-- A weighted tsvector: at each word's position its exact form (marked {EXACT_MARK}), stem and alt.
CREATE OR REPLACE FUNCTION archive_tsvector(t text, weight "char") RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT {vector_of_terms} FROM @schema@.archive_terms(coalesce(t, ''))
$fn$;

-- A text's vector (archive_tsvector's) and its pairs, from one analysis of the text: for each
-- two adjacent words (no stop word between), each reading of the pair (stem{PAIR_MARK}stem, and
-- with the alts). archive_text_vectors, which the trigger calls, is this function or the
-- native one that gives the same (see use_native_analyser).
CREATE OR REPLACE FUNCTION archive_text_vectors_sql(
  t text, weight "char", OUT vector tsvector, OUT pairs text[]
)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  WITH terms AS MATERIALIZED (
    SELECT pos, exact, stem, alt, lead(pos) OVER w AS next_pos,
      lead(stem) OVER w AS next_stem, lead(alt) OVER w AS next_alt
    FROM @schema@.archive_terms(coalesce(t, '')) WINDOW w AS (ORDER BY pos)
  )
  SELECT (SELECT {vector_of_terms} FROM terms),
    ARRAY(
      SELECT pair FROM terms, unnest(ARRAY[
        stem || '{PAIR_MARK}' || next_stem, alt || '{PAIR_MARK}' || next_stem,
        stem || '{PAIR_MARK}' || next_alt, alt || '{PAIR_MARK}' || next_alt
      ]) AS pair
      WHERE next_pos = pos + 1 AND pair IS NOT NULL
    )
$fn$;
{text_vectors_sql(native=False)}
-- An article's pairs (title, lead and body apart: no pair spans two of them), as lexemes
-- alone (no positions, no weights): all that a search for a pair asks of them.
CREATE OR REPLACE FUNCTION archive_pair_vector(pairs text[]) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
  SELECT array_to_tsvector(pairs)
$fn$;

CREATE OR REPLACE FUNCTION archive_article_pairs(title text, lead text, body text)
RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT @schema@.archive_pair_vector(
    (@schema@.archive_text_vectors(title, 'A')).pairs
    || (@schema@.archive_text_vectors(lead, 'B')).pairs
    || (@schema@.archive_text_vectors(body, 'C')).pairs)
$fn$;

-- An article's three search columns, kept by a trigger: each text is analysed once for all
-- three (a generated column each would analyse it again), and only when one of the texts
-- changed (a change of status or outlet leaves them as they are).
CREATE OR REPLACE FUNCTION archive_article_vectors() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  title_v record;
  lead_v record;
  body_v record;
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.search_vector IS NOT NULL
      AND NEW.title IS NOT DISTINCT FROM OLD.title AND NEW.lead IS NOT DISTINCT FROM OLD.lead
      AND NEW.body IS NOT DISTINCT FROM OLD.body THEN
    NEW.search_vector := OLD.search_vector;
    NEW.rank_vector := OLD.rank_vector;
    NEW.pair_vector := OLD.pair_vector;
    RETURN NEW;
  END IF;
  title_v := @schema@.archive_text_vectors(NEW.title, 'A');
  lead_v := @schema@.archive_text_vectors(NEW.lead, 'B');
  body_v := @schema@.archive_text_vectors(NEW.body, 'C');
  NEW.rank_vector := title_v.vector || lead_v.vector;
  NEW.search_vector := NEW.rank_vector || body_v.vector;
  NEW.pair_vector := @schema@.archive_pair_vector(title_v.pairs || lead_v.pairs || body_v.pairs);
  RETURN NEW;
END
$fn$;

CREATE OR REPLACE FUNCTION archive_article_vector(title text, lead text, body text)
RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT @schema@.archive_tsvector(title, 'A')
    || @schema@.archive_tsvector(lead, 'B')
    || @schema@.archive_tsvector(body, 'C')
$fn$;

-- The stems of a name, in order: how a tag's spelling is found inside a query.
CREATE OR REPLACE FUNCTION archive_search_key(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT coalesce(string_agg(stem, ' ' ORDER BY pos), '')
  FROM @schema@.archive_terms(coalesce(t, ''))
$fn$;

DROP AGGREGATE IF EXISTS archive_tsvector_agg(tsvector);
CREATE AGGREGATE archive_tsvector_agg(tsvector) (
  SFUNC = tsvector_concat, STYPE = tsvector, INITCOND = ''
);
"""


def text_vectors_sql(*, native):
    """archive_text_vectors, through the native analyser or the SQL one."""
    call = (
        "@schema@.archive_text_vectors_native(coalesce(t, ''), weight)"
        if native
        else "@schema@.archive_text_vectors_sql(t, weight)"
    )
    return f"""
CREATE OR REPLACE FUNCTION archive_text_vectors(
  t text, weight "char", OUT vector tsvector, OUT pairs text[]
)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT * FROM {call}
$fn$;
"""


# The analyser's word rules in C (archive/native/archive_analyser.c, built by `make venv` for
# the embedded server): the same vectors as archive_text_vectors_sql, in a tenth of the time.
NATIVE_SQL = """
CREATE OR REPLACE FUNCTION archive_text_vectors_native(
  t text, weight "char", OUT vector tsvector, OUT pairs text[]
)
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS '$libdir/archive_analyser', 'archive_text_vectors_native';
"""


def point_text_vectors(cursor, *, native):
    """Points archive_text_vectors (which the trigger calls) at the native analyser or the SQL
    one; both functions must exist."""
    cursor.execute("SELECT quote_ident(current_schema())")
    schema = cursor.fetchone()[0]
    cursor.execute(text_vectors_sql(native=native).replace(SCHEMA_PLACEHOLDER, schema))


def use_native_analyser(connection):
    """Makes the database analyse with the native analyser if its server can load it, and
    with the SQL one otherwise (the library missing, built for another version of PostgreSQL,
    or a user who may not create C functions). Both give the same columns, so no stored
    vector changes. Run after every migrate (ArchiveConfig.ready); returns whether it is the
    native one."""
    from django.db import DatabaseError, transaction

    with connection.cursor() as cursor:
        cursor.execute("""SELECT to_regprocedure('archive_text_vectors_sql(text, "char")')""")
        if cursor.fetchone()[0] is None:
            return False  # migrated to before migration 0017 (or not yet to it): nothing to do
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute(NATIVE_SQL)
            native = True
        except DatabaseError:
            native = False
        point_text_vectors(cursor, native=native)
        if not native:
            cursor.execute('DROP FUNCTION IF EXISTS archive_text_vectors_native(text, "char")')
    return native


# A text the text index may not hold has a run of this many characters without a space (a
# word of 2 kB once normalised: 1,023 Arabic letters, and a ligature such as ﷲ is four), or is
# this long (over 1 MB of lexemes); only such texts are put to the analyser before saving.
LONG_RUN = 200
LONG_TEXT = 50_000


def unindexable(texts):
    """{name: message} for the texts of `texts` ({name: text}) that the text index cannot
    hold: PostgreSQL refuses a lexeme of 2 kB or more and a vector of 1 MB or more, and with
    them the whole row. The database's own analyser is asked, so that a form can say what
    saving would refuse."""
    from django.db import DatabaseError, connection, transaction
    from django.utils.translation import gettext as _

    problems = {}
    for name, text in texts.items():
        if not text or (
            len(text) < LONG_TEXT and max(map(len, text.split()), default=0) < LONG_RUN
        ):
            continue
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT (archive_text_vectors(%s, 'C')).vector IS NULL", [text])
        except DatabaseError as error:
            # Program limits (SQLSTATE class 54): a word or a vector too long. By code, not by
            # message, which a server may give in its own language.
            if not (getattr(error.__cause__, "sqlstate", None) or "").startswith("54"):
                raise
            problems[name] = _(
                "This text cannot be indexed for search: a word in it is too long (over 1,000"
                " letters without a space), or the text is too large. Split it up or shorten it."
            )
    return problems


def analyser_in_use(cursor):
    """'native' or 'sql': which analyser archive_text_vectors calls."""
    cursor.execute(
        "SELECT prosrc FROM pg_proc"
        " WHERE oid = 'archive_text_vectors(text, \"char\")'::regprocedure"
    )
    return "native" if "_native(" in cursor.fetchone()[0] else "sql"


DROP_SQL = """
DROP AGGREGATE IF EXISTS archive_tsvector_agg(tsvector);
DROP FUNCTION IF EXISTS archive_search_key(text);
DROP FUNCTION IF EXISTS archive_article_vectors();
DROP FUNCTION IF EXISTS archive_article_pairs(text, text, text);
DROP FUNCTION IF EXISTS archive_pair_vector(text[]);
DROP FUNCTION IF EXISTS archive_text_vectors(text, "char");
DROP FUNCTION IF EXISTS archive_text_vectors_sql(text, "char");
DROP FUNCTION IF EXISTS archive_text_vectors_native(text, "char");
DROP FUNCTION IF EXISTS archive_article_vector(text, text, text);
DROP FUNCTION IF EXISTS archive_tsvector(text, "char");
DROP FUNCTION IF EXISTS archive_terms(text);
DROP FUNCTION IF EXISTS archive_strip_suffixes(text);
DROP FUNCTION IF EXISTS archive_normalize(text);
"""


# --- queries -------------------------------------------------------------------------------

MAX_QUERY_CHARS = 500
MAX_QUERY_TERMS = 32
OR_WORDS = {"or", "|", "او", "أو"}
_QUERY_TOKENS = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass
class Item:
    """One thing a reader asked for: a word or a quoted phrase, possibly excluded."""

    raw: str
    terms: list
    negated: bool = False
    phrase: bool = False
    alternatives: list = field(default_factory=list)  # [(spelling, [Term, ...]), ...]
    tag: object = None  # the Tag whose spelling this item is, when it is one


@dataclass
class ParsedQuery:
    """The reader's query: AND of groups, each group an OR of items."""

    text: str
    groups: list

    @property
    def positive_items(self):
        return [item for group in self.groups for item in group if not item.negated]

    @property
    def is_empty(self):
        return not self.positive_items


def parse_query(text):
    """Web-search syntax — words (all must match), "phrases", OR, -exclusion — parsed so that
    nothing a reader types raises: unknown operators are plain punctuation, an unclosed quote
    runs to the end, and the query is cut to MAX_QUERY_CHARS."""
    text = (text or "").replace("\x00", " ")[:MAX_QUERY_CHARS]
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


def expand_aliases(parsed):
    """Give every item that is a spelling of a tag the tag's other spellings as alternatives.

    Runs of plain words are searched for spellings longest first (بيونج يانج is two words);
    the spellings come from the database at query time, so an alias added in the admin takes
    effect at once."""
    from .models import Tag

    candidates = {}
    for index, group in enumerate(parsed.groups):
        if len(group) == 1 and group[0].phrase:
            candidates.setdefault(_key(group[0].terms), []).append((index, 1))
    runs = _plain_runs(parsed.groups)
    for run in runs:
        for size in range(min(4, len(run)), 0, -1):
            for start in range(len(run) - size + 1):
                terms = [parsed.groups[i][0].terms[0] for i in run[start : start + size]]
                candidates.setdefault(_key(terms), []).append((run[start], size))
    if not candidates:
        return parsed
    tags = Tag.objects.with_search_keys(list(candidates))
    if not tags:
        return parsed
    taken = set()
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
                if (terms := analyze(spelling)) and _key(terms) != key
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


def prune_alternatives(parsed):
    """Drop a query word's proclitic reading (و ف ب ك ل + the rest) where the archive says the
    word is a word of its own: وزير is far more common than زير, so وزير is not و + زير; but
    لبوتين is rarer than بوتين, so it is ل + بوتين. Documents keep both readings."""
    from django.db import connection

    terms = {t for item in parsed.positive_items for t in item.terms if t.alt}
    if not terms:
        return parsed
    forms = sorted({t.exact for t in terms} | {t.exact[1:] for t in terms})
    with connection.cursor() as cursor:
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


def _key(terms):
    return " ".join(term.stem for term in terms)


def search_key_of(text):
    """The search key of a name, as archive_search_key computes it in SQL."""
    return _key(analyze(text))


def _plain_runs(groups):
    """Indexes of consecutive groups that are one plain word each (same sign)."""
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


def _lexeme(text):
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def _term_query(term):
    if term.alt:
        return f"({_lexeme(term.stem)} | {_lexeme(term.alt)})"
    return _lexeme(term.stem)


def _pair_query(first, second):
    """Two adjacent words as the index keeps them: one lexeme for each reading of the pair."""
    pairs = [_lexeme(a + PAIR_MARK + b) for a in first.stems for b in second.stems]
    return pairs[0] if len(pairs) == 1 else "(" + " | ".join(pairs) + ")"


def _terms_query(terms):
    """A phrase: each word at its distance from the previous one (a stop word between two
    words leaves a gap, as in the index)."""
    query = _term_query(terms[0])
    for previous, term in itertools.pairwise(terms):
        query += f" <{term.pos - previous.pos}> " + _term_query(term)
    return query


def _item_query(item):
    options = [_terms_query(item.terms)]
    options += [_terms_query(terms) for _, terms in item.alternatives]
    body = " | ".join(f"({o})" for o in options) if len(options) > 1 else options[0]
    return f"!({body})" if item.negated else f"({body})"


def to_tsquery(parsed, *, any_word=False):
    """The tsquery text of a parsed query: every group must match (or, with any_word, one
    positive group is enough; exclusions still hold)."""
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


def has_phrase(info):
    """Whether a search has a phrase (its own or an alias's) that PostgreSQL must recheck in
    each vector: with an article's pairs, only a phrase of three words or more, or of two
    words with a stop word between."""
    if info.columns and PAIRS in info.columns:
        node = condition(info.parsed, any_word=info.mode == "any")
        leaves = condition_leaves(node) if node else []
        return any(c == WORDS and re.search(r"<\d+>", q) for _, c, q in leaves)
    return bool(re.search(r"<\d+>", info.tsquery))


def without_phrases(tsquery):
    """The tsquery with every phrase loosened to all of its words (a b for "a b"): what the
    text index can answer exactly, a superset of the phrase's matches."""
    return re.sub(r"<\d+>", "&", tsquery)


# An article's search condition is over two columns: its words (search_vector, with positions,
# for phrases and ranking) and its pairs of adjacent words (pair_vector, lexemes alone). The
# condition is a tree of ("leaf", column, tsquery), ("and", [nodes]), ("or", [nodes]) and
# ("not", node), the leaves of one column merged wherever the logic allows, so that each
# column is read once for most queries.
WORDS, PAIRS = "words", "pairs"


def _spelling_leaves(terms, *, loose=False, alone=True):
    """What one spelling asks of the two columns, all of it: a word asks the words; two
    adjacent words their pair (exact, through the pairs' index); a longer phrase its pairs and
    the phrase itself, which PostgreSQL rechecks in each vector. `loose`: what the text
    indexes answer without reading a vector, every word of the phrase instead of the phrase;
    and, for a spelling that is not `alone` (one of a name's), its words alone: the indexes
    answer an OR of single lookups exactly, not an OR that holds an AND of two columns (which
    PostgreSQL would test row by row, reading both vectors)."""
    if len(terms) == 1:
        return [("leaf", WORDS, _term_query(terms[0]))]
    pairs = [_pair_query(a, b) for a, b in itertools.pairwise(terms) if b.pos - a.pos == 1]
    if len(terms) == 2 and pairs:
        return [("leaf", PAIRS, pairs[0])]
    phrase = _terms_query(terms)
    if loose and not alone:
        return [("leaf", WORDS, without_phrases(phrase))]
    leaves = [("leaf", PAIRS, " & ".join(pairs))] if pairs else []
    return [*leaves, ("leaf", WORDS, without_phrases(phrase) if loose else phrase)]


def _joined(kind, nodes):
    """`nodes` joined by "and" or "or": nested nodes of the same kind flattened, and the leaves
    of each column merged into one."""
    flat = []
    for node in nodes:
        flat += node[1] if node[0] == kind else [node]
    joiner = " & " if kind == "and" else " | "
    by_column, others = {}, []
    for node in flat:
        if node[0] == "leaf":
            by_column.setdefault(node[1], []).append(node[2])
        else:
            others.append(node)
    merged = [
        ("leaf", column, joiner.join(f"({q})" for q in queries) if len(queries) > 1 else queries[0])
        for column, queries in by_column.items()
    ]
    joined = merged + others
    return joined[0] if len(joined) == 1 else (kind, joined)


def _item_condition(item, *, loose=False, alone=True):
    """An item's condition; `alone`: whether it is ANDed with the rest of the query (not one
    side of an OR)."""
    spellings = [item.terms, *(terms for _, terms in item.alternatives)]
    alone = alone and len(spellings) == 1
    node = _joined(
        "or", [_joined("and", _spelling_leaves(t, loose=loose, alone=alone)) for t in spellings]
    )
    if not item.negated:
        return node
    return ("leaf", node[1], f"!({node[2]})") if node[0] == "leaf" else ("not", node)


def condition(parsed, *, any_word=False, loose=False):
    """The condition tree of a parsed query over an article's words and pairs (None when it
    asks for nothing). `loose`: a superset that the text indexes answer alone, every phrase
    loosened to its words and pairs, the exclusions left out (see SearchQuerySetMixin)."""
    positive, negative = [], []
    for group in parsed.groups:
        if group[0].negated:
            negative.append(_item_condition(group[0]))
        else:
            alone = len(group) == 1 and not any_word
            items = [_item_condition(i, loose=loose, alone=alone) for i in group]
            positive.append(_joined("or", items))
    if not positive:
        return None
    node = _joined("or" if any_word else "and", positive)
    return node if loose or not negative else _joined("and", [node, *negative])


def sure_condition(node):
    """The part of a condition tree that the text indexes answer exactly, without reading a
    vector: its branches that hold no phrase to recheck (and no exclusion). A row that meets
    it meets the whole condition, so only the other rows need their phrases tested. None when
    no part is sure."""
    if node[0] == "leaf":
        phrase = node[1] == WORDS and re.search(r"<\d+>", node[2])
        return None if phrase or "!" in node[2] else node
    if node[0] == "or":
        parts = [part for part in map(sure_condition, node[1]) if part is not None]
        return _joined("or", parts) if parts else None
    if node[0] == "and":
        return node if all(sure_condition(child) is not None for child in node[1]) else None
    return None


def unsure_condition(node):
    """What a row that sure_condition did not find must meet: the branches of the condition
    that are not sure (a row that fails the sure ones can only meet the others), so that a
    row's vector is read for its phrase alone; the whole condition when it is not an OR."""
    if node[0] != "or":
        return node
    rest = [child for child in node[1] if sure_condition(child) is None]
    return _joined("or", rest) if rest else node


def condition_leaves(node):
    if node[0] == "leaf":
        return [node]
    if node[0] == "not":
        return condition_leaves(node[1])
    return [leaf for child in node[1] for leaf in condition_leaves(child)]


def condition_expression(node, columns):
    """The condition tree as a Django expression, over `columns` ({WORDS: field, PAIRS:
    field})."""
    from django.db.models import Q

    if node[0] == "leaf":
        return matches(node[2], columns[node[1]])
    if node[0] == "not":
        return ~Q(condition_expression(node[1], columns))
    parts = [Q(condition_expression(child, columns)) for child in node[1]]
    return functools.reduce(operator.and_ if node[0] == "and" else operator.or_, parts)


def exact_tsquery(parsed):
    """The exact forms the reader typed, any of them: ranks exact matches above stems."""
    forms = {EXACT_MARK + t.exact for item in parsed.positive_items for t in item.terms}
    return " | ".join(_lexeme(f) for f in sorted(forms))


# --- snippets ------------------------------------------------------------------------------

SNIPPET_WORDS = 36


def _pattern_stems(pattern):
    return {stem for stems in pattern for stem in stems}


_UNFOLDED = {target: target + sources for target, sources in FOLDS.items()}
_MARKS_BETWEEN = "[" + re.escape(MARKS) + "]*"


@functools.lru_cache(maxsize=256)
def _stems_finder(stems):
    """A regular expression that finds any of `stems` (normalised forms) in a text that is
    not: each letter as itself or any letter that folds into it, in either case, with marks
    (which normalisation deletes) allowed between letters."""

    def unfolded(stem):
        return _MARKS_BETWEEN.join(
            f"[{re.escape(_UNFOLDED[ch])}]" if ch in _UNFOLDED else re.escape(ch) for ch in stem
        )

    longest_first = sorted(stems, key=lambda s: (-len(s), s))
    return re.compile("|".join(unfolded(stem) for stem in longest_first), re.IGNORECASE)


@functools.lru_cache(maxsize=65_536)
def _word_stems(word):
    """The stem sets of one written word (a word of text.split(): punctuation may make it
    several terms, a stop word none). Kept: the same words come back in every snippet."""
    return tuple(frozenset(term.stems) for term in analyze(word))


def highlight(text, patterns, *, limit=SNIPPET_WORDS):
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
    candidates, index, position = [], 0, 0
    for found in finder.finditer(joined):
        index += joined.count(" ", position, found.start())
        position = found.start()
        if not candidates or candidates[-1] != index:
            candidates.append(index)

    def stems_of(index):
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


def _match_at(index, pattern, stems_of, size):
    """The word indexes matched by `pattern` starting at word `index`, or None. Words that
    are only stop words or punctuation may stand between the words of a phrase."""
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


def highlight_none(text, *, limit=SNIPPET_WORDS):
    """The opening words of a text, escaped: the snippet of a hit whose match is elsewhere."""
    words = (text or "").split()
    suffix = " …" if len(words) > limit else ""
    return html.escape(" ".join(words[:limit])) + suffix


# --- the QuerySet side ---------------------------------------------------------------------

# Above LARGE estimated matches, rank, count facets and page within the CANDIDATES newest
# matches (see ArticleQuerySet.bounded); the total is then an estimate, shown as "about".
LARGE = 1_000
CANDIDATES = 1_000
RERANK = 200  # more settled results than this: rank by title and lead, re-rank the best by all
# Fewer estimated matches than this (and no phrase): all of them at once, through the text
# index, with their number (reading 20,000 rows' ids costs ~20 ms; no vector is read).
ONE_QUERY_BELOW = 20_000
# ... unless they are more than LARGE and this share of the rows searched or more: the
# windows then find the newest CANDIDATES among a few thousand rows, where counting them
# all exactly reads every match (الرئيس on the ANT corpus: 13,000 matches, 43%, ~20 ms
# counted against ~5 ms through the windows; the total is then the planner's estimate).
ONE_QUERY_SHARE = 0.1
FIRST_WINDOW = 40_000  # the most articles the first window of a bounded search covers
# A first window this many times the planner's estimate of the rows searched (or more) is
# taken to cover them all: no edge is looked for in the date index.
WHOLE_WINDOW = 1.25
# Walk the date index rather than read the text index when matches² > WALK_ABOVE × rows:
# 35 µs a row tested × CANDIDATES / share against 0.13 µs a posting × matches. (Measured with
# compressed vectors; uncompressed ones (migration 0015) cost ~5 µs a row in memory, ~200 µs
# from disk: a walk is cheaper than this says when the archive fits in memory.)
WALK_ABOVE = 270_000
PHRASE_SLICE = 1_500  # rows whose vectors are read at a time to test a phrase (see bounded)
SUGGEST_BELOW = 3  # fewer results than this: look for a better spelling in the vocabulary
RANK_WEIGHTS = "{0.05, 0.05, 0.2, 1.0}"  # D, C (body), B (lead), A (title)
EXACT_BONUS = 0.3
RANK_NORMALIZATION = 1  # ts_rank_cd: divide by 1 + the logarithm of the document's length
MIN_SIMILARITY = 0.45
SORTS = ("relevance", "newest", "oldest")


@dataclass
class SearchInfo:
    """What a search did, for the page and the API to say: the parsed query, whether it fell
    back to any word, and the names it recognised."""

    parsed: ParsedQuery
    mode: str = "all"  # "all" words, "any" word (fallback), or "none" (nothing to search)
    tsquery: str = ""  # every word and phrase in one tsquery (no pairs): what ranks
    quick_rank: object = None  # the rank by a small vector, for many results (see bounded)
    columns: dict = None  # {WORDS: field} of the rows searched, and {PAIRS: field} if any

    def match(self, *, loose=False):
        """The condition the rows must meet; `loose`, a superset that the text indexes answer
        without reading a vector (see condition). Without a pair column, the tsquery."""
        if PAIRS not in self.columns:
            query = without_phrases(self.tsquery) if loose else self.tsquery
            return matches(query, self.columns[WORDS])
        node = condition(self.parsed, any_word=self.mode == "any", loose=loose)
        return condition_expression(node, self.columns)

    def sure_match(self):
        """(sure, rest): a subset of the condition that the text indexes answer exactly, and
        what the other rows must meet (see sure_condition, unsure_condition); None when no
        part of the condition is sure."""
        if PAIRS not in self.columns:
            return None
        node = condition(self.parsed, any_word=self.mode == "any")
        sure = sure_condition(node) if node else None
        if sure is None:
            return None
        return (
            condition_expression(sure, self.columns),
            condition_expression(unsure_condition(node), self.columns),
        )

    @property
    def patterns(self):
        """What to mark in snippets: every positive word or phrase, with its alternatives."""
        patterns = []
        for item in self.parsed.positive_items:
            for terms in [item.terms, *(terms for _, terms in item.alternatives)]:
                patterns.append([set(term.stems) for term in terms])
        return patterns

    @property
    def expansions(self):
        return [
            {
                "query": item.raw,
                "tag": str(item.tag),
                "spellings": [s for s, _ in item.alternatives],
            }
            for item in self.parsed.positive_items
            if item.tag is not None
        ]


def tsquery_value(text):
    from django.contrib.postgres.search import SearchQueryField
    from django.db.models import Value
    from django.db.models.functions import Cast

    return Cast(Value(text), SearchQueryField())


def matches(tsquery_text, vector="search_vector"):
    from django.db.models import BooleanField, F, Func

    target = F(vector) if isinstance(vector, str) else vector
    return Func(
        target,
        tsquery_value(tsquery_text),
        template="(%(expressions)s)",
        arg_joiner=" @@ ",
        output_field=BooleanField(),
    )


def rank(info, vector="search_vector", *, quick=False):
    """Cover density over the stems (title above lead above body; closer words higher), plus a
    bonus for the exact forms the reader typed.

    `quick`: ts_rank (how often and how close the words are, no covers) instead of ts_rank_cd,
    for the quick stage that picks the RERANK best of many results by the title-and-lead
    vector (see ArticleQuerySet._settled). Cover density costs most with alternatives and
    phrases: for the 1,000 candidates of ترمب (four spellings, two of them phrases) 22 ms
    against 7.6 on the ANT corpus. Over 69 queries of 1,000+ matches there, the first 20
    results after the re-rank came out the same in 68 and the RERANK best 98.7% the same."""
    from django.db.models import F, FloatField, Func, Value

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


def vocabulary_corrections(parsed):
    """{exact form: closest word of the archive} for the words the archive does not have."""
    from django.db import connection

    forms = sorted({t.exact for item in parsed.positive_items for t in item.terms})
    if not forms:
        return {}
    with connection.cursor() as cursor:
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


def edit_distance(a, b):
    """Levenshtein distance (PostgreSQL's is in fuzzystrmatch, which we do not require)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def corrected_query(parsed, corrections):
    """The reader's query with each corrected word replaced, in web-search syntax."""
    groups = []
    for group in parsed.groups:
        items = []
        for item in group:
            words = " ".join(corrections.get(t.exact, t.exact) for t in item.terms)
            if item.phrase:
                words = f'"{words}"'
            items.append(("-" if item.negated else "") + words)
        groups.append(" OR ".join(items))
    return " ".join(groups)


def estimate_rows(*querysets):
    """The planner's estimate of the rows of a queryset (no rows are read); of several, a list
    of them, from one statement: the arms of a UNION ALL keep their own estimates."""
    import json

    from django.db import connection

    rows = [queryset.order_by().values("pk") for queryset in querysets]
    combined = rows[0].union(*rows[1:], all=True) if len(rows) > 1 else rows[0]
    sql, params = combined.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    top = plan[0]["Plan"]
    if len(rows) == 1:
        return int(top["Plan Rows"])
    arms = top.get("Plans", []) if top["Node Type"] == "Append" else []
    if len(arms) != len(rows):  # an arm the planner knew to be empty: one at a time
        return [estimate_rows(queryset) for queryset in querysets]
    return [int(arm["Plan Rows"]) for arm in arms]


def refresh_vocabulary():
    """Make the vocabulary again from the articles public now, and note when. CONCURRENTLY:
    searches keep reading the previous one meanwhile (a plain refresh would hold them)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY archive_search_vocabulary")
        # now(): the start of this transaction, no later than what the refresh saw.
        cursor.execute("UPDATE archive_search_vocabulary_refresh SET refreshed_at = now()")


def vocabulary_refreshed_at():
    """When the vocabulary was last made (see refresh_vocabulary)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT max(refreshed_at) FROM archive_search_vocabulary_refresh")
        return cursor.fetchone()[0]
