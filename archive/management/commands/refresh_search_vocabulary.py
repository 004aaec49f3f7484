from django.core.management.base import BaseCommand

from archive.search import refresh_vocabulary


class Command(BaseCommand):
    help = (
        "Rebuild the vocabulary behind “did you mean” from the published articles. Run after "
        "imports and periodically (e.g. hourly from cron) on a live archive."
    )

    def handle(self, *args, **options):
        refresh_vocabulary()
        self.stdout.write("Search vocabulary refreshed.")
