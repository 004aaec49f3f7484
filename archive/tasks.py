"""Background jobs (procrastinate, a job queue kept in PostgreSQL): the admin's imports, and
the upkeep that fails imports whose worker died, removes old import files and keeps the
search vocabulary up to date with what is public.

The worker is `manage.py procrastinate worker` (`make run` starts one). Imports share a lock,
so they run one at a time, in the order they were queued.
"""

import datetime as dt
import shutil

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from procrastinate import JobContext, exceptions, jobs
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob

from . import imports, search, tagging
from .models import Article, ImportRun

IMPORTS_QUEUE = "imports"
UPKEEP_QUEUE = "upkeep"
# A worker that has not sent its heartbeat for this long is taken for dead.
STALLED_AFTER = 120  # seconds

# Stored in the run in the site's language (the worker has no request to choose another).
STOPPED = _(
    "The worker was stopped during this import (shut down, or asked to stop it). The rows"
    " written before are in the archive: import the file again to add the rest; rows already"
    " there are skipped."
)
SILENT = _(
    "The worker running this import stopped answering (killed, or its machine lost). The rows"
    " written before are in the archive: import the file again to add the rest; rows already"
    " there are skipped."
)
LOST = _(
    "This import's job was cancelled or lost before the import ended. Import the file again;"
    " rows already in the archive are skipped."
)


@app.task(name="archive.run_import", queue=IMPORTS_QUEUE, pass_context=True)
def run_import(context: JobContext, run_id: int):
    run = ImportRun.objects.select_related("uploaded_by").get(pk=run_id)
    if not run.start():
        return  # no longer queued: failed by the upkeep meanwhile
    rejects = run.working_rejects_path

    def on_batch(summary):
        run.record_progress(summary)
        if context.should_abort():
            raise exceptions.JobAborted

    try:
        with run.recorded():
            summary = imports.import_file(
                run.upload_path,
                run.field_map,
                status=run.article_status,
                update=run.update_existing,
                quiet=True,
                rejects_path=rejects,
                user=run.uploaded_by,
                on_batch=on_batch,
            )
    except imports.ImportError_ as exc:
        run.fail(str(exc).replace(str(run.upload_path), run.file_name), kept(rejects))
    except exceptions.JobAborted:
        run.fail(str(STOPPED), kept(rejects))
        raise
    except Exception as exc:  # recorded for the editor, then logged by the worker
        run.fail(f"{type(exc).__name__}: {exc}", kept(rejects))
        raise
    else:
        run.finish(summary, kept(rejects))
        if summary.created or summary.updated:
            search.refresh_vocabulary()
            tagging.record_import_suggestions(run)
    finally:
        connection.close()  # a long job's connection is not kept by the worker's thread


def queue_upload(upload, user, mapping, status, update):
    """Store the upload, record its run and queue its job; UploadRefused keeps nothing."""
    stored, text_size = ImportRun.store(upload)
    with transaction.atomic():
        run = ImportRun.objects.create(
            uploaded_by=user,
            file_name=upload.name[:255],
            stored_file=stored,
            file_size=upload.size,
            text_size=text_size,
            field_map=mapping,
            article_status=status,
            update_existing=update,
        )
        queue_import(run)
    return run


def queue_import(run):
    """Queue the job that runs `run` (in the caller's transaction, with the run itself)."""
    run.job_id = run_import.configure(lock="imports").defer(run_id=run.pk)
    run.save(update_fields=["job_id"])


def kept(rejects):
    """The rejects file's path inside the imports folder, or "" when there is none."""
    if not rejects.exists():
        return ""
    return str(rejects.relative_to(ImportRun.folder()))


