"""python manage.py import_articles PATH... [--map target=field,...] [--status draft] [--update]
    [--user USERNAME]

See archive/imports.py for the rules. For the ANT corpus:
  --map title=title,body=text,lead=abstract,source=src,published_at=time_iso,url=url,\
tags=cat,author=author
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from archive import imports, search, workflow


class Command(BaseCommand):
    help = "Import articles from JSON Lines or CSV files, gzipped or not."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument(
            "--map",
            dest="field_map",
            default="",
            help="target=field pairs, e.g. title=title,body=text,source=src,published_at=time_iso"
            " (default: the columns of the archive's own CSV export)",
        )
        parser.add_argument(
            "--status",
            choices=workflow.IMPORT_STATUSES,
            default=workflow.PUBLISHED,
            help="of the new articles; with --user, publishing needs a chief editor"
            " (the permission publish_article)",
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="update articles already in the archive instead of skipping them",
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="who runs the import, with that user's rights; recorded as the last to change"
            " the articles created or updated (without it: the operator, who may publish)",
        )
        parser.add_argument("--batch-size", type=int, default=imports.BATCH_SIZE)
        parser.add_argument("--rejects", help="where to write rejected rows (one input only)")
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="processes sharing each file (one per core makes the most of the machine)",
        )
        parser.add_argument(
            "--no-vocabulary",
            action="store_true",
            help="do not refresh the search vocabulary afterwards",
        )

    def handle(
        self,
        *args,
        paths,
        field_map,
        status,
        update,
        batch_size,
        rejects,
        workers,
        user,
        **options,
    ):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        if not 1 <= workers <= 64:
            raise CommandError("--workers must be between 1 and 64")
        if rejects and len(paths) > 1:
            raise CommandError("--rejects names the file of one input; give one PATH")
        if user is not None:
            User = get_user_model()
            try:
                user = User.objects.get(**{User.USERNAME_FIELD: user})
            except User.DoesNotExist:
                raise CommandError(f"--user: there is no user {user!r}") from None
            with translation.override("en"):
                problem = workflow.import_problem(user, status, update)
            if problem:
                raise CommandError(f"--user {user.get_username()}: {problem}")
        try:
            mapping = imports.parse_map(field_map)
            for path in paths:
                imports.file_format(path)
                with open(path, "rb"):
                    pass
        except (imports.ImportError_, OSError) as exc:
            raise CommandError(str(exc)) from exc
        total = imports.Summary()
        for path in paths:
            try:
                summary = imports.import_file(
                    path,
                    mapping,
                    status=status,
                    update=update,
                    batch_size=batch_size,
                    out=self.stderr._out,
                    quiet=options["verbosity"] == 0,
                    rejects_path=rejects,
                    workers=workers,
                    user=user,
                )
            except imports.ImportError_ as exc:
                raise CommandError(
                    f"{exc} (batches written before this stay; run again to finish)"
                ) from exc
            self.stdout.write(f"{path}: {summary}")
            total.add(summary)
            total.seconds += summary.seconds
        if len(paths) > 1:
            self.stdout.write(f"all files: {total}")
        if not options["no_vocabulary"] and (total.created or total.updated):
            search.refresh_vocabulary()
