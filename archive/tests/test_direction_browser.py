"""Direction and the phone's layout in a real Chromium (docs/direction-and-details.md): an
Arabic article is laid out right to left in the English interface, and on a 390 px phone the
first result shows on the first screen, the filters folded, in Arabic and in English, with
nothing lost at 1366 px. With SAVE_SCREENSHOTS=<folder> the pages are saved as PNG
(18E-article-en-1366.png, 18E-archive-390-ar.png, 18E-archive-390-en.png)."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from archive import search
from archive.tests.conftest import require_chromium, served

SCREENSHOTS = os.environ.get("SAVE_SCREENSHOTS")

require_chromium()

pytestmark = pytest.mark.browser

ARTICLE = "russian-parliament-ratifies-security-treaty-with-north-korea"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def site(transactional_db, settings):
    call_command("loaddata", "seed", verbosity=0)
    search.refresh_vocabulary()
    with served(settings) as url:
        yield url


def reader(browser, site, language, viewport):
    context = browser.new_context(viewport=viewport)
    context.add_cookies([{"name": "django_language", "value": language, "url": site}])
    return context.new_page()


def shot(page, name, full_page=False):
    if SCREENSHOTS:
        folder = Path(SCREENSHOTS)
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)


def direction(page, selector):
    return page.locator(selector).first.evaluate("e => getComputedStyle(e).direction")


def test_an_arabic_article_reads_right_to_left_in_english(site, browser):
    page = reader(browser, site, "en", DESKTOP)
    page.goto(f"{site}/articles/{ARTICLE}/")
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert direction(page, "article.article h1") == "rtl"
    assert direction(page, "article.article > p:not(.meta)") == "rtl"
    # The interface's own lines inside the article stay left to right, and so does the page.
    assert direction(page, "article.article .meta") == "ltr"
    assert direction(page, ".site-footer") == "ltr"
    # A claim's statement too, inside the English list of claims.
    assert direction(page, ".claims-in-article li p[dir=auto]") == "rtl"
    assert direction(page, ".claims-in-article li .meta") == "ltr"
    # The full stop that ends a right-to-left paragraph is drawn left of the letter before
    # it (in a left-to-right paragraph it would stand on the right: the complaint).
    stop, letter = page.locator("article.article > p:not(.meta)").first.evaluate(
        """p => {
            const text = p.lastChild, end = text.length;
            const box = (from, to) => {
                const range = document.createRange();
                range.setStart(text, from); range.setEnd(text, to);
                const r = range.getBoundingClientRect();
                return {left: r.left, right: r.right, text: range.toString()};
            };
            return [box(end - 1, end), box(end - 2, end - 1)];
        }"""
    )
    assert stop["text"] == "." and letter["text"] not in " ."
    assert stop["right"] <= letter["left"] + 0.5
    shot(page, "18E-article-en-1366")
    page.context.close()


def test_the_same_article_in_arabic_is_right_to_left_throughout(site, browser):
    page = reader(browser, site, "ar", DESKTOP)
    page.goto(f"{site}/articles/{ARTICLE}/")
    assert direction(page, "article.article h1") == "rtl"
    assert direction(page, "article.article .meta") == "rtl"
    page.context.close()


@pytest.mark.parametrize("language", ["ar", "en"])
def test_on_a_phone_the_first_result_is_on_the_first_screen(site, browser, language):
    page = reader(browser, site, language, PHONE)
    # Two filters in use: they used to open the panel above the results.
    page.goto(f"{site}/?q=كوريا&date_from=2024-01-01&language=ar")
    first = page.locator(".results .card").first
    assert first.bounding_box()["y"] < PHONE["height"] - 100
    summary = page.locator("details.filters summary")
    assert page.locator("details.filters").get_attribute("open") is None
    assert {"ar": "(مرشحان مستعملان)", "en": "(2 in use)"}[language] in summary.inner_text()
    shot(page, f"18E-archive-390-{language}")
    # The panel opens without JavaScript's help (a <details>), its fields then in view.
    summary.click()
    assert page.locator("#id_date_from").is_visible()
    assert page.locator("#id_date_from").input_value() == "2024-01-01"
    page.context.close()


def test_on_a_phone_a_refused_filter_opens_the_panel_with_its_field_named(site, browser):
    page = reader(browser, site, "ar", PHONE)
    page.goto(f"{site}/?date_from=notadate")
    assert page.locator("details.filters").get_attribute("open") is not None
    assert "من تاريخ:" in page.locator(".errors").inner_text()
    page.context.close()


def test_at_1366_the_results_and_facets_stand_side_by_side(site, browser):
    page = reader(browser, site, "ar", DESKTOP)
    page.goto(f"{site}/?q=كوريا&date_from=2024-01-01")
    results = page.locator(".results").bounding_box()
    facets = page.locator("#facets").bounding_box()
    assert abs(results["y"] - facets["y"]) < 5  # one row, as before
    assert page.locator(".results .card").first.bounding_box()["y"] < DESKTOP["height"]
    page.context.close()


@pytest.mark.parametrize("language", ["ar", "en"])
def test_on_a_phone_the_claims_timeline_table_is_folded_above_the_claims(site, browser, language):
    page = reader(browser, site, language, PHONE)
    page.goto(f"{site}/claims/")
    table = page.locator("figure.timeline table")
    assert not table.is_visible()  # folded: its rows no longer stand before the claims
    first = page.locator(".results .card").first
    assert first.bounding_box()["y"] < 2 * PHONE["height"]
    shot(page, f"18-claims-390-{language}")
    page.locator("details.timeline-data summary").click()
    assert table.is_visible()
    assert table.locator("tbody tr").count() == page.locator("svg.chart > circle").count()
    page.context.close()
