"""Word pairs in a column and an index of their own (pair_vector), and the three search
columns kept by a trigger instead of generated columns.

With the pairs inside search_vector (0011), every vector grew by ~70%: ranking, the walks along
the date index and phrase rechecks read them all. The pairs now live in pair_vector, lexemes
alone (a pair only has to be found), with a GIN index of its own; search_vector and rank_vector
hold the words again.

Generated columns would analyse each text once per column (the body twice, the title and lead
three times); the trigger archive_article_vectors analyses each once for all three, and only
when a text changes (publishing an article no longer analyses it again).

The columns are dropped and made anew, and every article's computed again (minutes per hundred
thousand articles on a large archive); the tags' and claims' stored vectors too (their pairs go).

SQL is a frozen copy of archive.search.render_sql() at the time of this migration; the
functions call each other by schema-qualified name, put in place of @schema@ here.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations

SQL = '\nCREATE OR REPLACE FUNCTION archive_normalize(t text) RETURNS text\nLANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$\n  SELECT btrim(regexp_replace(regexp_replace(regexp_replace(\n    CASE WHEN f ~ \'[ٱٲٳٵیۍېۀٶٸکڪگڤپچژ٠۰١۱٢۲٣۳٤۴٥۵٦۶٧۷٨۸٩۹]\'\n      THEN translate(f, \'ٱٲٳٵیۍېۀٶٸکڪگڤپچژ٠۰١۱٢۲٣۳٤۴٥۵٦۶٧۷٨۸٩۹\', \'اااايييهءءكككفبجز00112233445566778899\') ELSE f END,\n    \'[ًٌٍَُِّْٰٕٖٜٟٓٔٗ٘ٙٚٛٝٞـۖۗۘۙۚۛۜ\u06dd۞ۣ۟۠ۡۢۤۥۦۧۨ۩۪ۭ۫۬\u200c\u200d\u200e\u200f\u061c\xad]+\', \'\', \'g\'),\n    \'(?<=[0-9])[,،٬](?=[0-9]{3}(?![0-9]))\', \'\', \'g\'),\n    \'[^0-9a-zß-öø-ÿء-ي]+\', \' \', \'g\'))\n  FROM (SELECT translate(lower(\n      CASE WHEN t ~ \'[ﬀ-﷿ﹰ-\ufeff\uff00-\uffef]\' THEN normalize(t, NFKC) ELSE t END),\n    \'أإآىةؤئ\', \'ااايهءء\') AS f) AS folded\n$fn$;\n\nCREATE OR REPLACE FUNCTION archive_strip_suffixes(s text) RETURNS text\nLANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$\n  SELECT regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(s, \'(\\S{3,})ها \', \'\\1 \', \'g\'), \'(\\S{3,})يه \', \'\\1 \', \'g\'), \'(\\S{3,})ات \', \'\\1 \', \'g\'), \'(\\S{3,})ون \', \'\\1 \', \'g\'), \'(\\S{3,})ين \', \'\\1 \', \'g\'), \'(\\S{3,})ان \', \'\\1 \', \'g\'), \'(\\S{3,})ه \', \'\\1 \', \'g\'), \'(\\S{3,})ا \', \'\\1 \', \'g\'), \'(\\S{3,})ي \', \'\\1 \', \'g\')\n$fn$;\n\n-- The words of a text with their position, exact form, stem and alt (see archive/search.py);\n-- stop words are left out but keep their positions. The stems are worked out once for each\n-- distinct word, by whole-text passes (MATERIALIZED, so that no step runs twice), and the alt\n-- only for the words that start with a proclitic letter.\nCREATE OR REPLACE FUNCTION archive_terms(t text)\nRETURNS TABLE(pos integer, exact text, stem text, alt text)\nLANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$\n  WITH words AS MATERIALIZED (\n    SELECT w.exact, w.pos::integer AS pos\n    FROM unnest(string_to_array(@schema@.archive_normalize(t), \' \')) WITH ORDINALITY\n      AS w(exact, pos)\n    WHERE w.exact <> \'\' AND w.exact <> ALL (\'{"اللواتي","اللتين","اللذين","الذين","عليها","كانوا","هءلاء","والتي","والذي","وكانت","التي","الذي","اليه","انها","ايضا","تكون","خلال","عليه","عنها","فيما","فيها","كانت","منها","هناك","والي","وبعد","وبين","وحتي","وذلك","وعلي","وقبل","وكان","وهذا","وهذه","يكون","اذا","الا","الي","انا","انت","انه","بعد","بما","بين","تلك","حتي","حيث","ذلك","عبر","علي","عند","عنه","غير","فان","فقد","فيه","قبل","كان","كما","لدي","لكن","لما","لها","لهم","مما","منذ","منه","نحن","نحو","هذا","هذه","هنا","وان","وعن","وفي","وقد","وكل","ولا","ولم","ولن","وما","ومع","ومن","وهو","وهي","ان","او","بل","به","ثم","ضد","عن","في","قد","كل","لا","لم","لن","له","ما","مع","من","هم","هن","هو","هي","يا","ب","ف","ك","ل","و"}\'::text[])\n  ), distinct_words AS MATERIALIZED (\n    SELECT \' \' || string_agg(DISTINCT exact, \' \') || \' \' AS words FROM words\n  ), forms AS MATERIALIZED (\n    SELECT words,\n      regexp_replace(words, \' (وبال|فبال|وكال|ولل|فلل|وال|فال|بال|كال|لل|ال)(\\S{3})\', \' \\2\', \'g\') AS bare\n    FROM distinct_words\n  ), stems AS MATERIALIZED (\n    SELECT v.exact, v.bare, v.stem\n    FROM forms, unnest(\n      string_to_array(btrim(words), \' \'), string_to_array(btrim(bare), \' \'),\n      string_to_array(btrim(@schema@.archive_strip_suffixes(bare)), \' \')\n    ) AS v(exact, bare, stem)\n  ), proclitic AS MATERIALIZED (\n    SELECT \' \' || string_agg(DISTINCT substr(exact, 2), \' \') || \' \' AS rest\n    FROM stems WHERE bare = exact AND exact ~ \'^[وفبكل].{3}\'\n  ), alts AS MATERIALIZED (\n    SELECT v.rest, v.alt\n    FROM proclitic, unnest(\n      string_to_array(btrim(rest), \' \'),\n      string_to_array(btrim(@schema@.archive_strip_suffixes(rest)), \' \')\n    ) AS v(rest, alt)\n  )\n  SELECT words.pos, words.exact, stems.stem, alts.alt\n  FROM words\n    JOIN stems USING (exact)\n    LEFT JOIN alts ON stems.bare = stems.exact AND words.exact ~ \'^[وفبكل]\'\n      AND alts.rest = substr(words.exact, 2)\n$fn$;\n\n-- A weighted tsvector: at each word\'s position its exact form (marked =), stem and alt.\nCREATE OR REPLACE FUNCTION archive_tsvector(t text, weight "char") RETURNS tsvector\nLANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$\n  SELECT setweight(coalesce(string_agg(\n      format(\'\'\'=%s\'\':%s \'\'%s\'\':%s\', exact, pos, stem, pos)\n        || CASE WHEN alt IS NOT NULL THEN format(\' \'\'%s\'\':%s\', alt, pos) ELSE \'\' END,\n      \' \')::tsvector, \'\'::tsvector), weight) FROM @schema@.archive_terms(coalesce(t, \'\'))\n$fn$;\n\n-- A text\'s vector (archive_tsvector\'s) and its pairs, from one analysis of the text: for each\n-- two adjacent words (no stop word between), each reading of the pair (stem_stem, and\n-- with the alts).\nCREATE OR REPLACE FUNCTION archive_text_vectors(\n  t text, weight "char", OUT vector tsvector, OUT pairs text[]\n)\nLANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$\n  WITH terms AS MATERIALIZED (\n    SELECT pos, exact, stem, alt, lead(pos) OVER w AS next_pos,\n      lead(stem) OVER w AS next_stem, lead(alt) OVER w AS next_alt\n    FROM @schema@.archive_terms(coalesce(t, \'\')) WINDOW w AS (ORDER BY pos)\n  )\n  SELECT (SELECT setweight(coalesce(string_agg(\n      format(\'\'\'=%s\'\':%s \'\'%s\'\':%s\', exact, pos, stem, pos)\n        || CASE WHEN alt IS NOT NULL THEN format(\' \'\'%s\'\':%s\', alt, pos) ELSE \'\' END,\n      \' \')::tsvector, \'\'::tsvector), weight) FROM terms),\n    ARRAY(\n      SELECT pair FROM terms, unnest(ARRAY[\n        stem || \'_\' || next_stem, alt || \'_\' || next_stem,\n        stem || \'_\' || next_alt, alt || \'_\' || next_alt\n      ]) AS pair\n      WHERE next_pos = pos + 1 AND pair IS NOT NULL\n    )\n$fn$;\n\n-- An article\'s pairs (title, lead and body apart: no pair spans two of them), as lexemes\n-- alone (no positions, no weights): all that a search for a pair asks of them.\nCREATE OR REPLACE FUNCTION archive_pair_vector(pairs text[]) RETURNS tsvector\nLANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$\n  SELECT array_to_tsvector(pairs)\n$fn$;\n\nCREATE OR REPLACE FUNCTION archive_article_pairs(title text, lead text, body text)\nRETURNS tsvector\nLANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$\n  SELECT @schema@.archive_pair_vector(\n    (@schema@.archive_text_vectors(title, \'A\')).pairs\n    || (@schema@.archive_text_vectors(lead, \'B\')).pairs\n    || (@schema@.archive_text_vectors(body, \'C\')).pairs)\n$fn$;\n\n-- An article\'s three search columns, kept by a trigger: each text is analysed once for all\n-- three (a generated column each would analyse it again), and only when one of the texts\n-- changed (a change of status or outlet leaves them as they are).\nCREATE OR REPLACE FUNCTION archive_article_vectors() RETURNS trigger\nLANGUAGE plpgsql AS $fn$\nDECLARE\n  title_v record;\n  lead_v record;\n  body_v record;\nBEGIN\n  IF TG_OP = \'UPDATE\' AND OLD.search_vector IS NOT NULL\n      AND NEW.title IS NOT DISTINCT FROM OLD.title AND NEW.lead IS NOT DISTINCT FROM OLD.lead\n      AND NEW.body IS NOT DISTINCT FROM OLD.body THEN\n    NEW.search_vector := OLD.search_vector;\n    NEW.rank_vector := OLD.rank_vector;\n    NEW.pair_vector := OLD.pair_vector;\n    RETURN NEW;\n  END IF;\n  title_v := @schema@.archive_text_vectors(NEW.title, \'A\');\n  lead_v := @schema@.archive_text_vectors(NEW.lead, \'B\');\n  body_v := @schema@.archive_text_vectors(NEW.body, \'C\');\n  NEW.rank_vector := title_v.vector || lead_v.vector;\n  NEW.search_vector := NEW.rank_vector || body_v.vector;\n  NEW.pair_vector := @schema@.archive_pair_vector(title_v.pairs || lead_v.pairs || body_v.pairs);\n  RETURN NEW;\nEND\n$fn$;\n\nCREATE OR REPLACE FUNCTION archive_article_vector(title text, lead text, body text)\nRETURNS tsvector\nLANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$\n  SELECT @schema@.archive_tsvector(title, \'A\')\n    || @schema@.archive_tsvector(lead, \'B\')\n    || @schema@.archive_tsvector(body, \'C\')\n$fn$;\n\n-- The stems of a name, in order: how a tag\'s spelling is found inside a query.\nCREATE OR REPLACE FUNCTION archive_search_key(t text) RETURNS text\nLANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$\n  SELECT coalesce(string_agg(stem, \' \' ORDER BY pos), \'\')\n  FROM @schema@.archive_terms(coalesce(t, \'\'))\n$fn$;\n\nDROP AGGREGATE IF EXISTS archive_tsvector_agg(tsvector);\nCREATE AGGREGATE archive_tsvector_agg(tsvector) (\n  SFUNC = tsvector_concat, STYPE = tsvector, INITCOND = \'\'\n);\n'

COLUMNS = """
ALTER TABLE archive_article DROP COLUMN search_vector, DROP COLUMN rank_vector;
ALTER TABLE archive_article ADD COLUMN search_vector tsvector, ADD COLUMN rank_vector tsvector,
  ADD COLUMN pair_vector tsvector;
