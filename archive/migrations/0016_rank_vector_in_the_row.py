"""rank_vector kept in the table's row, not out of line: a search with more than 200 results
reads it for up to 1,000 of them (the quick rank, see archive/search/execution.py), and a value
stored out of line costs a lookup in the TOAST index and a read of the TOAST table on top of
the row's own. PostgreSQL moves a row's largest values out of line until the row is under
toast_tuple_target (about 2 kB by default): rank_vector was out of line for 60% of the ANT
corpus' articles; at 4,000 bytes it stays in the row for 98% of them (bench/RESULTS.md).

The values already stored are written again by one UPDATE that bypasses the trigger (nothing
is analysed again; most of an hour for a million articles on 2 cores; the old row versions
stay until VACUUM)."""

from django.db import migrations

IN_THE_ROW = """
ALTER TABLE archive_article SET (toast_tuple_target = 4000);
ALTER TABLE archive_article DISABLE TRIGGER archive_article_vectors;
UPDATE archive_article SET rank_vector = rank_vector || ''::tsvector
  WHERE rank_vector IS NOT NULL;
ALTER TABLE archive_article ENABLE TRIGGER archive_article_vectors;
"""

DEFAULT = """
ALTER TABLE archive_article RESET (toast_tuple_target);
"""


class Migration(migrations.Migration):
    dependencies = [("archive", "0015_search_vector_uncompressed")]

    operations = [migrations.RunSQL(IN_THE_ROW, DEFAULT)]
