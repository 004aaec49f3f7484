"""The archive's own vocabulary, for "did you mean": every exact word form of the published
articles with the number of articles it is in, trigram-indexed. Refreshed by
`manage.py refresh_search_vocabulary` (run by `make run`, after imports and editorial saves).

The table is named with its schema: PostgreSQL refreshes materialized views under a safe
search_path."""

from django.db import migrations

SQL = """
DO $do$ BEGIN
EXECUTE format($sql$
  CREATE MATERIALIZED VIEW archive_search_vocabulary AS
    SELECT substr(word, 2) AS word, ndoc
    FROM ts_stat('SELECT search_vector FROM %I.archive_article WHERE status = ''published''')
    WHERE word LIKE '=%%'
$sql$, current_schema());
END $do$;
CREATE UNIQUE INDEX archive_search_vocabulary_word ON archive_search_vocabulary (word);
CREATE INDEX archive_search_vocabulary_trgm
  ON archive_search_vocabulary USING gin (word gin_trgm_ops);
"""

DROP_SQL = "DROP MATERIALIZED VIEW IF EXISTS archive_search_vocabulary;"


class Migration(migrations.Migration):
    dependencies = [("archive", "0005_search_columns")]

    operations = [migrations.RunSQL(SQL, DROP_SQL)]
