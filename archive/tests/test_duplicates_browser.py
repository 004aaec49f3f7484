"""Duplicates caught at the door, in a real browser (Debian's Chromium, driven by Playwright):
an editor adds an article copying a seed article's title and body with one word changed; the
form comes back with the warning and a link to the seed article; they tick the box and the
article is saved. With SAVE_SCREENSHOTS=<folder> the warning is saved at a laptop's width in
Arabic and in English (18D-duplicate-warning-ar.png, -en.png)."""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command

from archive.models import Article
from archive.tests.conftest import require_chromium, served

SCREENSHOTS = os.environ.get("SAVE_SCREENSHOTS")
PASSWORD = "a-long-editor-password"

require_chromium()

pytestmark = pytest.mark.browser


@pytest.fixture
def site(transactional_db, settings):
    call_command("loaddata", "seed", verbosity=0)
    with served(settings) as url:
        yield url


def editor(username):
    # A transactional test's flush drops the group that migration 0003 made: make it again.
    group, created = Group.objects.get_or_create(name="Editors")
    if created:
        group.permissions.set(Permission.objects.filter(content_type__app_label="archive"))
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(group)
    return user


def logged_in(browser, site, username, language):
    context = browser.new_context(
        locale=language, viewport={"width": 1366, "height": 900}, device_scale_factor=1
    )
    host = site.split("//")[1].split(":")[0]
    context.add_cookies(
        [{"name": "django_language", "value": language, "domain": host, "path": "/"}]
    )
    page = context.new_page()
    page.goto(site + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url(site + "/admin/")
    return page


def one_word_changed(text):
    words = text.split(" ")
    middle = len(words) // 2
    words[middle] = "تقريبا"
    return " ".join(words)


@pytest.mark.parametrize("language", ["ar", "en"])
def test_a_copy_with_one_word_changed_is_saved_only_once_confirmed(site, browser, language):
    editor("layla")
    seed = max(Article.objects.filter(status="published"), key=lambda a: len(a.body))
    body = one_word_changed(seed.body)
    page = logged_in(browser, site, "layla", language)
    page.goto(f"{site}/admin/archive/article/add/")
    page.fill("#id_title", seed.title)
    page.fill("#id_body", body)
    # The outlet, through the admin's autocomplete, as an editor picks it.
    page.locator(".field-source .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(seed.source.name[:4])
    page.locator(".select2-results__option--highlighted").click()
    page.locator("input[name=_continue]").click()

    warning = page.locator("fieldset.near-duplicate")
    warning.wait_for()
    link = warning.locator(f'a[href$="/admin/archive/article/{seed.pk}/change/"]')
    assert link.is_visible()
    assert link.inner_text() == seed.title
    assert Article.objects.filter(title=seed.title).count() == 1
    # What the editor wrote is still there.
    assert page.input_value("#id_body").replace("\r\n", "\n") == body
    if SCREENSHOTS:
        folder = Path(SCREENSHOTS)
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"18D-duplicate-warning-{language}.png"))

    page.locator("#id_not_a_duplicate").check()
    page.locator("input[name=_continue]").click()
    page.wait_for_url(lambda url: "/add/" not in url)
    copy = Article.objects.exclude(pk=seed.pk).get(title=seed.title)
    assert copy.body.replace("\r\n", "\n") == body
    assert page.locator("fieldset.near-duplicate").count() == 0
