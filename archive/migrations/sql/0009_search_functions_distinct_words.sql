
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
      ' ')::tsvector, ''::tsvector), weight)
  FROM @schema@.archive_terms(coalesce(t, ''))
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
