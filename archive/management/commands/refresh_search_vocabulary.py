from django.core.management.base import BaseCommand

from archive.imports import analyze_written_tables
from archive.search.suggestions import refresh_vocabulary


class Command(BaseCommand):
    help = (
        "Rebuild the vocabulary behind “did you mean” from the published articles. Run after "
        "imports and periodically (e.g. hourly from cron) on a live archive. The archive's "
        "tables are analysed first, so that a fixture or rows loaded by other means get the "
        "statistics the search's plans rest on."
    )

    def handle(self, *args, **options):
        analyze_written_tables()
        refresh_vocabulary()
        self.stdout.write("Search vocabulary refreshed.")