ALTER TABLE archive_article ALTER COLUMN rank_vector SET STORAGE EXTERNAL,
  ALTER COLUMN search_vector SET STATISTICS 1000, ALTER COLUMN pair_vector SET STATISTICS 1000;
CREATE TRIGGER archive_article_vectors BEFORE INSERT OR UPDATE ON archive_article
  FOR EACH ROW EXECUTE FUNCTION @schema@.archive_article_vectors();
UPDATE archive_article SET search_vector = NULL;
CREATE INDEX article_search ON archive_article USING gin (search_vector);
CREATE INDEX article_pairs ON archive_article USING gin (pair_vector);
"""

GENERATED_COLUMNS = """
DROP TRIGGER archive_article_vectors ON archive_article;
DROP FUNCTION @schema@.archive_article_vectors();
DROP FUNCTION @schema@.archive_article_pairs(text, text, text);
DROP FUNCTION @schema@.archive_pair_vector(text[]);
DROP FUNCTION @schema@.archive_text_vectors(text, "char");
ALTER TABLE archive_article DROP COLUMN search_vector, DROP COLUMN rank_vector,
  DROP COLUMN pair_vector;
ALTER TABLE archive_article
  ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (@schema@.archive_article_vector(title, lead, body)) STORED,
  ADD COLUMN rank_vector tsvector GENERATED ALWAYS AS (
    @schema@.archive_tsvector(title, 'A') || @schema@.archive_tsvector(lead, 'B')) STORED;
