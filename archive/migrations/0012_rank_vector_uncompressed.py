"""rank_vector stored uncompressed: ranking reads it for up to 1,000 articles a search, and
decompressing it (pglz) cost more than ranking with it (bench/RESULTS.md, "The search package
(issue 17)"). It stays in the row when the row fits, and goes out of line, still uncompressed,
when it does not.

Applies to the rows written from now on; rows written before keep their compressed value until
they are saved again."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("archive", "0011_search_word_pairs")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE archive_article ALTER COLUMN rank_vector SET STORAGE EXTERNAL",
            "ALTER TABLE archive_article ALTER COLUMN rank_vector SET STORAGE EXTENDED",
        )
    ]
