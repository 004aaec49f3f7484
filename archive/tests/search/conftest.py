"""Fixtures of the search's tests. The case archive (case_archive.py) is committed once for a
test module and stays until the module ends: a module whose tests use it holds no test that
expects an archive of its own making (those modules start empty, with make_article)."""

import datetime as dt

import pytest

from archive.models import Article, Source
from archive.tests.conftest import empty_archive
from archive.tests.search.case_archive import build_case_archive


@pytest.fixture(scope="module")
def case_archive(django_db_setup, django_db_blocker):
    """The case archive, committed for the whole module."""
    with django_db_blocker.unblock():
        build_case_archive()
        yield
        empty_archive()


@pytest.fixture
def db_archive(case_archive, db):
    return None


@pytest.fixture
def ranked(db_archive):
    outlet = Source.objects.get(slug="test-outlet")

    def make(slug, title="عنوان", lead="", body="نص", days=0):
        return Article.objects.create(
            slug=slug,
            title=title,
            lead=lead,
            body=body,
            source=outlet,
            status=Article.Status.PUBLISHED,
            published_at=dt.datetime(2023, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=days),
        )

    return make
