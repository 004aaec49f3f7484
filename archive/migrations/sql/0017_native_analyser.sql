
CREATE OR REPLACE FUNCTION archive_normalize(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
  SELECT btrim(regexp_replace(regexp_replace(regexp_replace(
    CASE WHEN f ~ '[ٱٲٳٵیۍېۀٶٸکڪگڤپچژ٠۰١۱٢۲٣۳٤۴٥۵٦۶٧۷٨۸٩۹]'
      THEN translate(f, 'ٱٲٳٵیۍېۀٶٸکڪگڤپچژ٠۰١۱٢۲٣۳٤۴٥۵٦۶٧۷٨۸٩۹', 'اااايييهءءكككفبجز00112233445566778899') ELSE f END,
    '[ًٌٍَُِّْٰٕٖٜٟٓٔٗ٘ٙٚٛٝٞـۖۗۘۙۚۛۜ۝۞ۣ۟۠ۡۢۤۥۦۧۨ۩۪ۭ۫۬‌‍‎‏؜­]+', '', 'g'),
    '(?<=[0-9])[,،٬](?=[0-9]{3}(?![0-9]))', '', 'g'),
    '[^0-9a-zß-öø-ÿء-ي]+', ' ', 'g'))
  FROM (SELECT translate(lower(
      CASE WHEN t ~ '[ﬀ-﷿ﹰ-﻿＀-￯]' THEN normalize(t, NFKC) ELSE t END),
    'أإآىةؤئ', 'ااايهءء') AS f) AS folded
$fn$;

CREATE OR REPLACE FUNCTION archive_strip_suffixes(s text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
  SELECT regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(s, '(\S{3,})ها ', '\1 ', 'g'), '(\S{3,})يه ', '\1 ', 'g'), '(\S{3,})ات ', '\1 ', 'g'), '(\S{3,})ون ', '\1 ', 'g'), '(\S{3,})ين ', '\1 ', 'g'), '(\S{3,})ان ', '\1 ', 'g'), '(\S{3,})ه ', '\1 ', 'g'), '(\S{3,})ا ', '\1 ', 'g'), '(\S{3,})ي ', '\1 ', 'g')
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
    WHERE w.exact <> '' AND w.exact <> ALL ('{"اللواتي","اللتين","اللذين","الذين","عليها","كانوا","هءلاء","والتي","والذي","وكانت","التي","الذي","اليه","انها","ايضا","تكون","خلال","عليه","عنها","فيما","فيها","كانت","منها","هناك","والي","وبعد","وبين","وحتي","وذلك","وعلي","وقبل","وكان","وهذا","وهذه","يكون","اذا","الا","الي","انا","انت","انه","بعد","بما","بين","تلك","حتي","حيث","ذلك","عبر","علي","عند","عنه","غير","فان","فقد","فيه","قبل","كان","كما","لدي","لكن","لما","لها","لهم","مما","منذ","منه","نحن","نحو","هذا","هذه","هنا","وان","وعن","وفي","وقد","وكل","ولا","ولم","ولن","وما","ومع","ومن","وهو","وهي","ان","او","بل","به","ثم","ضد","عن","في","قد","كل","لا","لم","لن","له","ما","مع","من","هم","هن","هو","هي","يا","ب","ف","ك","ل","و"}'::text[])
  ), distinct_words AS MATERIALIZED (
    SELECT ' ' || string_agg(DISTINCT exact, ' ') || ' ' AS words FROM words
  ), forms AS MATERIALIZED (
    SELECT words,
      regexp_replace(words, ' (وبال|فبال|وكال|ولل|فلل|وال|فال|بال|كال|لل|ال)(\S{3})', ' \2', 'g') AS bare
    FROM distinct_words
  ), stems AS MATERIALIZED (
    SELECT v.exact, v.bare, v.stem
    FROM forms, unnest(
      string_to_array(btrim(words), ' '), string_to_array(btrim(bare), ' '),
      string_to_array(btrim(@schema@.archive_strip_suffixes(bare)), ' ')
    ) AS v(exact, bare, stem)
  ), proclitic AS MATERIALIZED (
    SELECT ' ' || string_agg(DISTINCT substr(exact, 2), ' ') || ' ' AS rest
    FROM stems WHERE bare = exact AND exact ~ '^[وفبكل].{3}'
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
    LEFT JOIN alts ON stems.bare = stems.exact AND words.exact ~ '^[وفبكل]'
      AND alts.rest = substr(words.exact, 2)
$fn$;

-- A weighted tsvector: at each word's position its exact form (marked =), stem and alt.
CREATE OR REPLACE FUNCTION archive_tsvector(t text, weight "char") RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT setweight(coalesce(string_agg(
      format('''=%s'':%s ''%s'':%s', exact, pos, stem, pos)
        || CASE WHEN alt IS NOT NULL THEN format(' ''%s'':%s', alt, pos) ELSE '' END,
      ' ')::tsvector, ''::tsvector), weight) FROM @schema@.archive_terms(coalesce(t, ''))
$fn$;

-- A text's vector (archive_tsvector's) and its pairs, from one analysis of the text: for each
-- two adjacent words (no stop word between), each reading of the pair (stem_stem, and
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
  SELECT (SELECT setweight(coalesce(string_agg(
      format('''=%s'':%s ''%s'':%s', exact, pos, stem, pos)
        || CASE WHEN alt IS NOT NULL THEN format(' ''%s'':%s', alt, pos) ELSE '' END,
      ' ')::tsvector, ''::tsvector), weight) FROM terms),
    ARRAY(
      SELECT pair FROM terms, unnest(ARRAY[
        stem || '_' || next_stem, alt || '_' || next_stem,
        stem || '_' || next_alt, alt || '_' || next_alt
      ]) AS pair
      WHERE next_pos = pos + 1 AND pair IS NOT NULL
    )
$fn$;

CREATE OR REPLACE FUNCTION archive_text_vectors(
  t text, weight "char", OUT vector tsvector, OUT pairs text[]
)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT * FROM @schema@.archive_text_vectors_sql(t, weight)
$fn$;

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
