"""A reader's path through the archive in a real Chromium (Debian's, driven by Playwright):
search in Arabic, narrow with a filter, go back, open an article, read a claim, switch to
English, use the keyboard. With SAVE_SCREENSHOTS=<folder> the pages are saved as PNG
(`make screenshots` writes docs/screenshots/)."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from archive import search
from archive.tests.conftest import require_chromium, served

SCREENSHOTS = os.environ.get("SAVE_SCREENSHOTS")

require_chromium()

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the tests
# themselves are still synchronous.

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args(browser_context_args):
    # An English browser: the archive must still open in Arabic.
    return {**browser_context_args, "locale": "en-US", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def site(transactional_db, settings):
    """The app on a free local port, its static files served from STATIC_ROOT as in
    production (pytest-django's live_server looks for them unhashed, in the source folders)."""
    call_command("loaddata", "seed", verbosity=0)
    search.refresh_vocabulary()
    with served(settings) as url:
        yield url


def shot(page, name):
    if SCREENSHOTS:
        folder = Path(SCREENSHOTS)
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=False)


def test_search_filter_article_claim_and_english(site, page):
    page.goto(site + "/")
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.locator("html").get_attribute("dir") == "rtl"

    # Search in Arabic, with the other spelling of the city.
    page.get_by_role("searchbox").fill("بيونج يانج")
    page.get_by_role("searchbox").press("Enter")
    page.wait_for_url("**/?q=*")
    heading = page.locator("#results-heading")
    assert "5" in heading.inner_text()
    assert page.locator(".snippet mark").count() > 0
    shot(page, "archive-search")

    # Narrow to one outlet through its facet, then come back with the browser.
    page.locator("#facet-source + ul a").first.click()
    page.wait_for_url("**source=*")
    assert page.locator("#results-heading").inner_text() == "مقال واحد"  # Arabic's singular
    assert "q=" in page.url
    page.go_back()
    page.wait_for_url(lambda url: "source=" not in url)
    assert "5" in page.locator("#results-heading").inner_text()

    # Open an article and read one of its claims.
    page.locator(".results .card h3 a").first.click()
    page.wait_for_selector("article.article h1")
    assert page.locator("mark.quote").count() > 0
    shot(page, "article")
    page.locator(".claims-in-article li a").first.click()
    page.wait_for_selector(".claim .verdict")
    assert page.locator(".claim blockquote").count() >= 1

    # Switch to English.
    page.get_by_role("button", name="English").click()
    page.wait_for_selector("html[lang=en]")
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert page.get_by_role("link", name="Claims").count() >= 1


def test_claims_timeline_is_drawn_and_tabulated(site, page):
    page.goto(site + "/claims/")
    figure = page.locator("figure.timeline")
    figure.scroll_into_view_if_needed()
    points = figure.locator("svg.chart > circle")
    assert points.count() >= 8
    assert figure.locator("table tbody tr").count() == points.count()
    box = figure.locator("svg.chart").bounding_box()
    assert box["width"] > 300 and box["height"] > 100
    shot(page, "claims-timeline")


def test_the_archive_works_from_the_keyboard(site, page):
    page.goto(site + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.get_by_role("searchbox").focus()
    page.keyboard.type("كورسك")
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=*")
    assert page.locator("#results-heading").inner_text() == "مقالان"  # Arabic's dual
    # Tab through the facets: each is a link with a visible focus.
    page.locator("#facet-tag + ul a").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**tag=*")
    shot(page, "archive")