ALTER TABLE archive_article ALTER COLUMN rank_vector SET STORAGE EXTERNAL,
  ALTER COLUMN search_vector SET STATISTICS 1000;
CREATE INDEX article_search ON archive_article USING gin (search_vector);
"""

# The other stored columns made by archive_tsvector, through a column each table has: an
# UPDATE computes a row's stored generated columns again.
VECTORS = [
    ("archive_tag", "name_ar"),
    ("archive_claim", "statement"),
    ("archive_claimappearance", "quote"),
]


def run(schema_editor, *statements):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT quote_ident(current_schema())")
        schema = cursor.fetchone()[0]
        for sql in statements:
            cursor.execute(sql.replace("@schema@", schema))
        for table, column in VECTORS:
            cursor.execute(f"UPDATE {table} SET {column} = {column}")


def forward(apps, schema_editor):
    run(schema_editor, SQL, COLUMNS)


def backward(apps, schema_editor):
    previous = __import__("archive.migrations.0011_search_word_pairs", fromlist=["SQL"])
    run(schema_editor, previous.SQL, GENERATED_COLUMNS)


def vector_field():
    return django.contrib.postgres.search.SearchVectorField(
        editable=False, null=True, serialize=False
    )


class Migration(migrations.Migration):
    dependencies = [("archive", "0013_search_vector_statistics")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forward, backward)],
            state_operations=[
                migrations.AlterField("article", "search_vector", vector_field()),
                migrations.AlterField("article", "rank_vector", vector_field()),
                migrations.AddField("article", "pair_vector", vector_field()),
                migrations.AddIndex(
                    "article",
                    django.contrib.postgres.indexes.GinIndex(
                        fields=["pair_vector"], name="article_pairs"
                    ),
                ),
            ],
        )
    ]
