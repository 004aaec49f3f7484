"""A larger statistics target for search_vector: the planner keeps the 10,000 most common terms
of the archive (not 1,000), with their frequencies. Every term outside that list is estimated
at a fixed 0.5% of the articles, and with word pairs indexed (0011) many common terms fell
outside it: "مجلس الأمن", in 5.5% of the 1M benchmark archive, was estimated at 5,000 articles,
and the search read its 55,000 matches at once (see ArticleQuerySet.bounded). ANALYZE samples
300,000 rows instead of 30,000 (72 s at 1M articles, on 2 cores)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("archive", "0012_rank_vector_uncompressed")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE archive_article ALTER COLUMN search_vector SET STATISTICS 1000",
            "ALTER TABLE archive_article ALTER COLUMN search_vector SET STATISTICS -1",
        )
    ]
