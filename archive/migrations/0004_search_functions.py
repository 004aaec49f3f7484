"""The Arabic analyser's SQL functions (see archive/search/rules.py for the table of rules).

SQL, read from sql/0004_search_functions.sql, is a frozen copy of archive.search.render_sql()
at the time of this migration: a change of the rules is a new migration and a new file
(archive/tests/search/test_parity.py checks that the latest one matches the code). The
functions call each other by schema-qualified name, put in place of @schema@ here.
"""

from django.db import migrations

from archive.migrations.sql import read_sql

SQL = read_sql("0004_search_functions.sql")

DROP_SQL = '\nDROP AGGREGATE IF EXISTS archive_tsvector_agg(tsvector);\nDROP FUNCTION IF EXISTS archive_search_key(text);\nDROP FUNCTION IF EXISTS archive_article_vector(text, text, text);\nDROP FUNCTION IF EXISTS archive_tsvector(text, "char");\nDROP FUNCTION IF EXISTS archive_terms(text);\nDROP FUNCTION IF EXISTS archive_strip_suffixes(text);\nDROP FUNCTION IF EXISTS archive_normalize(text);\n'


def create_functions(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT quote_ident(current_schema())")
        schema = cursor.fetchone()[0]
        cursor.execute(SQL.replace("@schema@", schema))


def drop_functions(apps, schema_editor):
    schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [("archive", "0003_editors_group")]

    operations = [migrations.RunPython(create_functions, drop_functions)]
