"""Adjacent words indexed as pairs: archive_tsvector adds, for each two adjacent words (no
stop word between), one lexeme per reading of the pair (stem_stem), so that a two-word phrase is
one exact lookup of the text index instead of a recheck of every vector that has both words.
The stored vectors are computed again (each table's rows rewritten once: on a large archive,
minutes per hundred thousand articles).

SQL is a frozen copy of archive.search.render_sql() at the time of this migration; the
functions call each other by schema-qualified name, put in place of @schema@ here.
"""

from django.db import migrations

SQL = '\nCREATE OR REPLACE FUNCTION archive_normalize(t text) RETURNS text\nLANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$\n  SELECT btrim(regexp_replace(regexp_replace(regexp_replace(\n    CASE WHEN f ~ \'[ٱٲٳٵیۍېۀٶٸکڪگڤپچژ٠۰١۱٢۲٣۳٤۴٥۵٦۶٧۷٨۸٩۹]\'\n      THEN translate(f, \'ٱٲٳٵیۍېۀٶٸکڪگڤپچژ٠۰١۱٢۲٣۳٤۴٥۵٦۶٧۷٨۸٩۹\', \'اااايييهءءكككفبجز00112233445566778899\') ELSE f END,\n    \'[ًٌٍَُِّْٰٕٖٜٟٓٔٗ٘ٙٚٛٝٞـۖۗۘۙۚۛۜ\u06dd۞ۣ۟۠ۡۢۤۥۦۧۨ۩۪ۭ۫۬\u200c\u200d\u200e\u200f\u061c\xad]+\', \'\', \'g\'),\n    \'(?<=[0-9])[,،٬](?=[0-9]{3}(?![0-9]))\', \'\', \'g\'),\n    \'[^0-9a-zß-öø-ÿء-ي]+\', \' \', \'g\'))\n  FROM (SELECT translate(lower(\n      CASE WHEN t ~ \'[ﬀ-﷿ﹰ-\ufeff\uff00-\uffef]\' THEN normalize(t, NFKC) ELSE t END),\n    \'أإآىةؤئ\', \'ااايهءء\') AS f) AS folded\n$fn$;\n\nCREATE OR REPLACE FUNCTION archive_strip_suffixes(s text) RETURNS text\nLANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$\n  SELECT regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(s, \'(\\S{3,})ها \', \'\\1 \', \'g\'), \'(\\S{3,})يه \', \'\\1 \', \'g\'), \'(\\S{3,})ات \', \'\\1 \', \'g\'), \'(\\S{3,})ون \', \'\\1 \', \'g\'), \'(\\S{3,})ين \', \'\\1 \', \'g\'), \'(\\S{3,})ان \', \'\\1 \', \'g\'), \'(\\S{3,})ه \', \'\\1 \', \'g\'), \'(\\S{3,})ا \', \'\\1 \', \'g\'), \'(\\S{3,})ي \', \'\\1 \', \'g\')\n$fn$;\n\n-- The words of a text with their position, exact form, stem and alt (see archive/search.py);\n-- stop words are left out but keep their positions. The stems are worked out once for each\n-- distinct word, by whole-text passes (MATERIALIZED, so that no step runs twice), and the alt\n-- only for the words that start with a proclitic letter.\nCREATE OR REPLACE FUNCTION archive_terms(t text)\nRETURNS TABLE(pos integer, exact text, stem text, alt text)\nLANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$\n  WITH words AS MATERIALIZED (\n    SELECT w.exact, w.pos::integer AS pos\n    FROM unnest(string_to_array(@schema@.archive_normalize(t), \' \')) WITH ORDINALITY\n      AS w(exact, pos)\n    WHERE w.exact <> \'\' AND w.exact <> ALL (\'{"اللواتي","اللتين","اللذين","الذين","عليها","كانوا","هءلاء","والتي","والذي","وكانت","التي","الذي","اليه","انها","ايضا","تكون","خلال","عليه","عنها","فيما","فيها","كانت","منها","هناك","والي","وبعد","وبين","وحتي","وذلك","وعلي","وقبل","وكان","وهذا","وهذه","يكون","اذا","الا","الي","انا","انت","انه","بعد","بما","بين","تلك","حتي","حيث","ذلك","عبر","علي","عند","عنه","غير","فان","فقد","فيه","قبل","كان","كما","لدي","لكن","لما","لها","لهم","مما","منذ","منه","نحن","نحو","هذا","هذه","هنا","وان","وعن","وفي","وقد","وكل","ولا","ولم","ولن","وما","ومع","ومن","وهو","وهي","ان","او","بل","به","ثم","ضد","عن","في","قد","كل","لا","لم","لن","له","ما","مع","من","هم","هن","هو","هي","يا","ب","ف","ك","ل","و"}\'::text[])\n  ), distinct_words AS MATERIALIZED (\n    SELECT \' \' || string_agg(DISTINCT exact, \' \') || \' \' AS words FROM words\n  ), forms AS MATERIALIZED (\n    SELECT words,\n      regexp_replace(words, \' (وبال|فبال|وكال|ولل|فلل|وال|فال|بال|كال|لل|ال)(\\S{3})\', \' \\2\', \'g\') AS bare\n    FROM distinct_words\n  ), stems AS MATERIALIZED (\n    SELECT v.exact, v.bare, v.stem\n    FROM forms, unnest(\n      string_to_array(btrim(words), \' \'), string_to_array(btrim(bare), \' \'),\n      string_to_array(btrim(@schema@.archive_strip_suffixes(bare)), \' \')\n    ) AS v(exact, bare, stem)\n  ), proclitic AS MATERIALIZED (\n    SELECT \' \' || string_agg(DISTINCT substr(exact, 2), \' \') || \' \' AS rest\n    FROM stems WHERE bare = exact AND exact ~ \'^[وفبكل].{3}\'\n  ), alts AS MATERIALIZED (\n    SELECT v.rest, v.alt\n    FROM proclitic, unnest(\n      string_to_array(btrim(rest), \' \'),\n      string_to_array(btrim(@schema@.archive_strip_suffixes(rest)), \' \')\n    ) AS v(rest, alt)\n  )\n  SELECT words.pos, words.exact, stems.stem, alts.alt\n  FROM words\n    JOIN stems USING (exact)\n    LEFT JOIN alts ON stems.bare = stems.exact AND words.exact ~ \'^[وفبكل]\'\n      AND alts.rest = substr(words.exact, 2)\n$fn$;\n\n-- A weighted tsvector: at each word\'s position its exact form (marked =), stem and alt,\n-- and, when the next word is the very next one (no stop word between), each reading of the\n-- pair as one lexeme (stem_stem): a two-word phrase is one entry of the text index.\nCREATE OR REPLACE FUNCTION archive_tsvector(t text, weight "char") RETURNS tsvector\nLANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$\n  SELECT setweight(coalesce(string_agg(\n      format(\'\'\'=%s\'\':%s \'\'%s\'\':%s\', exact, pos, stem, pos)\n        || CASE WHEN alt IS NOT NULL THEN format(\' \'\'%s\'\':%s\', alt, pos) ELSE \'\' END\n        || CASE WHEN next_pos = pos + 1 THEN\n             format(\' \'\'%s_%s\'\':%s\', stem, next_stem, pos)\n             || CASE WHEN alt IS NOT NULL\n                  THEN format(\' \'\'%s_%s\'\':%s\', alt, next_stem, pos) ELSE \'\' END\n             || CASE WHEN next_alt IS NOT NULL\n                  THEN format(\' \'\'%s_%s\'\':%s\', stem, next_alt, pos) ELSE \'\' END\n             || CASE WHEN alt IS NOT NULL AND next_alt IS NOT NULL\n                  THEN format(\' \'\'%s_%s\'\':%s\', alt, next_alt, pos) ELSE \'\' END\n           ELSE \'\' END,\n      \' \')::tsvector, \'\'::tsvector), weight)\n  FROM (\n    SELECT pos, exact, stem, alt, lead(pos) OVER w AS next_pos,\n      lead(stem) OVER w AS next_stem, lead(alt) OVER w AS next_alt\n    FROM @schema@.archive_terms(coalesce(t, \'\')) WINDOW w AS (ORDER BY pos)\n  ) AS terms\n$fn$;\n\nCREATE OR REPLACE FUNCTION archive_article_vector(title text, lead text, body text)\nRETURNS tsvector\nLANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$\n  SELECT @schema@.archive_tsvector(title, \'A\')\n    || @schema@.archive_tsvector(lead, \'B\')\n    || @schema@.archive_tsvector(body, \'C\')\n$fn$;\n\n-- The stems of a name, in order: how a tag\'s spelling is found inside a query.\nCREATE OR REPLACE FUNCTION archive_search_key(t text) RETURNS text\nLANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$\n  SELECT coalesce(string_agg(stem, \' \' ORDER BY pos), \'\')\n  FROM @schema@.archive_terms(coalesce(t, \'\'))\n$fn$;\n\nDROP AGGREGATE IF EXISTS archive_tsvector_agg(tsvector);\nCREATE AGGREGATE archive_tsvector_agg(tsvector) (\n  SFUNC = tsvector_concat, STYPE = tsvector, INITCOND = \'\'\n);\n'

# Every stored column made by archive_tsvector, through a column each table has: an UPDATE
# computes a row's stored generated columns again.
VECTORS = [
    ("archive_article", "title"),
    ("archive_tag", "name_ar"),
    ("archive_claim", "statement"),
    ("archive_claimappearance", "quote"),
]


def run(schema_editor, sql):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT quote_ident(current_schema())")
        schema = cursor.fetchone()[0]
        cursor.execute(sql.replace("@schema@", schema))
        for table, column in VECTORS:
            cursor.execute(f"UPDATE {table} SET {column} = {column}")


def replace_functions(apps, schema_editor):
    run(schema_editor, SQL)


def restore_functions(apps, schema_editor):
    previous = __import__(
        "archive.migrations.0009_search_functions_distinct_words", fromlist=["SQL"]
    )
    run(schema_editor, previous.SQL)


class Migration(migrations.Migration):
    dependencies = [("archive", "0010_article_rank_vector")]

    operations = [migrations.RunPython(replace_functions, restore_functions)]
