"""Adjacent words indexed as pairs: archive_tsvector adds, for each two adjacent words (no
stop word between), one lexeme per reading of the pair (stem_stem), so that a two-word phrase is
one exact lookup of the text index instead of a recheck of every vector that has both words.
The stored vectors are computed again (each table's rows rewritten once: on a large archive,
minutes per hundred thousand articles).

SQL is a frozen copy of archive.search.render_sql() at the time of this migration, kept in
sql/0011_search_word_pairs.sql; the functions call each other by schema-qualified name, put in
place of @schema@ here.
"""

from django.db import migrations

from archive.migrations.sql import read_sql

SQL = read_sql("0011_search_word_pairs.sql")

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
