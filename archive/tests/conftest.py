import contextlib
import dataclasses
import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.test.testcases import LiveServerThread, _StaticFilesHandler
from django.utils import timezone

from archive.models import Article, Claim, ClaimAppearance, Source, Tag
from archive.search import tuning


def aware(year, month, day, hour=9):
    return timezone.make_aware(dt.datetime(year, month, day, hour), dt.UTC)


@pytest.fixture
def outlet(db):
    return Source.objects.create(
        name="Al Jazeera",
        name_ar="الجزيرة",
        slug="al-jazeera",
        kind=Source.Kind.BROADCASTER,
        country="QA",
    )


@pytest.fixture
def make_article(outlet):
    def make(title="كوريا الشمالية تصدق على المعاهدة", **fields):
        fields.setdefault("body", "وقع كيم جونغ أون مرسوما للتصديق على المعاهدة مع روسيا.")
        fields.setdefault("published_at", aware(2024, 11, 12))
        fields.setdefault("status", Article.Status.PUBLISHED)
        fields.setdefault("source", outlet)
        return Article.objects.create(title=title, **fields)

    return make


@pytest.fixture
def person(db):
    return Tag.objects.create(kind=Tag.Kind.PERSON, name_ar="كيم جونغ أون", name_en="Kim Jong Un")


@pytest.fixture
def make_claim(person):
    def make(statement="أرسلت كوريا الشمالية 11 ألف جندي إلى روسيا", **fields):
        fields.setdefault("claimant", person)
        return Claim.objects.create(statement=statement, **fields)

    return make


@pytest.fixture
def appear():
    def make(claim, article, quote, **fields):
        return ClaimAppearance.objects.create(claim=claim, article=article, quote=quote, **fields)

    return make


@pytest.fixture
def editor(db):
    user = User.objects.create_user("layla", password="a-long-editor-password", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def chief(db):
    """A chief editor (archive/workflow.py): publishes, withdraws, deletes."""
    user = User.objects.create_user("huda", password="a-long-chief-password", is_staff=True)
    user.groups.add(Group.objects.get(name="Chief editors"))
    return user


@pytest.fixture
def chief_client(client, chief):
    client.force_login(chief)
    return client


ARCHIVE_TABLES = (
    "archive_claimappearance, archive_claimevidence, archive_claim_tags, archive_claim,"
    " archive_article_tags, archive_article_credited_sources, archive_article,"
    " archive_tagalias, archive_tag, archive_source"
)


def empty_archive():
    """Remove what a module-wide fixture committed, so that other modules start clean."""
    from django.db import connection

    from archive import search

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {ARCHIVE_TABLES} CASCADE")
    search.refresh_vocabulary()


@pytest.fixture
def search_limits(monkeypatch):
    """Lowers the search's Limits (archive/search/tuning.py) for one test, so that a dozen
    articles are "very many": search_limits(large=5, candidates=4)."""

    def lower(**changes):
        monkeypatch.setattr(tuning, "LIMITS", dataclasses.replace(tuning.LIMITS, **changes))

    return lower


SECRET = "كلمةسريةللمسودة"


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The seed archive plus one draft whose text holds SECRET and which carries a claim,
    committed for the whole module (tests still run in their own transactions)."""
    from django.core.management import call_command

    from archive import search

    with django_db_blocker.unblock():
        call_command("loaddata", "seed", verbosity=0)
        outlet = Source.objects.get(slug="al-bilad")
        draft = Article.objects.create(
            title=f"مسودة عن كورسك {SECRET}",
            slug="secret-draft",
            lead=f"{SECRET} مقدمة",
            body=f"نص المسودة عن كورسك و{SECRET} وبيونغ يانغ.",
            source=outlet,
            status=Article.Status.DRAFT,
            published_at=aware(2024, 11, 20),
            url="https://example.org/secret-draft",
        )
        draft.tags.set(Tag.objects.filter(slug__in=["kursk", "pyongyang"]))
        hidden = Claim.objects.create(
            statement=f"ادعاء سري {SECRET}",
            slug="secret-claim",
            verdict="false",
            quantity_value=99999,
            quantity_unit="جندي",
        )
        hidden.tags.set(Tag.objects.filter(slug="north-korean-troops-in-russia"))
        ClaimAppearance.objects.create(claim=hidden, article=draft, quote=SECRET)
        search.refresh_vocabulary()
        yield
        empty_archive()


@pytest.fixture
def archive_db(seeded, db):
    return None


@pytest.fixture(autouse=True)
def plain_http(settings):
    """The test client and the live server speak plain HTTP: without DJANGO_DEBUG, DJANGO_HTTPS
    would redirect them to https and send cookies only over it (test_production tests that)."""
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def require_chromium():
    """Called by each browser test module: without Debian's chromium the module is skipped,
    except in CI, where .ci/run installs it and its absence is a failure."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        raise RuntimeError(f"Chromium is missing ({CHROMIUM}): .ci/run installs Debian's chromium")
    pytest.skip(
        "Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True
    )


@contextlib.contextmanager
def served(settings):
    """The app on a free local port, its static files served from STATIC_ROOT as in
    production (pytest-django's live_server looks for them unhashed, in the source folders)."""
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    server = LiveServerThread("127.0.0.1", _StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.terminate()
        server.join()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """The browser tests drive Debian's Chromium, headless (pytest-playwright's fixture)."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(autouse=True)
def imports_folder(settings, tmp_path):
    """Import runs keep their files (the command's rejects too) in a folder of the test's own."""
    settings.NEWSROOM_IMPORTS_DIR = tmp_path / "imports"
    return settings.NEWSROOM_IMPORTS_DIR
