"""No silent overwrite: a change form opened before a later save is refused, with the admin's
own forms (the test client posts exactly what the rendered page holds, as a browser would)."""

from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.db import connection
from django.test import Client
from django.urls import reverse

from archive.models import Article, Claim, ClaimAppearance, ClaimEvidence, Tag, TagAlias

pytestmark = pytest.mark.django_db


class FormReader(HTMLParser):
    """The fields a browser would post from the page's form that has `marker` among its
    inputs: text inputs and hidden ones, checked boxes and radios, textareas, selections."""

    def __init__(self):
        super().__init__()
        self.forms, self.form, self.textarea, self.select = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.form = []
            self.forms.append(self.form)
        elif self.form is None:
            return
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.form.append([attrs["name"], attrs.get("value", "on")])
                return
            self.form.append([attrs["name"], attrs.get("value") or ""])
        elif tag == "textarea":
            self.textarea = [attrs["name"], ""]
            self.form.append(self.textarea)
        elif tag == "select":
            self.select = attrs["name"]
        elif tag == "option" and self.select and "selected" in attrs:
            self.form.append([self.select, attrs.get("value", "")])

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            if self.textarea[1].startswith("\n"):
                self.textarea[1] = self.textarea[1][1:]
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form":
            self.form = None


def form_on(response, marker):
    """The post data of the page's form that holds a field named `marker`."""
    reader = FormReader()
    reader.feed(response.content.decode())
    for fields in reader.forms:
        if any(name == marker for name, _value in fields):
            data = {}
            for name, value in fields:
                data.setdefault(name, []).append(value)
            return data
    raise AssertionError(f"no form with {marker} on the page")


def open_change_form(client, obj):
    url = reverse(f"admin:archive_{obj._meta.model_name}_change", args=[obj.pk])
    response = client.get(url)
    assert response.status_code == 200
    return url, form_on(response, "opened_version")


def save(client, url, data, **changes):
    data = {**data, **{key: [value] for key, value in changes.items()}, "_continue": ["1"]}
    return client.post(url, data)


def refused(response):
    """A conflict page (409), or the change form again with an error: anything but a save."""
    assert response.status_code in (200, 409), response.status_code
    return response.content.decode()


@pytest.fixture
def second_editor(db):
    user = User.objects.create_user("omar", password="another-long-password", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def second_client(second_editor):
    client = Client()
    client.force_login(second_editor)
    return client


@pytest.fixture
def draft(make_article):
    return make_article(status=Article.Status.DRAFT, lead="مقدمة أولى")


@pytest.fixture
def appearance(draft, make_claim, appear):
    return appear(make_claim(), draft, "وقع كيم جونغ أون")


# The version itself, kept by PostgreSQL.


def test_an_unchanged_save_leaves_the_version_and_every_write_path_moves_it(draft):
    assert draft.version == 1
    draft.save()
    draft.refresh_from_db()
    assert draft.version == 1
    Article.objects.filter(pk=draft.pk).update(lead="تحديث جماعي")
    draft.refresh_from_db()
    assert draft.version == 2
    draft.body = "نص آخر"
    Article.objects.bulk_update([draft], ["body"])
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE archive_article SET title = 'عنوان من SQL' WHERE id = %s", [draft.pk]
        )
    draft.refresh_from_db()
    assert draft.version == 4


def test_a_write_never_takes_the_version_back(draft, editor_client, second_client):
    """loaddata saves a fixture's row with the default version, 1: a form opened at 1 before
    two saves must not become current again."""
    url, opened_at_one = open_change_form(second_client, draft)
    Article.objects.filter(pk=draft.pk).update(title="عنوان ثان")
    Article.objects.filter(pk=draft.pk).update(title="كوريا الشمالية تصدق على المعاهدة")
    draft.refresh_from_db()
    draft.version = 1
    draft.save()  # what loaddata does with a seed row nobody's fixture knows the version of

    draft.refresh_from_db()
    assert draft.version == 3
    assert save(second_client, url, opened_at_one, body="نص قديم").status_code == 409


def test_a_version_bump_alone_makes_no_history_version(draft):
    Article.objects.filter(pk=draft.pk).update(version=7)
    assert draft.events.filter(pgh_label="update").count() == 0
    Article.objects.filter(pk=draft.pk).update(title="عنوان جديد")
    assert list(draft.events.filter(pgh_label="update").values_list("title", "version")) == [
        ("عنوان جديد", 8)
    ]


