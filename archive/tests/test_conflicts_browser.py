"""No silent overwrite, in two real browsers (Debian's Chromium, driven by Playwright): two
editors logged in through the login form open the same article in Arabic; the first saves a
title, the second's body change is refused with the fields saved meanwhile, and the second
chooses per field and saves both. With SAVE_SCREENSHOTS=<folder> the conflict page is saved
at a laptop's width and a phone's (conflict.png, conflict-phone.png)."""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission, User

from archive.models import Article, ClaimAppearance
from archive.tests.conftest import aware, require_chromium, served

SCREENSHOTS = os.environ.get("SAVE_SCREENSHOTS")
PASSWORD = "a-long-editor-password"

require_chromium()


pytestmark = pytest.mark.browser


@pytest.fixture
def site(transactional_db, settings):
    with served(settings) as url:
        yield url


@pytest.fixture
def article(site, make_article, make_claim, appear):
    article = make_article(
        title="كوريا الشمالية تصدق على معاهدة الشراكة مع روسيا",
        lead="صدق البرلمان الكوري الشمالي على المعاهدة.",
        status=Article.Status.DRAFT,
        published_at=aware(2024, 11, 12),
    )
    appear(make_claim(), article, "وقع كيم جونغ أون")
    return article


def editor(username):
    # A transactional test's flush drops the group that migration 0003 made: make it again.
    group, created = Group.objects.get_or_create(name="Editors")
    if created:
        group.permissions.set(Permission.objects.filter(content_type__app_label="archive"))
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(group)
    return user


def logged_in(browser, site, username, width):
    context = browser.new_context(
        locale="ar", viewport={"width": width, "height": 900}, device_scale_factor=1
    )
    page = context.new_page()
    page.goto(site + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url(site + "/admin/")
    return page


def shot(page, name):
    if SCREENSHOTS:
        folder = Path(SCREENSHOTS)
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width, name", [(1366, "conflict"), (390, "conflict-phone")])
def test_two_editors_stale_save_is_refused_then_both_changes_kept(
    site, article, browser, width, name
):
    editor("layla"), editor("omar")
    first = logged_in(browser, site, "layla", width)
    second = logged_in(browser, site, "omar", width)
    url = f"{site}/admin/archive/article/{article.pk}/change/"
    first.goto(url)
    second.goto(url)
    assert second.locator("html").get_attribute("dir") == "rtl"

    first.fill("#id_title", "كوريا الشمالية تصادق على معاهدة الشراكة الاستراتيجية مع روسيا")
    first.fill("#id_claim_appearances-0-quote", "كيم جونغ أون")
    first.locator("input[name=_continue]").click()
    first.wait_for_load_state()
    assert first.locator(".messagelist .success").count() == 1

    second.fill("#id_body", "وقع كيم جونغ أون مرسوما للتصديق على المعاهدة مع روسيا يوم الاثنين.")
    second.locator("input[name=_continue]").click()
    second.wait_for_load_state()

    # Refused, in Arabic, with what was saved meanwhile and by whom.
    alert = second.locator(".errornote")
    assert "رُفض الحفظ" in alert.inner_text()
    assert "layla" in second.locator(".conflict-saves").first.inner_text()
    rows = second.locator("tr.conflict-field")
    labels = [row.locator("th").inner_text() for row in rows.all()]
    assert labels == ["العنوان", "الاقتباس"]
    title_row = second.locator("tr[data-field=title]")
    assert "الاستراتيجية" in title_row.locator("td.theirs").inner_text()
    assert "النص" in second.locator(".conflict-kept").first.inner_text()  # the body is kept
    assert title_row.locator("input[value=theirs]").is_checked()
    article.refresh_from_db()
    assert "الاستراتيجية" in article.title and "الاثنين" not in article.body
    no_wider_than_the_page(second)
    shot(second, name)

    # Both versions side by side: keep the title saved meanwhile, the editor's own body.
    second.locator("input[name=_continue]").click()
    second.wait_for_load_state()
    assert second.locator(".messagelist .success").count() == 1
    article.refresh_from_db()
    assert "الاستراتيجية" in article.title and "الاثنين" in article.body
    assert ClaimAppearance.objects.get(article=article).quote == "كيم جونغ أون"


def no_wider_than_the_page(page):
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
