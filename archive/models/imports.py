"""Import runs: an upload, its options, its progress and its outcome."""

import datetime as dt
import gzip
import io
import itertools
import json
import shutil
import uuid
import zlib
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..history import recorded
from .articles import Article


class UploadRefused(ValueError):
    """An upload that is not stored, with the reason for the editor."""


class ImportRunQuerySet(models.QuerySet):
    def active(self):
        return self.filter(state__in=[ImportRun.State.QUEUED, ImportRun.State.RUNNING])

    def past_retention(self, now=None):
        """Ended runs older than the retention period whose files are still kept."""
        days = settings.NEWSROOM_IMPORT_RETENTION_DAYS
        cutoff = (now or timezone.now()) - dt.timedelta(days=days)
        return self.filter(
            state__in=[ImportRun.State.FINISHED, ImportRun.State.FAILED],
            finished_at__lt=cutoff,
            files_removed_at__isnull=True,
        )


class ImportRun(models.Model):
    """One import: who started it, the file, its options, its progress and outcome. The
    admin's are run by the worker (archive/tasks.py), the command's by the command itself;
    the record stays after its files are removed (NEWSROOM_IMPORT_RETENTION_DAYS)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        FINISHED = "finished", _("finished")
        FAILED = "failed", _("failed")

    class Via(models.TextChoices):
        ADMIN = "admin", _("the admin's import page")
        COMMAND = "command", _("manage.py import_articles")

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    via = models.CharField(_("started from"), max_length=10, choices=Via, default=Via.ADMIN)
    file_name = models.CharField(_("file"), max_length=255)
    stored_file = models.CharField(
        _("stored as"),
        max_length=255,
        blank=True,
        help_text=_("Inside NEWSROOM_IMPORTS_DIR (the admin's uploads only)."),
    )
    file_size = models.BigIntegerField(_("size in bytes"))
    # Measured for the admin's uploads; the command reads files of any size unmeasured.
    text_size = models.BigIntegerField(_("size in bytes once decompressed"), null=True, blank=True)
    field_map = models.JSONField(_("field map"))
    article_status = models.CharField(
        _("status of the new articles"), max_length=10, choices=Article.Status.choices
    )
    update_existing = models.BooleanField(_("update articles already in the archive"))
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.QUEUED)
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    read = models.PositiveIntegerField(_("rows read"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    skipped = models.PositiveIntegerField(_("skipped as duplicates"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    rejects_file = models.CharField(_("rejects file"), max_length=255, blank=True)
    error = models.TextField(_("error"), blank=True)
    files_removed_at = models.DateTimeField(_("files removed at"), null=True, blank=True)
    job_id = models.BigIntegerField(_("job"), null=True, blank=True)
    # What archive/tagging.py found in the run's articles once it finished: how many articles
    # have tag suggestions, how many in all, and the first few; None before (or if skipped).
    tag_suggestions = models.JSONField(_("tag suggestions"), null=True, blank=True)

    objects = ImportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-queued_at", "-id"]
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["queued", "running", "finished", "failed"]),
                name="importrun_state_known",
            ),
            # A finished import accounts for every row it read.
            models.CheckConstraint(
                condition=~Q(state="finished")
                | Q(read=F("created") + F("updated") + F("skipped") + F("rejected")),
                name="importrun_finished_adds_up",
            ),
        ]

    def __str__(self):
        # In the newsroom's time zone, as every other time the admin shows.
        return f"{self.file_name} ({timezone.localtime(self.queued_at):%Y-%m-%d %H:%M})"

    # --- files ------------------------------------------------------------------------------

    @staticmethod
    def folder():
        return Path(settings.NEWSROOM_IMPORTS_DIR)

    @property
    def upload_path(self):
        return self.folder() / self.stored_file

    @property
    def rejects_path(self):
        return self.folder() / self.rejects_file if self.rejects_file else None

    @property
    def working_rejects_path(self):
        """Where the import writes its rejects, beside the upload (kept as rejects_file)."""
        return self.upload_path.parent / "rejects.jsonl"

    @property
    def own_folder(self):
        """The run's folder inside the imports folder (its upload, its rejects), or None."""
        stored = self.stored_file or self.rejects_file
        return self.folder() / Path(stored).parts[0] if stored else None

    @classmethod
    def store(cls, upload):
        """Keep an upload in a folder of its own; (its path inside the imports folder, its
        size once decompressed). A gzip is read through, a chunk at a time, so that what it
        holds is measured without inflating it in memory; past the limit it is refused."""
        limit = settings.NEWSROOM_IMPORT_MAX_TEXT_MB * 1024 * 1024
        name = upload.name.lower()  # the import reads the format from the name
        suffix = ".csv" if name.removesuffix(".gz").endswith(".csv") else ".jsonl"
        suffix += ".gz" if name.endswith(".gz") else ""
        relative = Path(uuid.uuid4().hex) / f"upload{suffix}"
        path = cls.folder() / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        try:
            size = text_size(path, limit)
        except UploadRefused:
            shutil.rmtree(path.parent, ignore_errors=True)
            raise
        return str(relative), size

    def remove_files(self):
        if self.own_folder is not None:
            shutil.rmtree(self.own_folder, ignore_errors=True)
        ImportRun.objects.filter(pk=self.pk).update(files_removed_at=timezone.now())

    def first_rejects(self, limit=50):
        """The first rejected rows, as (line, reason), from the rejects file."""
        path = self.rejects_path
        if path is None or self.files_removed_at or not path.exists():
            return []
        entries = []
        with open(path, encoding="utf-8") as handle:
            for line in itertools.islice(handle, limit):
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                entries.append((entry.get("line"), str(entry.get("reason", ""))[:500]))
        return entries

    def recorded(self):
        """The history context of the import's writes: each article it creates or updates
        names this run in its history."""
        return recorded("import", import_run=self.pk, file=self.file_name, user=self.uploaded_by_id)

    # --- life cycle -------------------------------------------------------------------------

    @property
    def is_active(self):
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    def start(self):
        """Queued → running; False when the run is no longer queued (failed meanwhile)."""
        self.started_at = timezone.now()
        started = ImportRun.objects.filter(pk=self.pk, state=self.State.QUEUED).update(
            state=self.State.RUNNING, started_at=self.started_at
        )
        self.state = self.State.RUNNING
        return bool(started)

    def record_progress(self, summary):
        """The counts so far (after each batch the import writes)."""
        for name in ("read", "created", "updated", "skipped", "rejected"):
            setattr(self, name, getattr(summary, name))
        ImportRun.objects.filter(pk=self.pk).update(
            read=self.read,
            created=self.created,
            updated=self.updated,
            skipped=self.skipped,
            rejected=self.rejected,
        )

    def finish(self, summary, rejects_file=""):
        self.record_progress(summary)
        self.state, self.finished_at = self.State.FINISHED, timezone.now()
        self.rejects_file = rejects_file
        self.save(update_fields=["state", "finished_at", "rejects_file"])

    def fail(self, message, rejects_file=""):
        self.state, self.finished_at, self.error = self.State.FAILED, timezone.now(), message
        self.rejects_file = rejects_file
        self.save(update_fields=["state", "finished_at", "error", "rejects_file"])


def text_size(path, limit):
    """The bytes of text `path` holds (gunzipped when it is gzip), refusing more than
    `limit`, a broken gzip or a gzip bomb, reading a chunk at a time."""
    with open(path, "rb") as raw:
        if raw.read(2) != b"\x1f\x8b":
            size = raw.seek(0, io.SEEK_END)
        else:
            raw.seek(0)
            size = 0
            try:
                with gzip.GzipFile(fileobj=raw) as text:
                    while chunk := text.read(1024 * 1024):
                        size += len(chunk)
                        if size > limit:
                            break
            except (OSError, EOFError, zlib.error):
                raise UploadRefused(
                    _("This gzip file is damaged or incomplete: it cannot be read to the end.")
                ) from None
    if size > limit:
        raise UploadRefused(
            _(
                "Once decompressed, this file holds more than %(limit)d MB of text: import it"
                " with manage.py import_articles."
            )
            % {"limit": settings.NEWSROOM_IMPORT_MAX_TEXT_MB}
        )
    return size