# Two editors, or two tabs.


def test_a_stale_body_change_is_refused_and_the_newer_title_stays(
    editor_client, second_client, draft
):
    url, first = open_change_form(editor_client, draft)
    _url, second = open_change_form(second_client, draft)
    assert save(editor_client, url, first, title="العنوان الذي حفظه الأول").status_code == 302

    response = save(second_client, url, second, body="نص غيّره الثاني")

    html = refused(response)
    assert response.status_code == 409
    draft.refresh_from_db()
    assert draft.title == "العنوان الذي حفظه الأول"
    assert draft.body != "نص غيّره الثاني"
    assert "رُفض الحفظ" in html  # the message, in Arabic
    assert "العنوان" in html and "العنوان الذي حفظه الأول" in html  # field and value
    assert "layla" in html  # who saved meanwhile
    changed = [change.key for change in response.context["conflicts"][0].changes]
    assert changed == ["title"]


def test_the_same_editor_in_two_tabs_is_refused_too(editor_client, draft):
    url, tab_one = open_change_form(editor_client, draft)
    _url, tab_two = open_change_form(editor_client, draft)
    assert save(editor_client, url, tab_one, lead="من النافذة الأولى").status_code == 302

    response = save(editor_client, url, tab_two, lead="من النافذة الثانية")

    assert response.status_code == 409
    draft.refresh_from_db()
    assert draft.lead == "من النافذة الأولى"


def test_choosing_per_field_saves_both_changes(editor_client, second_client, draft):
    url, first = open_change_form(editor_client, draft)
    _url, second = open_change_form(second_client, draft)
    save(editor_client, url, first, title="عنوان الأول")
    conflict = save(second_client, url, second, body="نص الثاني")
    assert conflict.status_code == 409
    choices = form_on(conflict, "_choice-title")
    assert choices["_choice-title"] == ["theirs"]  # the second editor left the title alone

    response = second_client.post(url, {**choices, "_continue": ["1"]})

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.body) == ("عنوان الأول", "نص الثاني")


def test_choosing_mine_for_a_field_both_changed_keeps_mine(editor_client, second_client, draft):
    url, first = open_change_form(editor_client, draft)
    _url, second = open_change_form(second_client, draft)
    save(editor_client, url, first, lead="مقدمة الأول", title="عنوان الأول")
    conflict = save(second_client, url, second, lead="مقدمة الثاني")
    choices = form_on(conflict, "_choice-lead")
    assert choices["_choice-lead"] == ["mine"]  # both changed it: the editor's own by default

    second_client.post(url, {**choices, "_continue": ["1"]})

    draft.refresh_from_db()
    assert (draft.title, draft.lead) == ("عنوان الأول", "مقدمة الثاني")


def test_the_choice_is_itself_refused_if_another_save_came_in_between(
    editor_client, second_client, draft
):
    url, first = open_change_form(editor_client, draft)
    _url, second = open_change_form(second_client, draft)
    save(editor_client, url, first, title="عنوان الأول")
    choices = form_on(save(second_client, url, second, body="نص الثاني"), "_choice-title")
    Article.objects.filter(pk=draft.pk).update(title="عنوان ثالث")

    response = second_client.post(url, {**choices, "_continue": ["1"]})

    assert response.status_code == 409
    draft.refresh_from_db()
    assert draft.title == "عنوان ثالث"


# Other write paths in between.


