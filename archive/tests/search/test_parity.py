"""The analyser exists twice: SQL (indexing) and Python (queries, snippets). They must agree
word for word, and the SQL in the database must be the SQL the code renders."""

import importlib
import json
from pathlib import Path

import pytest
from django.db import connection

from archive import search
from archive.tests.search.helpers import SEEDS, TRICKY, corpus_texts


def sql_terms(text):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pos, exact, stem, alt FROM archive_terms(%s) ORDER BY pos", [text])
        return [search.Term(exact=e, stem=s, alt=a, pos=p) for p, e, s, a in cursor.fetchall()]


@pytest.mark.django_db
@pytest.mark.parametrize("text", TRICKY)
def test_python_and_sql_agree_on_tricky_text(text):
    assert search.analyze(text) == sql_terms(text)


@pytest.mark.django_db
def test_python_and_sql_agree_on_the_seed_articles():
    for item in json.loads(SEEDS.read_text()):
        if item["model"] == "archive.article":
            for field in ("title", "lead", "body"):
                text = item["fields"][field]
                assert search.analyze(text) == sql_terms(text), item["fields"]["slug"]


@pytest.mark.django_db
def test_python_and_sql_agree_on_real_articles():
    texts = corpus_texts(150)
    if not texts:
        pytest.skip("the corpus is not beside the project")
    words = 0
    for text in texts:
        python, sql = search.analyze(text), sql_terms(text)
        assert python == sql
        words += len(python)
    assert words > 20_000


@pytest.mark.django_db
def test_normalisation_agrees():
    with connection.cursor() as cursor:
        for text in TRICKY:
            cursor.execute("SELECT archive_normalize(%s)", [text])
            assert cursor.fetchone()[0] == search.normalize(text)


def test_the_migration_holds_the_sql_the_code_renders():
    """The newest migration that defines the analyser holds what the code renders now."""
    folder = Path(__file__).resolve().parents[2] / "migrations" / "sql"
    defining = sorted(
        p.stem for p in folder.glob("0*.sql") if "archive_terms" in p.read_text(encoding="utf-8")
    )
    migration = importlib.import_module(f"archive.migrations.{defining[-1]}")
    assert migration.SQL == search.render_sql(), (
        "archive/search/rules.py changed: add a migration that runs the new render_sql(),"
        " frozen in a file of archive/migrations/sql/"
    )
