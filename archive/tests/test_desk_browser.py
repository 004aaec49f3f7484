"""The desk and the claims list in a real Chromium: the desk leads to a draft, and the claims
list keeps its verdict, figure and date columns within a 1366 px screen, its statements in
lines, not a word per line. With SAVE_SCREENSHOTS=<folder> the pages are saved as PNG
(18A-desk-1366-ar.png, 18A-desk-1366-en.png, 18A-desk-390-ar.png, 18A-claims-1366-ar.png,
18A-claims-1920-en.png, 18A-articles-1366-ar.png)."""

import datetime as dt
import importlib
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from archive import search
from archive.history import recorded
from archive.models import Article, Claim, ImportRun, Source
from archive.tests.conftest import require_chromium, served

SCREENSHOTS = os.environ.get("SAVE_SCREENSHOTS")

require_chromium()

pytestmark = pytest.mark.browser

PASSWORD = "a-long-desk-password"
DRAFT_TITLE = "مسودة: وصول دفعة جديدة من الجنود الكوريين الشماليين إلى كورسك"


@pytest.fixture
def site(transactional_db, settings):
    """The seed, the roles, a chief editor, and some work on the desk: a draft and an article
    in review, one scheduled, an overdue claim with a figure, two imports."""
    call_command("loaddata", "seed", verbosity=0)
    search.refresh_vocabulary()
    roles = importlib.import_module("archive.migrations.0023_roles")
    roles.create_roles(MigrationLoader(connection).project_state().apps, None)
    chief = User.objects.create_user("huda", password=PASSWORD, is_staff=True)
    chief.groups.add(Group.objects.get(name="Chief editors"))
    outlet = Source.objects.get(slug="al-bilad")
    now = timezone.now()
    with recorded("admin", user=chief.pk):
        draft = Article.objects.create(
            title=DRAFT_TITLE,
            body="نص المسودة.",
            source=outlet,
            status=Article.Status.DRAFT,
            published_at=now,
            created_by=chief,
            updated_by=chief,
        )
        Article.objects.create(
            title="North Korean troops reported near Kursk, says Ukrainian intelligence",
            body="Text.",
            source=outlet,
            status=Article.Status.REVIEW,
            published_at=now,
            language="en",
            updated_by=chief,
        )
        Article.objects.create(
            title="تحليل: ماذا تعني المعاهدة الروسية الكورية الشمالية لأمن شرق آسيا؟",
            body="نص.",
            source=outlet,
            status=Article.Status.PUBLISHED,
            published_at=now + dt.timedelta(days=2),
            updated_by=chief,
        )
        claim = Claim.objects.create(
            statement="قال مسؤول إن نحو 12 ألف جندي كوري شمالي يقاتلون في كورسك",
            quantity_value=Decimal("12000"),
            quantity_unit="جندي",
            quantity_approximate=True,
        )
    Claim.objects.filter(pk=claim.pk).update(created_at=now - dt.timedelta(days=20))
    for name, counts in (
        ("aljazeera-2024-11.csv", {"read": 240, "created": 221, "skipped": 12, "rejected": 7}),
        ("ant-sample.jsonl.gz", {"read": 800, "created": 790, "skipped": 10, "rejected": 0}),
    ):
        ImportRun.objects.create(
            uploaded_by=chief,
            file_name=name,
            file_size=1000,
            field_map={},
            article_status="draft",
            update_existing=False,
            state="finished",
            finished_at=now,
            **counts,
        )
    with served(settings) as url:
        yield url, draft


def shot(page, name, full_page=False):
    if SCREENSHOTS:
        folder = Path(SCREENSHOTS)
        folder.mkdir(parents=True, exist_ok=True)
        page.evaluate("document.fonts.ready.then(() => true)")
        page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)


def open_admin(browser, url, language, width, height=900):
    context = browser.new_context(viewport={"width": width, "height": height}, locale=language)
    context.add_cookies([{"name": "django_language", "value": language, "url": url}])
    page = context.new_page()
    page.goto(url + "/admin/")
    page.fill("#id_username", "huda")
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_selector("#user-tools")
    return page


def test_the_desk_shows_the_work_and_leads_to_a_draft(site, browser):
    url, draft = site
    page = open_admin(browser, url, "ar", 1366)
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("#desk-claims .overdue-badge").count() >= 1
    assert page.locator("#desk-imports tbody tr").count() == 2
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert font.startswith('"Noto Naskh Arabic"')
    shot(page, "18A-desk-1366-ar", full_page=True)

    page.locator("#desk-in-progress").get_by_role("link", name=DRAFT_TITLE).click()
    page.wait_for_selector("#article_form")
    assert page.url.endswith(f"/admin/archive/article/{draft.pk}/change/")
    assert page.locator("#id_title").input_value() == DRAFT_TITLE

    english = open_admin(browser, url, "en", 1366)
    heading = english.locator("#desk-in-progress-title")
    assert heading.inner_text() == "Drafts and articles in review"
    # The Arabic title runs right to left in the English desk: its start is on the right.
    link = english.locator("#desk-in-progress").get_by_role("link", name=DRAFT_TITLE)
    assert link.evaluate("a => getComputedStyle(a).direction") == "rtl"
    shot(english, "18A-desk-1366-en", full_page=True)

    phone = open_admin(browser, url, "ar", 390, 844)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the desk is {width} px wide on a 390 px phone"
    shot(phone, "18A-desk-390-ar")


def within_screen(page, selector, width):
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, (selector, box)
    return box


@pytest.mark.parametrize(("language", "width"), [("ar", 1366), ("en", 1920)])
def test_the_claims_list_fits_the_screen(site, browser, language, width):
    url, _draft = site
    page = open_admin(browser, url, language, width)
    page.goto(url + "/admin/archive/claim/")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for column in ("verdict_cell", "figure", "changed_on", "appearance_count"):
        within_screen(page, f"#result_list th.column-{column}", width)
    statement = within_screen(page, "#result_list .field-short_statement", width)
    assert statement["width"] >= 250, "statements are squeezed"
    # Two lines at most: the clamp holds a long statement to two of its lines.
    line = page.locator("#result_list .clamp").first.evaluate(
        "e => parseFloat(getComputedStyle(e).lineHeight)"
    )
    tallest = max(
        box["height"]
        for box in (cell.bounding_box() for cell in page.locator("#result_list .clamp").all())
    )
    assert tallest <= 2 * line + 1
    shot(page, f"18A-claims-{width}-{language}")


def test_the_article_list_fits_1366(site, browser):
    url, _draft = site
    page = open_admin(browser, url, "ar", 1366)
    page.goto(url + "/admin/archive/article/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    for column in ("outlet", "published_at", "publication", "tag_count", "claim_count"):
        within_screen(page, f"#result_list th.column-{column}", 1366)
    # Each column's text stays within its cell (a long outlet's name wraps).
    overflowing = page.evaluate(
        """[...document.querySelectorAll('#result_list td')]
           .filter(td => td.scrollWidth > td.clientWidth + 1).map(td => td.className)"""
    )
    assert overflowing == []
    shot(page, "18A-articles-1366-ar")