def test_a_bulk_action_makes_an_open_form_stale(editor_client, second_client, draft):
    url, opened = open_change_form(second_client, draft)
    # Submitting for review: the bulk action an editor has (publishing is a chief editor's).
    editor_client.post(
        reverse("admin:archive_article_changelist"),
        {"action": "submit_for_review", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.status == Article.Status.REVIEW

    response = save(second_client, url, opened, body="نص بعد الإرسال للمراجعة")

    assert response.status_code == 409
    draft.refresh_from_db()
    assert draft.status == Article.Status.REVIEW and draft.body != "نص بعد الإرسال للمراجعة"
    assert [change.key for change in response.context["conflicts"][0].changes] == ["status"]


def test_a_raw_sql_update_makes_an_open_form_stale(editor_client, draft):
    url, opened = open_change_form(editor_client, draft)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE archive_article SET lead = 'مقدمة من SQL' WHERE id = %s", [draft.pk])

    response = save(editor_client, url, opened, title="عنوان جديد")

    html = refused(response)
    assert response.status_code == 409
    assert "مقدمة من SQL" in html and "كتابة من خارج لوحة الإدارة" in html
    draft.refresh_from_db()
    assert (draft.title, draft.lead) == ("كوريا الشمالية تصدق على المعاهدة", "مقدمة من SQL")


def test_a_post_without_the_version_is_refused(editor_client, draft):
    url, opened = open_change_form(editor_client, draft)
    del opened["opened_version"]

    response = save(editor_client, url, opened, title="عنوان من طلب مصنوع")

    html = refused(response)
    draft.refresh_from_db()
    assert draft.title != "عنوان من طلب مصنوع"
    assert "لا يذكر النموذج" in html


def test_a_post_with_a_made_up_version_is_refused(editor_client, draft):
    url, opened = open_change_form(editor_client, draft)

    response = save(editor_client, url, opened, opened_version="99", title="عنوان من طلب مصنوع")

    assert response.status_code == 409
    draft.refresh_from_db()
    assert draft.title != "عنوان من طلب مصنوع"


def test_a_current_form_saves_and_moves_the_version(editor_client, draft):
    url, opened = open_change_form(editor_client, draft)
    assert save(editor_client, url, opened, title="عنوان جديد").status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.version) == ("عنوان جديد", 2)


def test_a_tag_change_alone_moves_the_version(editor_client, second_client, draft, person):
    url, first = open_change_form(editor_client, draft)
    _url, second = open_change_form(second_client, draft)
    assert save(editor_client, url, first, tags=str(person.pk)).status_code == 302

    response = save(second_client, url, second, lead="مقدمة أخرى")

    assert response.status_code == 409
    assert list(draft.tags.all()) == [person]


# Inlines.


def test_a_stale_inline_appearance_does_not_overwrite_a_newer_one(
    editor_client, second_client, draft, appearance
):
    url, first = open_change_form(editor_client, draft)
    _url, second = open_change_form(second_client, draft)
    claim_url = reverse("admin:archive_claim_change", args=[appearance.claim.pk])
    _claim_url, claim_form = open_change_form(editor_client, appearance.claim)
    assert claim_form["appearances-0-quote"] == ["وقع كيم جونغ أون"]
    saved = save(editor_client, claim_url, claim_form, **{"appearances-0-quote": "مرسوما للتصديق"})
    assert saved.status_code == 302

    response = save(second_client, url, second, **{"claim_appearances-0-quote": "مع روسيا"})

    assert response.status_code == 409
    appearance.refresh_from_db()
    assert appearance.quote == "مرسوما للتصديق"
    conflicts = response.context["conflicts"]
    assert [type(c.form.instance) for c in conflicts] == [ClaimAppearance]
    assert [c.key for c in conflicts[0].changes] == ["claim_appearances-0-quote"]
    # The first tab was opened before the claim's save too: its appearance row is stale.
    assert save(editor_client, url, first, title="عنوان جديد").status_code == 409


def test_an_inline_row_deleted_meanwhile_is_not_created_again(
    editor_client, second_client, draft, appearance
):
    url, opened = open_change_form(second_client, draft)
    appearance.delete()

    response = save(second_client, url, opened, **{"claim_appearances-0-quote": "على المعاهدة"})

    html = refused(response)
    assert response.status_code == 409
    assert not ClaimAppearance.objects.filter(article=draft).exists()
    assert "حُذف" in html
    choices = form_on(response, "claim_appearances-0-DELETE")
    saved = second_client.post(url, {**choices, "title": ["عنوان بعد الحذف"], "_continue": ["1"]})
    assert saved.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "عنوان بعد الحذف"
    assert not ClaimAppearance.objects.filter(article=draft).exists()


def test_a_stale_appearance_and_evidence_inside_a_claim(editor_client, second_client, appearance):
    claim = appearance.claim
    evidence = ClaimEvidence.objects.create(
        claim=claim, url="https://example.org/report", description="تقرير"
    )
    url, opened = open_change_form(second_client, claim)
    ClaimEvidence.objects.filter(pk=evidence.pk).update(description="تقرير محدث")
    ClaimAppearance.objects.filter(pk=appearance.pk).update(quote="اقتباس محدث")

    response = save(
        second_client,
        url,
        opened,
        **{"appearances-0-quote": "مع روسيا", "evidence-0-description": "وصف قديم"},
    )

    assert response.status_code == 409
    kinds = {type(c.form.instance) for c in response.context["conflicts"]}
    assert kinds == {ClaimAppearance, ClaimEvidence}
    appearance.refresh_from_db()
    evidence.refresh_from_db()
    assert (appearance.quote, evidence.description) == ("اقتباس محدث", "تقرير محدث")


def test_a_stale_alias_inside_a_tag(editor_client, second_client, person):
    alias = TagAlias.objects.create(tag=person, name="كيم جونج أون")
    url, opened = open_change_form(second_client, person)
    TagAlias.objects.filter(pk=alias.pk).update(name="كيم جونغ اون")

    response = save(second_client, url, opened, **{"aliases-0-name": "كيم"})

    assert response.status_code == 409
    alias.refresh_from_db()
    assert alias.name == "كيم جونغ اون"


def test_a_new_inline_row_needs_no_version(editor_client, draft, make_claim):
    claim = make_claim(statement="ادعاء ثان")
    url, opened = open_change_form(editor_client, draft)
    data = {
        **opened,
        "claim_appearances-TOTAL_FORMS": ["1"],
        "claim_appearances-0-claim": [str(claim.pk)],
        "claim_appearances-0-quote": ["للتصديق على المعاهدة"],
        "claim_appearances-0-article": [str(draft.pk)],
    }

    response = editor_client.post(url, {**data, "_continue": ["1"]})

    assert response.status_code == 302
    assert draft.claim_appearances.get().quote == "للتصديق على المعاهدة"


@pytest.mark.parametrize("model", [Claim, Tag])
def test_claims_and_tags_are_checked_too(editor_client, make_claim, person, model):
    obj = make_claim() if model is Claim else person
    url, opened = open_change_form(editor_client, obj)
    model.objects.filter(pk=obj.pk).update(slug="changed-meanwhile")

    response = save(editor_client, url, opened)

    assert response.status_code == 409
    obj.refresh_from_db()
    assert obj.slug == "changed-meanwhile"


def test_a_read_only_change_page_shows_no_version(client, draft, appearance):
    reader = User.objects.create_user("reader", password="a-long-reader-password", is_staff=True)
    reader.user_permissions.set(
        Permission.objects.filter(
            codename__in=["view_article", "view_claimappearance", "view_claim"]
        )
    )
    client.force_login(reader)

    response = client.get(reverse("admin:archive_article_change", args=[draft.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert draft.title in html and "opened_version" not in html


def test_a_row_changed_meanwhile_is_not_deleted_unseen(second_client, draft, appearance):
    url, opened = open_change_form(second_client, draft)
    ClaimAppearance.objects.filter(pk=appearance.pk).update(quote="مرسوما للتصديق")

    response = save(second_client, url, opened, **{"claim_appearances-0-DELETE": "on"})

    assert response.status_code == 409
    assert ClaimAppearance.objects.filter(pk=appearance.pk).exists()
    assert "الحفظ بهذه الاختيارات يحذفه" in response.content.decode()
    choices = form_on(response, "claim_appearances-0-DELETE")
    assert second_client.post(url, {**choices, "_continue": ["1"]}).status_code == 302
    assert not ClaimAppearance.objects.filter(pk=appearance.pk).exists()


def test_a_row_deleted_meanwhile_and_marked_for_deletion_saves(second_client, draft, appearance):
    url, opened = open_change_form(second_client, draft)
    appearance.delete()

    response = save(
        second_client, url, opened, title="عنوان آخر", **{"claim_appearances-0-DELETE": "on"}
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "عنوان آخر"
    assert not ClaimAppearance.objects.filter(article=draft).exists()


def test_a_made_up_choice_is_ignored(editor_client, draft):
    url, opened = open_change_form(editor_client, draft)

    response = save(
        editor_client,
        url,
        opened,
        title="عنوان جديد",
        **{"_choice-opened_version": "theirs", "_choice-DELETE": "theirs"},
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "عنوان جديد"
