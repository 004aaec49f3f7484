"""search_vector stored uncompressed, like rank_vector (0012). A search reads it wherever the
text index cannot answer alone: re-ranking the best 200 results by the whole text, testing a
phrase, walking the date index for a word in most of the archive. Decompressing it (pglz)
cost more than everything else, and saved only a quarter of its size (bench/RESULTS.md).

The values already stored are written again uncompressed, by one UPDATE that bypasses the
trigger (nothing is analysed again, but every index takes the new row versions: most of an
hour for a million articles on 2 cores; the table is as large again until VACUUM reclaims the
old versions)."""

from django.db import migrations

UNCOMPRESSED = """
ALTER TABLE archive_article ALTER COLUMN search_vector SET STORAGE EXTERNAL;
ALTER TABLE archive_article DISABLE TRIGGER archive_article_vectors;
UPDATE archive_article SET search_vector = search_vector || ''::tsvector
  WHERE pg_column_compression(search_vector) IS NOT NULL;
ALTER TABLE archive_article ENABLE TRIGGER archive_article_vectors;
"""

COMPRESSED = """
ALTER TABLE archive_article ALTER COLUMN search_vector SET STORAGE EXTENDED;
"""


class Migration(migrations.Migration):
    dependencies = [("archive", "0014_search_pair_vector")]

    operations = [migrations.RunSQL(UNCOMPRESSED, COMPRESSED)]
