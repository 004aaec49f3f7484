"""python manage.py merge_tags KEEP MERGED [--different-kinds] [--user USERNAME] [--dry-run]

Merges the tag MERGED into the tag KEEP (each a slug or an id): see archive/merge.py.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from archive.merge import MergeRefused, merge_tags, plan
from archive.models import Tag


class Command(BaseCommand):
    help = "Merge two tags for the same entity: MERGED's articles, claims and names go to KEEP."

    def add_arguments(self, parser):
        parser.add_argument("keep", help="the tag that stays (slug or id)")
        parser.add_argument("merged", help="the tag merged into it and deleted (slug or id)")
        parser.add_argument(
            "--different-kinds",
            action="store_true",
            help="merge even though the tags are of different kinds (the same entity)",
        )
        parser.add_argument("--user", metavar="USERNAME", help="recorded in the history")
        parser.add_argument("--dry-run", action="store_true", help="say what would move, only")

    def handle(self, *args, keep, merged, different_kinds, user, dry_run, **options):
        kept, merged = find(keep), find(merged)
        if user is not None:
            User = get_user_model()
            user = User.objects.filter(**{User.USERNAME_FIELD: user}).first()
            if user is None:
                raise CommandError("--user: no such user")
        try:
            if dry_run:
                carried = plan(kept, merged, different_kinds=different_kinds)
            else:
                carried = merge_tags(
                    kept,
                    merged,
                    user=user,
                    via="command",
                    different_kinds=different_kinds,
                    command="merge_tags",
                )
        except MergeRefused as refusal:
            raise CommandError(str(refusal)) from None
        verb = "would move" if dry_run else "moved"
        self.stdout.write(
            f"{merged.slug} -> {kept.slug}: {verb} {len(carried.articles)} articles,"
            f" {len(carried.claims)} claims, {len(carried.claimed)} claimed statements;"
            f" new aliases: {', '.join(carried.new_aliases) or 'none'}"
        )
        for name, why in carried.dropped:
            self.stdout.write(f"not carried over: {name} ({why})")


def find(key):
    tag = Tag.objects.filter(slug=key).first()
    if tag is None and key.isdigit():
        tag = Tag.objects.filter(pk=int(key)).first()
    if tag is None:
        raise CommandError(f"no tag {key!r} (a slug or an id)")
    return tag
