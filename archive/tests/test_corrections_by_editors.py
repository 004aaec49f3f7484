"""An editor may not edit a published article, but may add a public correction note to it: the
note is the only change, recorded with its author, and readers see it on the article's page."""

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from archive.models import Correction

pytestmark = pytest.mark.django_db


def correction_url(article):
    return reverse("admin:archive_article_correction", args=[article.pk])


def test_an_account_without_the_right_to_add_corrections_is_refused(client, make_article):
    article = make_article()
    viewer = User.objects.create_user("sami", password="a-long-password-1", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(viewer)
    assert client.get(correction_url(article)).status_code == 403
    assert client.post(correction_url(article), {"note": "خطأ"}).status_code == 403
    assert not Correction.objects.exists()


def test_an_empty_or_control_character_note_is_refused(editor_client, make_article):
    article = make_article()
    response = editor_client.post(correction_url(article), {"note": "   "})
    assert response.status_code == 200 and response.context["form"].errors
    response = editor_client.post(correction_url(article), {"note": "تصحيح\x07"})
    assert "note" in response.context["form"].errors
    assert not Correction.objects.exists()


def test_an_unknown_article_is_a_404(editor_client):
    assert editor_client.get("/admin/archive/article/999/correction/").status_code == 404


def test_an_editor_corrects_a_published_article_and_readers_see_it(
    client, editor, editor_client, make_article
):
    article = make_article()
    change = reverse("admin:archive_article_change", args=[article.pk])
    # The article is read-only for the editor, and its page offers the correction.
    page = editor_client.get(change).content.decode()
    assert correction_url(article) in page
    assert editor_client.post(change, {"title": "عنوان آخر"}).status_code == 403

    response = editor_client.post(correction_url(article), {"note": "صُحّح عدد الجنود."})
    assert response.status_code == 302 and response["Location"] == change
    [correction] = Correction.objects.all()
    assert (correction.created_by, correction.made_while_public) == (editor, True)
    article.refresh_from_db()
    assert article.title == "كوريا الشمالية تصدق على المعاهدة"  # nothing else changed
    public = client.get(article.get_absolute_url()).content.decode()
    assert "صُحّح عدد الجنود." in public


def test_a_draft_offers_no_separate_correction(editor_client, make_article):
    draft = make_article(status="draft")
    page = editor_client.get(reverse("admin:archive_article_change", args=[draft.pk]))
    assert correction_url(draft) not in page.content.decode()