@app.periodic(cron="*/5 * * * *")
# The lock runs two of these one after the other (the periodic one and one deferred by hand,
# say): side by side, one could take the other's failed job for a lost one.
@app.task(
    name="archive.fail_stalled_imports",
    queue=UPKEEP_QUEUE,
    queueing_lock="stalled",
    lock="stalled",
)
async def fail_stalled_imports(timestamp: int):
    """Imports whose worker died (no heartbeat): the job and the run are marked failed; so
    are runs whose job is over or gone."""
    stalled = await app.job_manager.get_stalled_jobs(
        task_name=run_import.name, seconds_since_heartbeat=STALLED_AFTER
    )
    for job in stalled:
        await app.job_manager.finish_job_by_id_async(
            job_id=job.id, status=jobs.Status.FAILED, delete_job=False
        )
        await in_thread(fail_run)(job.task_kwargs["run_id"])
    await in_thread(fail_orphaned_runs)()


def fail_run(run_id):
    run = ImportRun.objects.active().filter(pk=run_id).first()
    if run is not None:
        run.fail(str(SILENT), kept(run.working_rejects_path))


def fail_orphaned_runs():
    """Runs still queued or running whose job is over or gone (cancelled in the queue's
    tools, say): nothing would ever end them."""
    live = ProcrastinateJob.objects.filter(status__in=["todo", "doing"]).values("id")
    # The command's runs have no job: the command itself ends them, whatever stops it.
    admin_runs = ImportRun.objects.active().filter(via=ImportRun.Via.ADMIN)
    for run in admin_runs.exclude(job_id__in=live):
        run.fail(str(LOST), kept(run.working_rejects_path))


@app.periodic(cron="17 3 * * *")
@app.task(name="archive.remove_old_import_files", queue=UPKEEP_QUEUE, queueing_lock="retention")
async def remove_old_import_files(timestamp: int):
    """Import files past NEWSROOM_IMPORT_RETENTION_DAYS go; the runs' records stay. Jobs
    that ended that long ago are forgotten by the queue too."""
    await in_thread(remove_old_files)()
    await app.job_manager.delete_old_jobs(
        nb_hours=settings.NEWSROOM_IMPORT_RETENTION_DAYS * 24,
        include_failed=True,
        include_cancelled=True,
        include_aborted=True,
    )


def remove_old_files(now=None):
    """Removes the files of ended runs past retention, and folders no run refers to (an
    upload refused or abandoned) as old; returns how many runs lost their files."""
    now = now or timezone.now()
    runs = list(ImportRun.objects.past_retention(now))
    for run in runs:
        run.remove_files()
    folder = ImportRun.folder()
    if folder.is_dir():
        cutoff = (now - dt.timedelta(days=settings.NEWSROOM_IMPORT_RETENTION_DAYS)).timestamp()
        kept_files = ImportRun.objects.values_list("stored_file", "rejects_file")
        known = {path.split("/")[0] for paths in kept_files for path in paths if path}
        for child in folder.iterdir():
            if child.name not in known and child.stat().st_mtime < cutoff:
                shutil.rmtree(child, ignore_errors=True)
    return len(runs)


@app.periodic(cron="*/5 * * * *")
@app.task(
    name="archive.refresh_search_vocabulary",
    queue=UPKEEP_QUEUE,
    queueing_lock="vocabulary",
    lock="vocabulary",
)
async def refresh_search_vocabulary(timestamp: int):
    """The "did you mean" vocabulary follows what is public: a scheduled article's words join
    it once its time has come, an edited article's words once edited."""
    await in_thread(refresh_vocabulary_if_stale)()


def refresh_vocabulary_if_stale():
    """Refresh the vocabulary when an article has become public, or been changed, since it was
    last made; True when it did. (Deleted articles' words wait for the next refresh.)"""
    since = search.vocabulary_refreshed_at()
    if since is not None:
        # A minute before it: a write committed just after the refresh began, by a
        # transaction that started earlier, is older than `since` and was not seen.
        since -= dt.timedelta(minutes=1)
        changed = Article.objects.filter(
            Q(status=Article.Status.PUBLISHED, published_at__gt=since, published_at__lte=Now())
            | Q(updated_at__gt=since)
        )
        if not changed.exists():
            return False
    search.refresh_vocabulary()
    return True


def in_thread(function):
    """`function` for an async job: run in a thread, its connection closed afterwards."""

    def call(*args):
        try:
            return function(*args)
        finally:
            connection.close()

    return sync_to_async(call, thread_sensitive=False)
