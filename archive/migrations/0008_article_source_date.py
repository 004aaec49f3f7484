from django.db import migrations, models


class Migration(migrations.Migration):
    """Articles of an outlet by date: a search filtered by outlet finds its newest matches
    through this index (see ArticleQuerySet.bounded)."""

    dependencies = [("archive", "0007_article_content_hash_index")]

    operations = [
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["source", "-published_at"], name="article_source_date"),
        ),
    ]
