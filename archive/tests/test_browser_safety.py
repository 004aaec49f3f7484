"""Deleting safely and merging tags in a real Chromium, in Arabic at 1366 pixels: a chief
editor tries to delete a claimant tag (refused, naming its claims), then merges a duplicate
tag. With SAVE_SCREENSHOTS=<folder> the pages are saved (docs/screenshots/)."""

import pytest
from django.contrib.auth.models import User

from archive.models import Article, Claim, Tag, TagAlias

from .test_browser import shot, site  # noqa: F401  (the live server fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "ar", "viewport": {"width": 1366, "height": 900}}


@pytest.fixture
def chief_page(site, page):  # noqa: F811
    User.objects.create_superuser("huda", password="a-long-chief-password")
    page.goto(site + "/admin/login/")
    page.fill("#id_username", "huda")
    page.fill("#id_password", "a-long-chief-password")
    page.locator("input[type=submit]").click()
    page.wait_for_url(site + "/admin/")
    return page


def test_deleting_a_claimant_tag_is_refused_in_the_browser(site, chief_page):  # noqa: F811
    page = chief_page
    tag = Tag.objects.get(slug="volodymyr-zelensky")
    page.goto(f"{site}/admin/archive/tag/{tag.pk}/delete/")
    refused = page.locator(".deletion-consequences li.refused")
    assert "صاحب الادعاءات التالية" in refused.inner_text()
    for claim in Claim.objects.filter(claimant=tag):
        assert claim.statement[:40] in refused.inner_text()
    assert page.locator("input[type=submit]").count() == 0  # nothing to confirm
    assert "صلاحية" not in page.locator("#content").inner_text()
    shot(page, "delete-tag-refused")


def test_merging_a_duplicate_tag_in_the_browser(site, chief_page):  # noqa: F811
    page = chief_page
    kept = Tag.objects.get(slug="volodymyr-zelensky")
    duplicate = Tag.objects.create(
        kind=Tag.Kind.PERSON, name_ar="فلاديمير زيلينسكي", name_en="Zelenskyy"
    )
    TagAlias.objects.create(tag=duplicate, name="الرئيس زيلينسكي")
    article = Article.objects.published().exclude(tags=kept).first()
    article.tags.add(duplicate)
    claim = Claim.objects.filter(claimant=kept).first()
    claim.claimant = duplicate
    claim.save()

    page.goto(f"{site}/admin/archive/tag/?q=زيلينسكي")
    for tag in (kept, duplicate):
        page.locator(f"input.action-select[value='{tag.pk}']").check()
    page.select_option("select[name=action]", "merge_tags_action")
    page.locator("button[name=index], .actions button[type=submit]").first.click()
    page.wait_for_selector(".merge-plan")
    plan = page.locator(".merge-plan").inner_text()
    assert article.title in plan and claim.statement[:40] in plan
    assert "الرئيس زيلينسكي" in plan and "Zelenskyy" in plan
    shot(page, "merge-tags")

    page.locator(".merge-plan button[name=post]").click()
    page.wait_for_url(f"**/admin/archive/tag/{kept.pk}/change/")
    assert "دُمج" in page.locator(".messagelist").inner_text()
    assert not Tag.objects.filter(pk=duplicate.pk).exists()
    assert set(kept.aliases.values_list("name", flat=True)) >= {
        "فلاديمير زيلينسكي",
        "Zelenskyy",
        "الرئيس زيلينسكي",
    }
