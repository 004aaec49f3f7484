"""An editor restores an earlier version of an article through its History page, in Arabic, in a
real Chromium. With SAVE_SCREENSHOTS=<folder> the history (old → new values) and the restore's
confirmation are saved as PNG (docs/screenshots/history-old-new.png, history-restore.png)."""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from django.db import transaction
from django.utils import timezone

from archive.history import recorded
from archive.models import Article, Source, Tag
from archive.tests.conftest import require_chromium, served

SCREENSHOTS = os.environ.get("SAVE_SCREENSHOTS")

require_chromium()


pytestmark = pytest.mark.browser

PASSWORD = "a-long-editor-password"
BODY = (
    "وقع الزعيم الكوري الشمالي كيم جونغ أون مرسوما للتصديق على معاهدة الشراكة الاستراتيجية"
    " الشاملة مع روسيا، بحسب ما أعلنته وكالة الأنباء المركزية الكورية صباح اليوم. وتنص"
    " المعاهدة على تقديم المساعدة العسكرية الفورية إذا تعرض أحد البلدين لهجوم مسلح، وكانت"
    " موسكو قد صادقت عليها الأسبوع الماضي."
)


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "ar", "viewport": {"width": 1366, "height": 1000}}


@pytest.fixture
def site(transactional_db, settings):
    with served(settings) as url:
        yield url


@pytest.fixture
def article_with_history(transactional_db):
    """An article imported, then corrected by an editor: each write its own transaction."""
    editor = User.objects.create_user(
        "layla", password=PASSWORD, is_staff=True, first_name="ليلى", last_name="حداد"
    )
    editor.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_article", "change_article", "view_tag", "view_source"]
        )
    )
    outlet = Source.objects.create(name="Al Jazeera", name_ar="الجزيرة", slug="al-jazeera")
    tag = Tag.objects.create(kind=Tag.Kind.PLACE, name_ar="بيونغ يانغ", name_en="Pyongyang")
    with recorded("import", import_run=3, file="aljazeera-2024-11.csv"):
        article = Article.objects.create(
            title="كوريا الشمالية تصدق على معاهدة مع روسيا",
            body=BODY,
            source=outlet,
            status=Article.Status.DRAFT,
            published_at=timezone.make_aware(dt.datetime(2024, 11, 12, 9), dt.UTC),
        )
    change = f"/admin/archive/article/{article.pk}/change/"
    with transaction.atomic(), recorded("admin", user=editor.pk, url=change):
        article.title = "كوريا الشمالية تصادق على معاهدة الدفاع المشترك مع روسيا"
        article.body = BODY.replace("صباح اليوم", "مساء أمس").replace(
            "الأسبوع الماضي", "في التاسع من نوفمبر"
        )
        article.language = "ar"
        article.author = "مراسل الجزيرة"
        article.updated_by = editor
        article.save()
        article.tags.add(tag)
    return article


def shot(page, name):
    if SCREENSHOTS:
        folder = Path(SCREENSHOTS)
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=False)


def test_an_editor_restores_a_version_from_the_history_page(site, page, article_with_history):
    article = article_with_history
    page.goto(f"{site}/admin/login/?next=/admin/archive/article/{article.pk}/history/")
    page.fill("#id_username", "layla")
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url(f"**/admin/archive/article/{article.pk}/history/")
    assert page.locator("html").get_attribute("dir") == "rtl"

    versions = page.locator("ol.versions > li.version")
    assert versions.count() == 2
    newest = versions.nth(0)
    assert "ليلى حداد" in newest.locator(".who").inner_text()
    assert "العنوان" in newest.inner_text()
    assert "تصدق على معاهدة" in newest.locator("del.old").first.inner_text()
    assert "الدفاع المشترك" in newest.locator("ins.new").first.inner_text()
    assert newest.locator(".word-diff ins", has_text="مساء أمس").count() == 1
    assert "الاستيراد رقم 3 (aljazeera-2024-11.csv)" in versions.nth(1).inner_text()
    shot(page, "history-old-new")

    # Restore the imported version: a confirmation lists what will change.
    versions.nth(1).get_by_role("link", name="استعد هذه النسخة").click()
    page.wait_for_url("**/restore/")
    assert "لا تُستعاد حالة المقال" in page.content()
    assert page.locator("table.field-changes th", has_text="العنوان").count() == 1
    shot(page, "history-restore")
    page.get_by_role("button", name="استعد هذه النسخة").click()
    page.wait_for_url(f"**/admin/archive/article/{article.pk}/history/")
    assert "استُعيدت نسخة" in page.locator(".messagelist").inner_text()

    article.refresh_from_db()
    assert article.title == "كوريا الشمالية تصدق على معاهدة مع روسيا"
    assert article.status == Article.Status.DRAFT
    # The restore is the newest version, by the editor.
    assert page.locator("ol.versions > li.version").count() == 3
    assert "ليلى حداد" in page.locator("ol.versions > li.version").nth(0).inner_text()
