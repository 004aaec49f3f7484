"""search_vector stored uncompressed, like rank_vector (0012). A search reads it wherever the
text index cannot answer alone: re-ranking the best 200 results by the whole text, testing a
phrase, walking the date index for a word in most of the archive. Decompressing it (pglz)
cost more than everything else: reading it for 1,000 ANT articles took 17 ms compressed and
4.9 ms uncompressed, ranking them 15 and 4.5 ms, testing a phrase 13.7 and 4.1 ms. pglz only
saved a quarter of its size (6.2 kB a vector on average against 4.7), which the table's
out-of-line storage now holds (+31% for the ANT corpus' table and indexes).

The values already stored are written again uncompressed, by one UPDATE that bypasses the
trigger (nothing is analysed again, but every index takes the new row versions: 72 s for the
ANT corpus' 30,337 articles on 2 cores, so most of an hour for a million; the table is as
large again until VACUUM reclaims the old versions)."""

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
