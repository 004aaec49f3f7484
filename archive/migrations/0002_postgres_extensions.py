from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    """pg_trgm and unaccent: the only extensions the archive uses; both ship with PostgreSQL
    and are available on managed servers."""

    dependencies = [("archive", "0001_initial")]

    operations = [TrigramExtension(), UnaccentExtension()]
