"""Tag suggestions in a real browser (Debian's Chromium, driven by Playwright): a seed article
with one of its tags taken off shows that tag among the suggestions, with the words of its
text that name it; one click adds it. A form with unsaved edits gets the tag in its tags field
instead, and keeps the edits. With SAVE_SCREENSHOTS=<folder> the suggestions are saved at a
laptop's width, in Arabic and English (18B-suggestions-ar.png, 18B-suggestions-en.png)."""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from archive.models import Article, Tag
from archive.tests.conftest import require_chromium, served

SCREENSHOTS = os.environ.get("SAVE_SCREENSHOTS")
PASSWORD = "a-long-chief-password"

require_chromium()

pytestmark = pytest.mark.browser


@pytest.fixture
def site(transactional_db, settings):
    call_command("loaddata", "seed", verbosity=0)
    User.objects.create_superuser("huda", password=PASSWORD)
    with served(settings) as url:
        yield url


@pytest.fixture
def untagged():
    """The seed's article on the treaty, its tag Kursk taken off (its body names كورسك)."""
    article = Article.objects.get(tags__slug="kursk", title__startswith="كوريا الشمالية تصدق")
    kursk = Tag.objects.get(slug="kursk")
    article.tags.remove(kursk)
    return article, kursk


def logged_in(browser, site, language, width=1366):
    context = browser.new_context(
        locale=language, viewport={"width": width, "height": 900}, device_scale_factor=1
    )
    context.add_cookies([{"name": "django_language", "value": language, "url": site}])
    page = context.new_page()
    page.goto(site + "/admin/login/")
    page.fill("#id_username", "huda")
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url(site + "/admin/")
    return page


def shot(page, name):
    if SCREENSHOTS:
        folder = Path(SCREENSHOTS)
        folder.mkdir(parents=True, exist_ok=True)
        page.locator(".tag-suggestions").scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, -260)")  # the tags field above the suggestions
        page.screenshot(path=str(folder / f"{name}.png"))


@pytest.mark.parametrize("language", ["ar", "en"])
def test_a_suggested_tag_is_added_with_one_click(site, untagged, browser, language):
    article, kursk = untagged
    page = logged_in(browser, site, language)
    page.goto(f"{site}/admin/archive/article/{article.pk}/change/")
    suggestion = page.locator(f'.tag-suggestion[data-tag="{kursk.pk}"]')
    assert suggestion.is_visible()
    assert "كورسك" in suggestion.locator(".tag-suggestion-words").inner_text()
    shot(page, f"18B-suggestions-{language}")
    suggestion.locator("button").click()
    page.wait_for_load_state()
    assert page.locator(".messagelist .success").is_visible()
    assert kursk in article.tags.all()
    assert page.locator(f'.tag-suggestion[data-tag="{kursk.pk}"]').count() == 0
    assert page.locator(f'#id_tags option[value="{kursk.pk}"]:checked').count() == 1


def test_with_unsaved_edits_the_tag_goes_into_the_form(site, untagged, browser):
    article, kursk = untagged
    page = logged_in(browser, site, "ar")
    page.goto(f"{site}/admin/archive/article/{article.pk}/change/")
    page.fill("#id_title", article.title + " (محدث)")
    page.locator(f'.tag-suggestion[data-tag="{kursk.pk}"] button').click()
    assert page.locator(".tag-suggestion-added-note").is_visible()
    assert kursk not in article.tags.all()  # not saved yet: the edits are still in the form
    assert page.locator(f'#id_tags option[value="{kursk.pk}"]:checked').count() == 1
    page.locator("input[name=_continue]").click()
    page.wait_for_load_state()
    article.refresh_from_db()
    assert article.title.endswith("(محدث)")
    assert kursk in article.tags.all()
