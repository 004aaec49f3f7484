"""Roles and workflow in a real Chromium, in Arabic: an editor submits a draft for review and
finds a published article read-only with the reason; a chief editor withdraws it, and its
address then answers 410. With SAVE_SCREENSHOTS=<folder> the pages are saved as PNG
(workflow-editor.png, workflow-chief.png, withdrawn.png)."""

import importlib
import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from archive import search
from archive.models import Article
from archive.tests.conftest import require_chromium, served

SCREENSHOTS = os.environ.get("SAVE_SCREENSHOTS")

require_chromium()


pytestmark = pytest.mark.browser

PASSWORD = "a-long-workflow-password"


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "ar", "viewport": {"width": 1366, "height": 900}}


def make_roles():
    """The two groups as migration 0023 makes them (a transactional test's flush empties them)."""
    roles = importlib.import_module("archive.migrations.0023_roles")
    roles.create_roles(MigrationLoader(connection).project_state().apps, None)


@pytest.fixture
def site(transactional_db, settings):
    call_command("loaddata", "seed", verbosity=0)
    search.refresh_vocabulary()
    make_roles()
    for username, group in (("layla", "Editors"), ("huda", "Chief editors")):
        user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
        user.groups.add(Group.objects.get(name=group))
    with served(settings) as url:
        yield url


def shot(page, name):
    if SCREENSHOTS:
        folder = Path(SCREENSHOTS)
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=False)


def log_in(page, site, username):
    page.goto(site + "/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_selector("#user-tools")


def published_article():
    return Article.objects.published().order_by("-published_at").first()


def test_an_editor_submits_a_draft_and_cannot_touch_a_published_article(site, page):
    published = published_article()
    draft = Article.objects.create(
        title="مسودة ليلى عن كورسك",
        body="نص المسودة.",
        source=published.source,
        published_at=published.published_at,
        status=Article.Status.DRAFT,
        created_by=User.objects.get(username="layla"),
    )
    log_in(page, site, "layla")

    page.goto(f"{site}/admin/archive/article/{draft.pk}/change/")
    assert page.locator("html").get_attribute("lang") == "ar"
    options = page.locator("#id_status option").evaluate_all("os => os.map(o => o.value)")
    assert options == ["draft", "review"]
    assert page.get_by_role("button", name="نشر").count() == 0
    page.get_by_role("button", name="إرسال للمراجعة").click()
    page.wait_for_selector(".messagelist .success")
    assert "للمراجعة" in page.locator(".messagelist").inner_text()
    draft.refresh_from_db()
    assert draft.status == Article.Status.REVIEW

    page.goto(f"{site}/admin/archive/article/{published.pk}/change/")
    note = page.locator("fieldset .description").first
    assert "رئيس تحرير" in note.inner_text()
    assert page.locator("input[name=_save]").count() == 0
    assert page.locator("a.deletelink").count() == 0
    assert page.locator(".workflow-move").count() == 0
    shot(page, "workflow-editor")


def test_a_chief_editor_withdraws_and_the_address_answers_410(site, page):
    published = published_article()
    log_in(page, site, "huda")
    page.goto(f"{site}/admin/archive/article/{published.pk}/change/")
    assert page.locator("input[name=_save]").count() == 1
    assert page.locator("a.deletelink").count() == 1
    assert page.get_by_role("button", name="إرسال للمراجعة").count() == 0
    withdraw = page.get_by_role("button", name="سحب", exact=True)
    assert withdraw.is_visible()
    shot(page, "workflow-chief")

    withdraw.click()
    page.wait_for_selector(".messagelist .success")
    published.refresh_from_db()
    assert published.status == Article.Status.WITHDRAWN

    # A reader (a new browser context, without the chief's session; staff get the preview).
    reader = page.context.browser.new_page(locale="ar", viewport={"width": 1366, "height": 900})
    response = reader.goto(f"{site}/articles/{published.slug}/")
    assert response.status == 410
    sections = reader.locator("section.withdrawn")
    assert sections.nth(0).get_attribute("lang") == "ar"
    assert sections.nth(1).get_attribute("lang") == "en"
    assert "سُحب هذا المقال" in sections.nth(0).inner_text()
    assert "This article was withdrawn" in sections.nth(1).inner_text()
    shot(reader, "withdrawn")
    reader.close()
