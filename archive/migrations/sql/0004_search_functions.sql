
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
-- stop words are left out but keep their positions. Each step is one pass over the text
-- (MATERIALIZED, so that no step is repeated where its result is used twice).
CREATE OR REPLACE FUNCTION archive_terms(t text)
RETURNS TABLE(pos integer, exact text, stem text, alt text)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
  WITH normal AS MATERIALIZED (
    SELECT ' ' || @schema@.archive_normalize(t) || ' ' AS words
  ), forms AS MATERIALIZED (
    SELECT words,
      regexp_replace(words, ' (وبال|فبال|وكال|ولل|فلل|وال|فال|بال|كال|لل|ال)(\S{3})', ' \2', 'g') AS bare,
      regexp_replace(words, ' [وفبكل](\S{3})', ' \1', 'g') AS shorter
    FROM normal
  ), stems AS MATERIALIZED (
    SELECT words, bare, shorter, @schema@.archive_strip_suffixes(bare) AS stem,
      @schema@.archive_strip_suffixes(shorter) AS alt
    FROM forms
  )
  SELECT w.pos::integer, w.exact, w.stem,
    CASE WHEN w.bare = w.exact AND w.shorter <> w.exact THEN w.alt END
  FROM stems,
    unnest(
      string_to_array(btrim(words), ' '), string_to_array(btrim(bare), ' '),
      string_to_array(btrim(shorter), ' '), string_to_array(btrim(stem), ' '),
      string_to_array(btrim(alt), ' ')
    ) WITH ORDINALITY AS w(exact, bare, shorter, stem, alt, pos)
  WHERE w.exact <> '' AND w.exact <> ALL ('{"اللواتي","اللتين","اللذين","الذين","عليها","كانوا","هءلاء","والتي","والذي","وكانت","التي","الذي","اليه","انها","ايضا","تكون","خلال","عليه","عنها","فيما","فيها","كانت","منها","هناك","والي","وبعد","وبين","وحتي","وذلك","وعلي","وقبل","وكان","وهذا","وهذه","يكون","اذا","الا","الي","انا","انت","انه","بعد","بما","بين","تلك","حتي","حيث","ذلك","عبر","علي","عند","عنه","غير","فان","فقد","فيه","قبل","كان","كما","لدي","لكن","لما","لها","لهم","مما","منذ","منه","نحن","نحو","هذا","هذه","هنا","وان","وعن","وفي","وقد","وكل","ولا","ولم","ولن","وما","ومع","ومن","وهو","وهي","ان","او","بل","به","ثم","ضد","عن","في","قد","كل","لا","لم","لن","له","ما","مع","من","هم","هن","هو","هي","يا","ب","ف","ك","ل","و"}'::text[])
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
