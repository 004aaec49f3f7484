"""The history's context of a parallel import: every article's event carries the import's
metadata, and each import process has a context row of its own (archive.history.own_context),
so that the processes never wait on each other's lock of one shared row."""

import pghistory.runtime
import pytest
from django.apps import apps
from pghistory.models import Context

from archive.history import own_context, recorded
from archive.models import Article

from .test_import import ANT_MAP, ant_row, numbers, run, write_jsonl

pytestmark = pytest.mark.django_db(transaction=True)


def import_rows(tmp_path, count=120):
    path = write_jsonl(tmp_path / "many.jsonl", [ant_row(n) for n in range(count)])
    return numbers(run(path, field_map=ANT_MAP, workers=2, batch_size=20))


def test_a_parallel_import_outside_any_context_records_its_rows_without_one(tmp_path):
    assert import_rows(tmp_path)["created"] == 120
    events = apps.get_model("archive", "ArticleEvent").objects.filter(pgh_label="create")
    assert events.count() == 120
    assert not events.filter(pgh_context__isnull=False).exists()
    assert not Context.objects.exists()


def test_own_context_outside_any_context_makes_none():
    own_context()
    assert not hasattr(pghistory.runtime._tracker, "value")


def test_each_import_process_records_its_rows_under_a_context_row_of_its_own(tmp_path):
    with recorded("import", file="many.jsonl"):
        assert import_rows(tmp_path)["created"] == 120
    events = apps.get_model("archive", "ArticleEvent").objects.filter(pgh_label="create")
    assert events.count() == Article.objects.count() == 120
    assert not events.filter(pgh_context__isnull=True).exists()
    contexts = Context.objects.filter(id__in=events.values("pgh_context_id"))
    # two processes, two rows, one import: the same metadata on each
    assert contexts.count() == 2
    assert {c.metadata["file"] for c in contexts} == {"many.jsonl"}
    assert {c.metadata["via"] for c in contexts} == {"import"}
