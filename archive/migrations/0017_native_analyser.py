"""archive_text_vectors split in two: the SQL analyser is now archive_text_vectors_sql, and
archive_text_vectors (which the trigger calls) calls it, or the native analyser in C that gives
the same vectors where the server can load it (archive/native/; the switch is made after every
migrate by archive.search.use_native_analyser, since it depends on the server, not on the
schema). Nothing stored changes: both give the same columns.

SQL is a frozen copy of archive.search.render_sql() at the time of this migration, kept in
sql/0017_native_analyser.sql; the functions call each other by schema-qualified name, put in
place of @schema@ here.
"""

from django.db import migrations

from archive.migrations.sql import read_sql

SQL = read_sql("0017_native_analyser.sql")

DROP_NEW = """
DROP FUNCTION IF EXISTS archive_text_vectors_native(text, "char");
"""


def run(schema_editor, *statements):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT quote_ident(current_schema())")
        schema = cursor.fetchone()[0]
        for sql in statements:
            cursor.execute(sql.replace("@schema@", schema))


def forward(apps, schema_editor):
    run(schema_editor, SQL)


def backward(apps, schema_editor):
    previous = __import__("archive.migrations.0014_search_pair_vector", fromlist=["SQL"])
    run(
        schema_editor,
        DROP_NEW,
        previous.SQL,
        'DROP FUNCTION IF EXISTS archive_text_vectors_sql(text, "char");',
    )


class Migration(migrations.Migration):
    dependencies = [("archive", "0016_rank_vector_in_the_row")]

    operations = [migrations.RunPython(forward, backward)]
