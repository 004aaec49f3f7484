"""Claims tracked across the archive, in a real browser (Debian's Chromium, driven by
Playwright): a chief editor logged in through the login form opens a seed claim in the admin,
follows a related claim's link, and adds a "where else it appears" passage as an appearance
with one click. With SAVE_SCREENSHOTS=<folder> the claim's page is saved before the click
(claim-where-else.png)."""

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from archive import search
from archive.models import Claim, ClaimAppearance
from archive.tests.conftest import require_chromium, served

SCREENSHOTS = os.environ.get("SAVE_SCREENSHOTS")
PASSWORD = "a-long-chief-password"
# The NIS's "about 10,000 in all": related to its other figures, and the State Department's
# "more than 10 آلاف" in another article gives its figure.
CLAIM = "nk-troops-about-10000-expected-in-total"

require_chromium()


pytestmark = pytest.mark.browser


@pytest.fixture
def site(transactional_db, settings):
    call_command("loaddata", "seed", verbosity=0)
    search.refresh_vocabulary()
    User.objects.create_superuser("huda", password=PASSWORD)
    with served(settings) as url:
        yield url


def test_a_chief_editor_follows_a_related_claim_and_adds_an_appearance(site, browser):
    claim = Claim.objects.get(slug__startswith=CLAIM)
    context = browser.new_context(locale="ar", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(site + "/admin/login/")
    page.fill("#id_username", "huda")
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url(site + "/admin/")
    change = f"{site}/admin/archive/claim/{claim.pk}/change/"
    page.goto(change)

    related = page.locator("#related-claims a")
    assert related.count() >= 1
    href = related.first.get_attribute("href")
    assert re.fullmatch(r"/admin/archive/claim/\d+/change/", href)
    assert href != f"/admin/archive/claim/{claim.pk}/change/"
    related.first.click()
    page.wait_for_url(site + href)
    page.go_back()

    passage = page.locator("#where-else li").first
    sentence = passage.locator("blockquote").inner_text()
    assert "10 آلاف" in sentence or "10،000" in sentence
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.locator("#where-else").scroll_into_view_if_needed()
        page.screenshot(path=str(Path(SCREENSHOTS) / "18C-claim-where-else-ar.png"))
    before = ClaimAppearance.objects.filter(claim=claim).count()
    passage.get_by_role("button").click()
    page.wait_for_url(re.compile(re.escape(change)))
    assert page.locator(".messagelist .success").count() == 1

    assert ClaimAppearance.objects.filter(claim=claim).count() == before + 1
    added = ClaimAppearance.objects.filter(claim=claim).latest("id")
    assert added.quote == sentence
    # Its article is now the claim's own: that sentence is no longer proposed.
    assert sentence not in page.locator("#where-else").inner_text()
    context.close()
