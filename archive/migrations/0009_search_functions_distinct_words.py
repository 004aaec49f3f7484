"""The Arabic analyser, faster: each distinct word of a text is stemmed once, and the
proclitic reading is worked out only for the words that start with و ف ب ك ل. The terms are
the same as 0004's (the stored search columns stay valid); about 40% less time per article.

SQL is a frozen copy of archive.search.render_sql() at the time of this migration, kept in
sql/0009_search_functions_distinct_words.sql; the functions call each other by schema-qualified
name, put in place of @schema@ here.
"""

from django.db import migrations

from archive.migrations.sql import read_sql

SQL = read_sql("0009_search_functions_distinct_words.sql")


def replace_functions(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT quote_ident(current_schema())")
        schema = cursor.fetchone()[0]
        cursor.execute(SQL.replace("@schema@", schema))


def restore_functions(apps, schema_editor):
    previous = __import__("archive.migrations.0004_search_functions", fromlist=["SQL"])
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT quote_ident(current_schema())")
        schema = cursor.fetchone()[0]
        cursor.execute(previous.SQL.replace("@schema@", schema))


class Migration(migrations.Migration):
    dependencies = [("archive", "0008_article_source_date")]

    operations = [migrations.RunPython(replace_functions, restore_functions)]
