"""Corrections in public: an article's text revised while public ("updated on"), the editors'
correction notes and a claim's verdict history, each shown to readers only when it was made
while the article or the claim was public, whatever wrote it."""

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from archive.models import Article, Claim, Correction, VerdictChange

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def public(make_article):
    return make_article("مقال منشور", slug="public-piece", body="نص أول عن المعاهدة.")


@pytest.fixture
def draft(make_article):
    return make_article("مسودة", slug="draft-piece", status=Article.Status.DRAFT)


@pytest.fixture
def scheduled(make_article):
    return make_article(
        "مقال مجدول", slug="scheduled-piece", published_at=timezone.now() + dt.timedelta(days=1)
    )


def fresh(article):
    return Article.objects.get(pk=article.pk)


def opened_version(client, url):
    """The version the change page at `url` renders in its hidden field, as a browser posts it
    back (archive/concurrency.py)."""
    page = client.get(url).content.decode()
    return re.search(r'name="opened_version" value="(\d+)"', page).group(1)


def publish(article):
    Article.objects.filter(pk=article.pk).update(
        status=Article.Status.PUBLISHED, published_at=timezone.now() - dt.timedelta(hours=1)
    )


# --- the text revised while public -------------------------------------------------------------


def test_a_text_changed_before_publication_is_no_revision(draft, scheduled):
    for article in (draft, scheduled):
        article.body = "نص معدّل قبل النشر."
        article.title += " (معدل)"
        article.save()
        assert fresh(article).revised_at is None
    publish(draft)
    assert fresh(draft).revised_at is None


def test_other_changes_of_a_public_article_are_no_revision(public, person):
    public.author = "كاتب آخر"
    public.url = "https://example.org/elsewhere"
    public.save()
    public.tags.add(person)
    assert fresh(public).revised_at is None


@pytest.mark.parametrize("field", ["title", "lead", "body"])
def test_a_text_changed_while_public_is_a_revision(public, field):
    before = timezone.now()
    setattr(public, field, "نص جديد بعد النشر")
    public.save()
    revised = fresh(public).revised_at
    assert revised is not None and revised >= before - dt.timedelta(seconds=5)


def test_every_write_path_records_the_revision(public, make_article):
    Article.objects.filter(pk=public.pk).update(body="عبر تحديث جماعي")
    assert fresh(public).revised_at is not None
    other = make_article("مقال آخر", slug="other-piece")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE archive_article SET lead = 'عبر SQL' WHERE id = %s", [other.pk])
    assert fresh(other).revised_at is not None


def test_a_stale_object_cannot_clear_or_forge_the_revision(public, draft):
    stale = fresh(public)  # read before the revision
    Article.objects.filter(pk=public.pk).update(body="نص منقح")
    revised = fresh(public).revised_at
    stale.author = "تعديل لاحق"
    stale.save()  # writes revised_at=None from the stale object
    assert fresh(public).revised_at == revised
    draft.revised_at = timezone.now()
    draft.save()
    assert fresh(draft).revised_at is None


def test_the_page_and_the_api_say_when_the_text_was_revised(client, public):
    html = client.get("/articles/public-piece/").content.decode()
    assert "حُدِّث في" not in html
    assert client.get(f"/api/articles/{public.pk}/").json()["revised_at"] is None

    public.body = "نص منقح بعد النشر."
    public.save()
    revised = fresh(public).revised_at
    html = client.get("/articles/public-piece/").content.decode()
    assert "حُدِّث في" in html
    assert f'datetime="{timezone.localtime(revised).isoformat()}"' in html
    assert client.get(f"/api/articles/{public.pk}/").json()["revised_at"] == revised.isoformat()


# --- correction notes ----------------------------------------------------------------------


def test_a_correction_made_before_publication_is_not_public(client, draft):
    correction = Correction.objects.create(article=draft, note="تصحيح قبل النشر")
    correction.refresh_from_db()
    assert correction.made_while_public is False
    publish(draft)
    html = client.get("/articles/draft-piece/").content.decode()
    assert "تصحيح قبل النشر" not in html and "corrections-heading" not in html
    assert client.get(f"/api/articles/{draft.pk}/").json()["corrections"] == []
    assert Correction.objects.public().count() == 0


