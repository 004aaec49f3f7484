"""Corrections as a reader sees them, in a real Chromium (Debian's, driven by Playwright), in
Arabic: an article's correction on a wide screen and a phone, a claim's verdict history. With
SAVE_SCREENSHOTS=<folder> the pages are saved as PNG (docs/screenshots/correction.png,
correction-phone.png, verdict-history.png)."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from archive import search
from archive.models import Article, Claim, Correction, VerdictChange
from archive.tests.conftest import require_chromium, served

SCREENSHOTS = os.environ.get("SAVE_SCREENSHOTS")

require_chromium()


pytestmark = pytest.mark.browser

T0 = "north-korea-ratifies-mutual-defence-treaty-with-russia"
NOTE = (
    "صُحّح في الفقرة الأولى تاريخ توقيع المرسوم: وقّعه كيم جونغ أون في 11 نوفمبر، لا في 12"
    " نوفمبر كما ورد في النسخة الأولى."
)
VERDICT_NOTE = "نفت وزارة الدفاع الكورية الجنوبية الرقم بعد أسبوعين، وأكدت أن العدد أقل بكثير."


@pytest.fixture
def site(transactional_db, settings):
    """The seed archive with a correction and a verdict changed twice, on a free port."""
    call_command("loaddata", "seed", verbosity=0)
    article = Article.objects.get(slug=T0)
    article.body = article.body.replace("مرسوما", "مرسومًا", 1)
    article.save()  # a revision while public: "updated on"
    Correction.objects.create(article=article, note=NOTE)
    claim = Claim.objects.get(slug="nk-troops-about-11000-deployed")
    for verdict in ("disputed", "false"):
        claim.verdict = verdict
        claim.save()
    latest = VerdictChange.objects.filter(claim=claim).order_by("-id").first()
    VerdictChange.objects.filter(pk=latest.pk).update(note=VERDICT_NOTE)
    search.refresh_vocabulary()
    with served(settings) as url:
        yield {"url": url, "claim": claim.pk}


def shot(page, name, full_page=False):
    if SCREENSHOTS:
        folder = Path(SCREENSHOTS)
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)


def fits_its_width(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize(
    ("width", "height", "name"), [(1366, 900, "correction"), (390, 844, "correction-phone")]
)
def test_a_reader_sees_the_correction_of_an_article(site, page, width, height, name):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{site['url']}/articles/{T0}/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    updated = page.locator(".updated")
    assert "حُدِّث في" in updated.inner_text()
    assert "تصحيح واحد" in updated.inner_text()
    # The note says what changed; the link beside "updated on" leads to it.
    updated.get_by_role("link").click()
    section = page.locator("aside.corrections")
    section.wait_for()
    assert NOTE in section.inner_text()
    assert section.locator("time").count() == 1
    assert fits_its_width(page)
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, name)


def test_a_reader_sees_the_verdict_history_of_a_claim(site, page):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{site['url']}/claims/{site['claim']}/")
    history = page.locator("section.verdict-history")
    items = history.locator("li")
    assert items.count() == 2
    assert "غير متحقق منه" in items.nth(0).inner_text()
    assert "متنازع عليه" in items.nth(0).inner_text()
    assert VERDICT_NOTE in items.nth(1).inner_text()
    assert fits_its_width(page)
    shot(page, "verdict-history", full_page=True)
