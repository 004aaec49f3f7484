"""The analyser's SQL functions, rendered from rules.py, and the switch between the SQL
analyser and the C one (native/)."""

from typing import TYPE_CHECKING

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.utils.translation import gettext as _

from .rules import (
    ARTICLES,
    COMMON_FOLDS,
    EXACT_MARK,
    FOLDS,
    MARKS,
    MIN_STEM,
    NFKC_TRIGGER,
    NORMAL_STOP_WORDS,
    PAIR_MARK,
    PROCLITICS,
    SUFFIXES,
    THOUSANDS_SEPARATORS,
    WORD_CHARS,
)

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.backends.utils import CursorWrapper


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


SCHEMA_PLACEHOLDER = "@schema@"


def render_sql() -> str:
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


def text_vectors_sql(*, native: bool) -> str:
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


# The analyser's word rules in C (archive/search/native/archive_analyser.c, built by `make venv` for
# the embedded server): the same vectors as archive_text_vectors_sql, in a tenth of the time.
NATIVE_SQL = """
CREATE OR REPLACE FUNCTION archive_text_vectors_native(
  t text, weight "char", OUT vector tsvector, OUT pairs text[]
)
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS '$libdir/archive_analyser', 'archive_text_vectors_native';
"""


def point_text_vectors(cursor: "CursorWrapper", *, native: bool) -> None:
    """Points archive_text_vectors (which the trigger calls) at the native analyser or the SQL
    one; both functions must exist."""
    cursor.execute("SELECT quote_ident(current_schema())")
    schema = cursor.fetchone()[0]
    cursor.execute(text_vectors_sql(native=native).replace(SCHEMA_PLACEHOLDER, schema))


def use_native_analyser(connection: "BaseDatabaseWrapper") -> bool:
    """Makes the database analyse with the native analyser if its server can load it, and
    with the SQL one otherwise (the library missing, built for another version of PostgreSQL,
    or a user who may not create C functions). Both give the same columns, so no stored
    vector changes. Run after every migrate (ArchiveConfig.ready); returns whether it is the
    native one."""
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


def unindexable(texts: dict[str, str], using: str = DEFAULT_DB_ALIAS) -> dict[str, str]:
    """{name: message} for the texts of `texts` ({name: text}) that the text index cannot
    hold: PostgreSQL refuses a lexeme of 2 kB or more and a vector of 1 MB or more, and with
    them the whole row. The database's own analyser is asked, so that a form can say what
    saving would refuse."""
    problems = {}
    for name, text in texts.items():
        if not text or (
            len(text) < LONG_TEXT and max(map(len, text.split()), default=0) < LONG_RUN
        ):
            continue
        try:
            with transaction.atomic(using=using), connections[using].cursor() as cursor:
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


def analyser_in_use(cursor: "CursorWrapper") -> str:
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