def test_a_correction_to_a_scheduled_article_is_not_public_even_once_its_time_comes(
    client, scheduled
):
    Correction.objects.create(article=scheduled, note="تصحيح قبل الموعد")
    publish(scheduled)
    assert "تصحيح قبل الموعد" not in client.get("/articles/scheduled-piece/").content.decode()


def test_a_correction_cannot_be_forged_public(draft, public):
    forged = Correction.objects.create(article=draft, note="مزور", made_while_public=True)
    forged.refresh_from_db()
    assert forged.made_while_public is False
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO archive_correction (article_id, note, made_while_public)"
            " VALUES (%s, 'مزور بـSQL', true) RETURNING made_while_public",
            [draft.pk],
        )
        assert cursor.fetchone()[0] is False
    # Nor made public later by an update of its own flag, once its article is public.
    publish(draft)
    Correction.objects.filter(pk=forged.pk).update(made_while_public=True)
    forged.refresh_from_db()
    assert forged.made_while_public is False


def test_a_correction_made_while_public_is_listed_with_its_date(client, public):
    correction = Correction.objects.create(
        article=public, note="صُحّح تاريخ التصديق: 12 نوفمبر لا 11."
    )
    correction.refresh_from_db()
    assert correction.made_while_public is True
    html = client.get("/articles/public-piece/").content.decode()
    assert "صُحّح تاريخ التصديق" in html
    assert "تصحيح واحد" in html  # beside "updated on"
    assert f'datetime="{timezone.localtime(correction.created_at).isoformat()}"' in html
    api = client.get(f"/api/articles/{public.pk}/").json()
    assert api["corrections"] == [
        {"date": correction.created_at.isoformat(), "note": "صُحّح تاريخ التصديق: 12 نوفمبر لا 11."}
    ]


def test_the_feed_dates_its_entry_by_the_last_public_correction(client, public, draft):
    def updated():
        feed = ET.fromstring(client.get("/feeds/articles/").content)
        entries = {
            e.find(f"{ATOM}link").get("href"): e.find(f"{ATOM}updated").text
            for e in feed.iter(f"{ATOM}entry")
        }
        return entries["http://testserver/articles/public-piece/"]

    assert updated() == public.published_at.isoformat()
    correction = Correction.objects.create(article=public, note="تصحيح")
    correction.refresh_from_db()
    assert updated() == correction.created_at.isoformat()


def test_a_withdrawn_articles_corrections_are_not_shown(client, public):
    Correction.objects.create(article=public, note="تصحيح علني")
    Article.objects.filter(pk=public.pk).update(
        status=Article.Status.WITHDRAWN, withdrawn_at=timezone.now()
    )
    assert Correction.objects.public().count() == 0


def test_a_chief_editor_adds_a_correction_in_the_article_form(editor, chief_client, chief, public):
    url = reverse("admin:archive_article_change", args=[public.pk])
    page = chief_client.get(url).content.decode()
    assert "تصحيحات معلنة للقرّاء" in page
    form = {
        "opened_version": opened_version(chief_client, url),
        "title": public.title,
        "lead": public.lead,
        "body": public.body,
        "status": public.status,
        "published_at_0": "2024-11-12",
        "published_at_1": "12:00:00",
        "source": public.source_id,
        "author": "",
        "url": "",
        "slug": public.slug,
        "language": "ar",
        "claim_appearances-TOTAL_FORMS": "0",
        "claim_appearances-INITIAL_FORMS": "0",
        "corrections-TOTAL_FORMS": "1",
        "corrections-INITIAL_FORMS": "0",
        "corrections-0-note": "صُحّح اسم المسؤول.",
    }
    # A published article is the chief editors' to change: an editor's correction is refused.
    editor_client = Client()
    editor_client.force_login(editor)
    assert editor_client.post(url, form).status_code == 403
    assert not Correction.objects.exists()
    form["corrections-0-note"] = "   "  # an empty extra form: nothing to add
    assert chief_client.post(url, form).status_code == 302
    assert not Correction.objects.exists()
    form["opened_version"] = opened_version(chief_client, url)
    form["corrections-0-note"] = "تصحيح فيه محرف تحكم \x07"
    refused = chief_client.post(url, form)
    assert refused.status_code == 200 and not Correction.objects.exists()
    assert "U+0007" in refused.content.decode()
    form["corrections-0-note"] = "صُحّح اسم المسؤول."
    response = chief_client.post(url, form)
    assert response.status_code == 302
    correction = Correction.objects.get()
    assert (correction.created_by, correction.made_while_public) == (chief, True)


