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

SQL is a frozen copy of archive.search.render_sql() at the time of this migration, kept in
sql/0014_search_pair_vector.sql; the functions call each other by schema-qualified name, put in
place of @schema@ here.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations

from archive.migrations.sql import read_sql

SQL = read_sql("0014_search_pair_vector.sql")

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
