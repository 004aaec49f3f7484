"""python manage.py import_articles PATH... [--map target=field,...] [--status draft] [--update]
    [--user USERNAME] [--no-tag-suggestions]

See archive/imports.py for the rules. For the ANT corpus:
  --map title=title,body=text,lead=abstract,source=src,published_at=time_iso,url=url,\
tags=cat,author=author

Each file is recorded as an import run, like the admin's (who: --user, or nobody for the
operator at the console; the file; the counts; the rejects, kept in the imports folder), and
its writes carry that run in the articles' history. Once a file is in, the tags its articles
mention but do not have are counted on the run (archive/tagging.py; `manage.py suggest_tags
--import-run N` lists and adds them), unless --no-tag-suggestions.
"""

import os
import shutil
import uuid

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from archive import duplicates, imports, search, tagging, workflow
from archive.models import ImportRun


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
            help="who imports, with that account's rights: recorded with the run, in the history"
            " and as the last to change the articles (without it: the operator, who may publish)",
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
            "--no-tag-suggestions",
            action="store_true",
            help="do not look for tag suggestions in the imported articles",
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
            user = importer(user)
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
            run = start_run(path, user, mapping, status, update)
            try:
                with run.recorded():
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
                        on_batch=run.record_progress,
                    )
            except imports.ImportError_ as exc:
                run.fail(str(exc))
                raise CommandError(
                    f"{exc} (batches written before this stay; run again to finish)"
                ) from exc
            except BaseException as exc:  # Ctrl-C included: the run does not stay "running"
                run.fail(f"{type(exc).__name__}: {exc}")
                raise
            run.finish(summary, keep_rejects(summary))
            self.stdout.write(f"{path}: {summary} (import run {run.pk})")
            for line in duplicates.report_lines(summary, run.pk):
                self.stdout.write(line)
            if not options["no_tag_suggestions"] and (summary.created or summary.updated):
                found = tagging.record_import_suggestions(run)
                self.stdout.write(
                    f"tag suggestions: {found['suggestions']:,} in {found['articles']:,} articles"
                    f" (manage.py suggest_tags --import-run {run.pk} lists them, --apply adds them)"
                )
            total.add(summary)
            total.seconds += summary.seconds
        if len(paths) > 1:
            self.stdout.write(f"all files: {total}")
        if not options["no_vocabulary"] and (total.created or total.updated):
            search.refresh_vocabulary()


def importer(username):
    """The account named by --user, held to what it may do in the admin's import."""
    User = get_user_model()
    try:
        user = User.objects.get(**{User.USERNAME_FIELD: username})
    except User.DoesNotExist:
        raise CommandError(f"--user: there is no user {username!r}") from None
    if not user.is_active or not user.has_perm("archive.add_article"):
        raise CommandError(f"--user: {username!r} may not add articles")
    return user  # what it may import (states, --update): workflow.import_problem


def start_run(path, user, mapping, status, update):
    return ImportRun.objects.create(
        via=ImportRun.Via.COMMAND,
        uploaded_by=user,
        file_name=str(path)[-255:],
        file_size=os.path.getsize(path),
        text_size=None,  # not measured: the command reads files of any size
        field_map=mapping,
        article_status=status,
        update_existing=update,
        state=ImportRun.State.RUNNING,
        started_at=timezone.now(),
    )


def keep_rejects(summary):
    """A copy of the rejects file in the imports folder, where the admin offers it for
    download and the upkeep removes it after the retention period; its relative path."""
    if not summary.rejects_path:
        return ""
    relative = f"{uuid.uuid4().hex}/rejects.jsonl"
    kept = ImportRun.folder() / relative
    kept.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(summary.rejects_path, kept)
    return relative