def test_an_article_form_without_the_corrections_part_still_saves(chief_client, public):
    url = reverse("admin:archive_article_change", args=[public.pk])
    form = {
        "opened_version": opened_version(chief_client, url),
        "title": "عنوان جديد",
        "lead": "",
        "body": public.body,
        "status": public.status,
        "published_at_0": "2024-11-12",
        "published_at_1": "12:00:00",
        "source": public.source_id,
        "language": "ar",
        "slug": public.slug,
        "claim_appearances-TOTAL_FORMS": "0",
        "claim_appearances-INITIAL_FORMS": "0",
    }
    assert chief_client.post(url, form).status_code == 302
    assert fresh(public).title == "عنوان جديد"


def test_times_entered_in_the_admin_are_the_newsrooms(chief_client, public):
    url = reverse("admin:archive_article_change", args=[public.pk])
    form = {
        "opened_version": opened_version(chief_client, url),
        "title": public.title,
        "body": public.body,
        "status": public.status,
        "published_at_0": "2024-11-13",
        "published_at_1": "00:30:00",  # Riyadh: 21:30 UTC the day before
        "source": public.source_id,
        "language": "ar",
        "slug": public.slug,
        "claim_appearances-TOTAL_FORMS": "0",
        "claim_appearances-INITIAL_FORMS": "0",
    }
    assert chief_client.post(url, form).status_code == 302
    assert fresh(public).published_at == dt.datetime(2024, 11, 12, 21, 30, tzinfo=dt.UTC)


# --- a claim's verdict history -------------------------------------------------------------


@pytest.fixture
def claim_in(make_claim, appear):
    def make(article, verdict="disputed"):
        claim = make_claim(verdict=verdict)
        appear(claim, article, "كيم جونغ أون")
        return claim

    return make


def change_verdict(claim, verdict):
    claim.verdict = verdict
    claim.save()


def test_verdict_changes_before_the_claim_was_public_are_not_history(client, draft, claim_in):
    claim = claim_in(draft)
    change_verdict(claim, "false")
    change_verdict(claim, "misleading")
    assert VerdictChange.objects.filter(claim=claim).count() == 2  # recorded all the same
    publish(draft)
    assert client.get(f"/claims/{claim.pk}/").context["claim"].public_verdict_changes == []
    assert client.get(f"/api/claims/{claim.pk}/").json()["verdict_history"] == []
    assert "سجل الحكم" not in client.get(f"/claims/{claim.pk}/").content.decode()


def test_a_claim_public_only_in_a_scheduled_article_has_no_public_history(
    client, scheduled, claim_in
):
    claim = claim_in(scheduled)
    change_verdict(claim, "false")
    publish(scheduled)
    assert client.get(f"/api/claims/{claim.pk}/").json()["verdict_history"] == []


def test_each_public_change_of_verdict_is_shown_with_its_date(client, public, claim_in):
    claim = claim_in(public, verdict="disputed")
    change_verdict(claim, "false")
    Claim.objects.filter(pk=claim.pk).update(verdict="misleading")  # a bulk write
    with connection.cursor() as cursor:  # raw SQL too; an unchanged verdict is no change
        cursor.execute("UPDATE archive_claim SET verdict = verdict WHERE id = %s", [claim.pk])
    changes = list(VerdictChange.objects.filter(claim=claim))
    assert [(c.from_verdict, c.to_verdict) for c in changes] == [
        ("disputed", "false"),
        ("false", "misleading"),
    ]
    history = client.get(f"/api/claims/{claim.pk}/").json()["verdict_history"]
    assert history == [
        {"date": changes[0].changed_at.isoformat(), "from": "disputed", "to": "false"},
        {"date": changes[1].changed_at.isoformat(), "from": "false", "to": "misleading"},
    ]
    listed = client.get("/api/claims/").json()["results"][0]
    assert listed["verdict_history"] == history
    html = client.get(f"/claims/{claim.pk}/").content.decode()
    section = html[html.index("verdict-history-heading") :]
    assert section.count("تغيّر الحكم من") == 2
    assert section.index("متنازع عليه") < section.index("خاطئ") < section.index("مضلِّل")


