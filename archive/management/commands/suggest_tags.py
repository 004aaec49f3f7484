"""python manage.py suggest_tags [--apply] [--article ID ...] [--import-run N] [--all]

The tags whose name or alias occurs in an article's title, lead or body and that the article
does not have yet (archive/tagging.py), one line each: the article, the tag and the words of
the text that matched. A dry run unless --apply, which adds them; the history records the
additions with this command as their context. Running it again adds nothing more.
"""

from django.core.management.base import BaseCommand, CommandError

from archive import tagging
from archive.history import recorded
from archive.models import Article, ImportRun


class Command(BaseCommand):
    help = "Suggest tags from the articles' texts; --apply adds them."

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="add the suggested tags")
        parser.add_argument(
            "--article", type=int, action="append", default=[], metavar="ID", help="(repeatable)"
        )
        parser.add_argument(
            "--import-run", type=int, metavar="N", help="the articles import run N wrote"
        )
        parser.add_argument("--all", action="store_true", help="every article of the archive")

    def handle(self, *args, apply, article, import_run, all, **options):
        chosen = [bool(article), import_run is not None, all]
        if sum(chosen) != 1:
            raise CommandError("give one of --article ID, --import-run N or --all")
        if article:
            articles = Article.objects.filter(pk__in=article)
            missing = set(article) - set(articles.values_list("pk", flat=True))
            if missing:
                raise CommandError(f"no article {', '.join(map(str, sorted(missing)))}")
        elif import_run is not None:
            if not ImportRun.objects.filter(pk=import_run).exists():
                raise CommandError(f"no import run {import_run}")
            articles = tagging.articles_of_run(import_run)
        else:
            articles = Article.objects.all()
        total = added = articles_found = 0
        with recorded("command", command="suggest_tags"):
            for item, suggestions in tagging.suggestions_for_articles(articles):
                articles_found += 1
                for suggestion in suggestions:
                    total += 1
                    words = " · ".join(suggestion.words)
                    self.stdout.write(
                        f"{item.pk}\t{item.title[:60]}\t{suggestion.tag.name_ar}"
                        f" ({suggestion.tag.kind})\t{words}"
                    )
                if apply:
                    added += tagging.add_tags(item.pk, [s.tag.pk for s in suggestions])
        verb = f"added {added}" if apply else "nothing added (dry run; --apply adds them)"
        self.stdout.write(f"{total} suggestions in {articles_found} articles; {verb}")
