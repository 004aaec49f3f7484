"""The history's context of a parallel import: every article's event carries the import's
metadata, and each import process has a context row of its own (archive.history.own_context),
so that the processes never wait on each other's lock of one shared row."""

import os
import subprocess
import sys

import pghistory.runtime
import pytest
from django.apps import apps
from django.conf import settings
from pghistory.models import Context

from archive.history import own_context
from archive.models import Article, ImportRun

from .test_import import ANT_MAP, ant_row, database_url, numbers, run, write_jsonl

pytestmark = pytest.mark.django_db(transaction=True)


def import_rows(tmp_path, count=120):
    path = write_jsonl(tmp_path / "many.jsonl", [ant_row(n) for n in range(count)])
    return numbers(run(path, field_map=ANT_MAP, workers=2, batch_size=20))


def test_own_context_outside_any_context_makes_none():
    own_context()
    assert not hasattr(pghistory.runtime._tracker, "value")


# A fresh process, as an import command is: this one may carry the browser tests' event loop,
# under which a forked worker's writes lose the parent's context (with or without the fix).
IMPORT_IN_A_CONTEXT = """
import sys, django
django.setup()
from django.core.management import call_command
call_command("import_articles", sys.argv[1], "--map", sys.argv[2], "--workers", "2",
             "--batch-size", "20", "--no-vocabulary", "-v", "0")
"""


def test_each_import_process_records_its_rows_under_a_context_row_of_its_own(tmp_path):
    path = write_jsonl(tmp_path / "many.jsonl", [ant_row(n) for n in range(120)])
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DJANGO_SECRET_KEY": "x",
        "DATABASE_URL": database_url(settings.DATABASES["default"]),
    }
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_IN_A_CONTEXT, str(path), ANT_MAP],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    events = apps.get_model("archive", "ArticleEvent").objects.filter(pgh_label="create")
    assert events.count() == Article.objects.count() == 120
    assert not events.filter(pgh_context__isnull=True).exists()
    contexts = Context.objects.filter(id__in=events.values("pgh_context_id"))
    # two processes, two rows, one import: the same metadata on each
    assert contexts.count() == 2
    assert {c.metadata["file"] for c in contexts} == {str(path)}
    assert {c.metadata["via"] for c in contexts} == {"import"}
    assert {c.metadata["import_run"] for c in contexts} == {ImportRun.objects.get().pk}