def test_claim_review_carries_when_it_was_published_and_modified(client, public, claim_in):
    claim = claim_in(public, verdict="disputed")
    published, modified = claim.review_dates()
    assert published == modified == public.published_at
    change_verdict(claim, "false")
    change = VerdictChange.objects.get(claim=claim)
    review = claim.claim_review(client.get("/").wsgi_request, public)
    assert review["datePublished"] == timezone.localdate(public.published_at).isoformat()
    assert review["dateModified"] == timezone.localdate(change.changed_at).isoformat()


def claim_post(claim, **overrides):
    data = {
        "statement": claim.statement,
        "slug": claim.slug,
        "claimant": claim.claimant_id or "",
        "verdict": claim.verdict,
        "opened_version": claim.version,
        "verdict_note": "",
        "verdict_change_note": "",
        "quantity_value": "",
        "quantity_low": "",
        "quantity_high": "",
        "quantity_unit": "",
        "quantity_date": "",
        "appearances-TOTAL_FORMS": "0",
        "appearances-INITIAL_FORMS": "0",
        "evidence-TOTAL_FORMS": "0",
        "evidence-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_the_public_note_needs_a_change_of_verdict(chief_client, public, claim_in):
    claim = claim_in(public)
    url = reverse("admin:archive_claim_change", args=[claim.pk])
    response = chief_client.post(url, claim_post(claim, verdict_change_note="ملاحظة بلا تغيير"))
    assert response.status_code == 200
    assert "الملاحظة ترافق تغيير الحكم" in response.content.decode()
    assert not VerdictChange.objects.exists()


def test_the_admins_public_note_goes_with_the_change(client, chief_client, public, claim_in):
    claim = claim_in(public, verdict="disputed")
    url = reverse("admin:archive_claim_change", args=[claim.pk])
    note = "أكدت وثائق جديدة أن الرقم غير صحيح."
    response = chief_client.post(url, claim_post(claim, verdict="false", verdict_change_note=note))
    assert response.status_code == 302
    change = VerdictChange.objects.get(claim=claim)
    assert (change.from_verdict, change.to_verdict, change.note) == ("disputed", "false", note)
    assert client.get(f"/api/claims/{claim.pk}/").json()["verdict_history"][0]["note"] == note
    assert note in client.get(f"/claims/{claim.pk}/").content.decode()
    # The admin lists the history, the changes readers do not see marked as such.
    page = chief_client.get(url).content.decode()
    assert "متنازع عليه → خاطئ" in page


def test_an_earlier_change_keeps_its_own_note(chief_client, public, claim_in):
    claim = claim_in(public, verdict="disputed")
    change_verdict(claim, "false")
    url = reverse("admin:archive_claim_change", args=[claim.pk])
    post = claim_post(fresh_claim(claim), verdict="misleading", verdict_change_note="ثانية")
    assert chief_client.post(url, post).status_code == 302
    notes = list(VerdictChange.objects.filter(claim=claim).values_list("note", flat=True))
    assert notes == ["", "ثانية"]


def fresh_claim(claim):
    return Claim.objects.get(pk=claim.pk)


def test_the_article_pages_claim_reviews_cost_no_query_per_claim(
    client, make_article, make_claim, appear
):
    article = make_article(title="مقال بادعاءات")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(article.get_absolute_url()).status_code == 200
        return len(captured)

    first = make_claim(statement="ادعاء أول", verdict="false")
    appear(first, article, "المعاهدة")
    one = queries()
    for n in range(3):
        claim = make_claim(statement=f"ادعاء رقم {n}", verdict="disputed")
        appear(claim, article, "روسيا")
    assert queries() == one
