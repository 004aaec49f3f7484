"""An index for the import's duplicate check of articles without a url: the same title and
body (archive/imports.py computes the same md5)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("archive", "0006_search_vocabulary")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX archive_article_content_md5"
            " ON archive_article (md5(title || E'\\n' || body))",
            "DROP INDEX IF EXISTS archive_article_content_md5",
        )
    ]
