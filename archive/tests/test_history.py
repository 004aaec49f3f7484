"""The history of every write: each item's History page (old → new), restoring a version,
bringing back a deleted item with its links, purging one with its history, the changes of one
person or one import, and the accounts' own history."""

import pghistory
import pytest
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from archive import versions
from archive.history import recorded
from archive.models import Article, Claim, ClaimAppearance, PurgeRecord, Tag, TagAlias

pytestmark = pytest.mark.django_db

ArticleEvent = apps.get_model("archive", "ArticleEvent")


def event_models():
    """Every history table of the archive (the items', the links', the accounts')."""
    return [
        model
        for model in apps.get_app_config("archive").get_models()
        if issubclass(model, pghistory.models.Event)
    ]


def staff(username, *codenames, group="Editors"):
    user = User.objects.create_user(username, password="a-long-password-1", is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return User.objects.get(pk=user.pk)


# chief, chief_client: conftest's (the group Chief editors).


def history_url(obj):
    return reverse(f"admin:archive_{obj._meta.model_name}_history", args=[obj.pk])


def edit_in_admin(client, article, **changes):
    """Save the article's change form with some fields changed, as an editor would: opened
    first, and posted with the version the page was opened at."""
    url = reverse("admin:archive_article_change", args=[article.pk])
    opened = client.get(url).context["adminform"].form["opened_version"].value()
    assert opened == Article.objects.get(pk=article.pk).version
    data = {
        "title": article.title,
        "lead": article.lead,
        "body": article.body,
        "status": article.status,
        "published_at_0": timezone.localtime(article.published_at).strftime("%Y-%m-%d"),
        "published_at_1": timezone.localtime(article.published_at).strftime("%H:%M:%S"),
        "source": article.source_id,
        "author": article.author,
        "url": article.url,
        "slug": article.slug,
        "language": article.language,
        "tags": [t.pk for t in article.tags.all()],
        "credited_sources": [s.pk for s in article.credited_sources.all()],
        "claim_appearances-TOTAL_FORMS": "0",
        "claim_appearances-INITIAL_FORMS": "0",
        "opened_version": opened,
        **changes,
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


# --- unhappy paths -------------------------------------------------------------------------


def test_an_editor_without_change_permission_cannot_restore(client, make_article):
    article = make_article(title="العنوان الأول")
    Article.objects.filter(pk=article.pk).update(title="العنوان الثاني")
    first = ArticleEvent.objects.filter(pgh_obj_id=article.pk, pgh_label="create").get()
    reader = staff("sami", "view_article", group=None)
    client.force_login(reader)
    url = reverse("admin:archive_article_restore", args=[article.pk, first.pgh_id])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    article.refresh_from_db()
    assert article.title == "العنوان الثاني"
    # The history itself is open to whoever may view the article, without restore buttons.
    page = client.get(history_url(article))
    assert page.status_code == 200 and not page.context["may_restore"]


def test_an_editor_without_restore_deleted_cannot_undelete(editor_client, make_article):
    article = make_article()
    pk = article.pk
    article.delete()
    url = reverse("admin:archive_article_undelete", args=[pk])
    assert editor_client.get(url).status_code == 405
    assert editor_client.post(url).status_code == 403
    assert not Article.objects.filter(pk=pk).exists()
    page = editor_client.get(reverse("admin:archive_article_history", args=[pk]))
    assert page.status_code == 200 and not page.context["may_undelete"]


def test_an_editor_without_purge_item_cannot_purge(editor_client, make_article):
    article = make_article()
    url = reverse("admin:archive_article_purge", args=[article.pk])
    assert editor_client.get(url).status_code == 403
    assert editor_client.post(url, {"reason": "طلب قضائي"}).status_code == 403
    assert Article.objects.filter(pk=article.pk).exists()
    assert ArticleEvent.objects.filter(pgh_obj_id=article.pk).exists()
    assert not PurgeRecord.objects.exists()


def test_a_purge_needs_a_reason(chief_client, make_article):
    article = make_article()
    url = reverse("admin:archive_article_purge", args=[article.pk])
    chief_client.post(url, {"reason": "  "})
    assert Article.objects.filter(pk=article.pk).exists()
    assert not PurgeRecord.objects.exists()


def test_a_version_of_another_item_cannot_be_restored_here(editor_client, make_article):
    one = make_article(title="واحد", status=Article.Status.DRAFT)
    other = make_article(title="اثنان", url="https://x.org/2", status=Article.Status.DRAFT)
    event = ArticleEvent.objects.get(pgh_obj_id=other.pk)
    url = reverse("admin:archive_article_restore", args=[one.pk, event.pgh_id])
    assert editor_client.post(url).status_code == 404


def test_the_history_tables_refuse_raw_updates_and_deletes(make_article):
    make_article()
    for statement in (
        "UPDATE archive_articleevent SET title = 'forged'",
        "DELETE FROM archive_articleevent",
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement)
    assert ArticleEvent.objects.filter(title="forged").count() == 0
    assert ArticleEvent.objects.exists()


def test_a_tag_that_is_a_claimant_is_not_purged(chief_client, make_claim, person):
    make_claim()
    chief_client.post(reverse("admin:archive_tag_purge", args=[person.pk]), {"reason": "طلب"})
    assert Tag.objects.filter(pk=person.pk).exists()
    assert not PurgeRecord.objects.exists()


# --- the History page ----------------------------------------------------------------------


def test_history_shows_old_and_new_values_with_arabic_field_names(
    editor_client, editor, make_article, person
):
    body = " ".join(f"كلمة{i}" for i in range(80))
    article = make_article(title="العنوان الأول", body=body, status=Article.Status.DRAFT)
    edit_in_admin(
        editor_client,
        article,
        title="العنوان المصحح",
        body=body.replace("كلمة40", "جملة جديدة"),
        language="en",
        tags=[person.pk],
    )
    page = editor_client.get(history_url(article))
    html = page.content.decode()
    newest = page.context["versions"][0]
    assert newest.origin.who == "layla" and newest.origin.via == "لوحة الإدارة"
    changes = {c.name: c for c in newest.own.changes}
    assert changes["العنوان"].old == "العنوان الأول"
    assert changes["العنوان"].new == "العنوان المصحح"
    # A choice by its label, in Arabic.
    assert (changes["اللغة"].old, changes["اللغة"].new) == ("العربية", "الإنجليزية")
    # The body as a word-level diff, not two walls of text.
    assert ("removed", "كلمة40") in changes["النص"].diff
    assert ("added", "جملة جديدة") in changes["النص"].diff
    assert "كلمة1 " not in html.split("word-diff")[1][:400]
    # The tag added in the same save is part of the version.
    assert [e.label for e in newest.events if not e.own] == ["add"]
    assert str(person) in html
    assert f"?user={editor.pk}" in html


def test_history_of_a_claim_includes_its_appearances_evidence_and_tags(
    editor_client, make_claim, make_article, appear, person
):
    claim = make_claim()
    appear(claim, make_article(), "وقع كيم جونغ أون")
    claim.evidence.create(url="https://example.org/proof", description="وثيقة")
    claim.tags.add(person)
    versions_ = editor_client.get(history_url(claim)).context["versions"]
    kinds = {e.row._meta.model_name for v in versions_ for e in v.events if not e.own}
    assert kinds == {"claimappearanceevent", "claimevidenceevent", "claimtagevent"}


def test_history_of_a_tag_includes_its_aliases(editor_client, person):
    TagAlias.objects.create(tag=person, name="كيم جونج أون")
    html = editor_client.get(history_url(person)).content.decode()
    assert "كيم جونج أون" in html


def test_a_bulk_action_appears_in_the_history(chief_client, chief, make_article):
    article = make_article(status=Article.Status.DRAFT)
    response = chief_client.post(
        reverse("admin:archive_article_changelist"),
        {"action": "publish", "_selected_action": [article.pk]},
    )
    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).status == Article.Status.PUBLISHED
    newest = versions.history(Article, article.pk)[0]
    change = {c.name: c for c in newest.own.changes}["الحالة"]
    assert (change.old, change.new) == ("مسودة", "منشور")
    assert newest.origin.user_id == chief.pk


def test_a_raw_sql_update_appears_in_the_history(editor_client, make_article):
    article = make_article(title="قبل")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE archive_article SET title = 'بعد' WHERE id = %s", [article.pk])
    page = editor_client.get(history_url(article))
    newest = page.context["versions"][0]
    assert newest.origin.who == "قاعدة البيانات، بلا سياق"
    # Only the title: not the row's version nor the time PostgreSQL notes the public revision.
    assert [(c.old, c.new) for c in newest.own.changes] == [("قبل", "بعد")]
    assert "النسخة" not in {c.name for c in page.context["versions"][-1].own.changes}


def test_an_import_context_names_the_run_and_its_file(editor_client, make_article):
    article = make_article(title="قديم")
    with recorded("import", import_run=7, file="feed.csv"):
        Article.objects.filter(pk=article.pk).update(title="جديد")
    newest = editor_client.get(history_url(article)).context["versions"][0]
    assert newest.origin.who == "الاستيراد رقم 7 (feed.csv)"
    assert newest.origin.import_run == 7


# --- restore -------------------------------------------------------------------------------


def test_a_restored_version_is_itself_a_version(editor_client, editor, make_article):
    article = make_article(title="الأصل", status=Article.Status.DRAFT)
    first = ArticleEvent.objects.get(pgh_obj_id=article.pk, pgh_label="create")
    Article.objects.filter(pk=article.pk).update(title="تعديل", status=Article.Status.REVIEW)
    url = reverse("admin:archive_article_restore", args=[article.pk, first.pgh_id])
    confirm = editor_client.get(url)
    assert [(c.old, c.new) for c in confirm.context["plan"]] == [("تعديل", "الأصل")]
    assert "لا تُستعاد حالة المقال" in confirm.content.decode()
    assert editor_client.post(url).status_code == 302
    article.refresh_from_db()
    assert article.title == "الأصل"
    assert article.status == Article.Status.REVIEW  # the status is not restored
    restored = ArticleEvent.objects.filter(pgh_obj_id=article.pk).latest("pgh_id")
    assert restored.pgh_label == "update" and restored.title == "الأصل"
    assert restored.pgh_context.metadata["restored"] == first.pgh_id
    assert restored.pgh_context.metadata["user"] == editor.pk
    assert versions.history(Article, article.pk)[0].origin.user_id == editor.pk


# --- undelete ------------------------------------------------------------------------------


def test_a_deleted_claim_comes_back_with_its_appearances_and_is_public_again(
    client, chief_client, make_claim, make_article, appear, person
):
    article = make_article(status=Article.Status.DRAFT)
    claim = make_claim(slug="eleven-thousand")
    appear(claim, article, "وقع كيم جونغ أون", stated_on=timezone.localdate())
    claim.evidence.create(url="https://example.org/proof")
    claim.tags.add(person)
    pk = claim.pk
    delete = reverse("admin:archive_claim_delete", args=[pk])
    assert chief_client.post(delete, {"post": "yes"}).status_code == 302
    assert not Claim.objects.filter(pk=pk).exists()
    listed = chief_client.get(reverse("history_deleted"))
    assert [row["id"] for row in listed.context["rows"]] == [pk]
    assert listed.context["rows"][0]["origin"].who == "huda"

    response = chief_client.post(reverse("admin:archive_claim_undelete", args=[pk]))
    assert response.status_code == 302
    claim = Claim.objects.get(pk=pk)
    assert claim.slug == "eleven-thousand"
    assert claim.appearances.count() == 1 and claim.evidence.count() == 1
    assert list(claim.tags.all()) == [person]
    assert not Claim.objects.published().filter(pk=pk).exists()
    Article.objects.filter(pk=article.pk).update(status=Article.Status.PUBLISHED)
    assert Claim.objects.published().filter(pk=pk).exists()
    assert client.get(reverse("claim", args=[pk])).status_code == 200
    assert chief_client.get(reverse("history_deleted")).context["rows"] == []


def test_a_deleted_article_comes_back_with_tags_sources_and_claims(
    chief_client, make_article, make_claim, appear, person, outlet
):
    article = make_article(title="مقال سيحذف")
    article.tags.add(person)
    article.credited_sources.add(outlet)
    claim = make_claim()
    appear(claim, article, "وقع كيم جونغ أون")
    pk, created = article.pk, article.created_at
    with recorded("admin", user=0):
        article.delete()
    assert not ClaimAppearance.objects.exists()
    chief_client.post(reverse("admin:archive_article_undelete", args=[pk]))
    article = Article.objects.get(pk=pk)
    assert article.created_at == created
    assert list(article.tags.all()) == [person]
    assert list(article.credited_sources.all()) == [outlet]
    assert list(article.claim_appearances.values_list("claim", flat=True)) == [claim.pk]


def test_a_deleted_tag_comes_back_with_its_aliases_and_links(chief_client, make_article):
    tag = Tag.objects.create(kind=Tag.Kind.PLACE, name_ar="بيونغ يانغ", slug="pyongyang")
    TagAlias.objects.create(tag=tag, name="بيونج يانج")
    article = make_article()
    article.tags.add(tag)
    pk = tag.pk
    chief_client.post(reverse("admin:archive_tag_delete", args=[pk]), {"post": "yes"})
    assert not Tag.objects.filter(pk=pk).exists() and not article.tags.exists()
    chief_client.post(reverse("admin:archive_tag_undelete", args=[pk]))
    tag = Tag.objects.get(pk=pk)
    assert tag.slug == "pyongyang"
    assert [a.name for a in tag.aliases.all()] == ["بيونج يانج"]
    assert list(article.tags.all()) == [tag]


# --- purge ---------------------------------------------------------------------------------


def test_a_purge_leaves_no_content_in_any_history_table(
    chief_client, chief, make_article, make_claim, appear, person
):
    secret = "سريّ-للغاية"
    article = make_article(title=f"عنوان {secret}", body=f"نص فيه {secret} وغيره")
    article.tags.add(person)
    claim = make_claim()
    appear(claim, article, f"نص فيه {secret}")
    edit_in_admin(chief_client, article, title=f"عنوان آخر {secret}")
    pk = article.pk
    response = chief_client.post(
        reverse("admin:archive_article_purge", args=[pk]), {"reason": "أمر المحكمة رقم 12"}
    )
    assert response.status_code == 302
    assert not Article.objects.filter(pk=pk).exists()
    with connection.cursor() as cursor:
        for model in event_models():
            table = model._meta.db_table
            cursor.execute(
                f"SELECT count(*) FROM {table} e WHERE row_to_json(e)::text LIKE %s",
                [f"%{secret}%"],
            )
            assert cursor.fetchone()[0] == 0, table
        cursor.execute("SELECT count(*) FROM archive_articletagevent WHERE article_id = %s", [pk])
        assert cursor.fetchone()[0] == 0
    assert not LogEntry.objects.filter(object_repr__contains=secret).exists()
    record = PurgeRecord.objects.get()
    assert (record.model, record.object_id, record.purged_by) == ("archive.article", pk, chief)
    assert record.reason == "أمر المحكمة رقم 12"
    # The claim stays, with its history; only the purged article's appearance went.
    assert Claim.objects.filter(pk=claim.pk).exists()
    # After the purge the history tables are append-only again.
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM archive_claimevent")


# --- one person's or one import's changes --------------------------------------------------


def test_the_changes_of_one_person_filtered_by_kind(editor_client, editor, make_article, person):
    article = make_article(status=Article.Status.DRAFT)
    # (Before the request: a test is one transaction, which keeps the request's context.)
    Article.objects.filter(pk=article.pk).update(title="تغيير بلا سياق")
    article.refresh_from_db()
    edit_in_admin(editor_client, article, title="تغيير ليلى", tags=[person.pk])
    url = reverse("history_changes")
    everything = editor_client.get(url, {"user": editor.pk})
    assert everything.status_code == 200
    kinds = sorted(row["event"].row._meta.model_name for row in everything.context["rows"])
    assert kinds == ["articleevent", "articletagevent"]
    only = editor_client.get(url, {"user": editor.pk, "kind": "article_tag"})
    assert [row["event"].label for row in only.context["rows"]] == ["add"]
    assert "تغيير ليلى" in everything.content.decode()
    assert editor_client.get(url, {"user": editor.pk, "since": "2999-01-01"}).context["rows"] == []
    # An editor sees no accounts' history; with no person or import: everyone's changes.
    assert "user" not in {k for k, _name in everything.context["kinds"]}
    assert "تغيير ليلى" in editor_client.get(url).content.decode()


def test_the_changes_of_one_import_run(editor_client, make_article):
    article = make_article()
    with recorded("import", import_run=42, file="feed.csv"):
        Article.objects.filter(pk=article.pk).update(title="من الاستيراد")
    response = editor_client.get(reverse("history_changes"), {"import_run": 42})
    rows = response.context["rows"]
    assert len(rows) == 1 and rows[0]["origin"].import_run == 42
    assert editor_client.get(reverse("history_changes"), {"import_run": 43}).context["rows"] == []


# --- accounts ------------------------------------------------------------------------------


def test_accounts_groups_and_rights_are_recorded_without_the_password_hash(db):
    UserEvent = apps.get_model("archive", "UserEvent")
    with recorded("command", command="test"):
        user = User.objects.create_user("omar", password="first-password-123")
    assert not any(f.name == "password" for f in UserEvent._meta.fields)
    assert UserEvent.objects.filter(pgh_obj_id=user.pk, pgh_label="create").count() == 1
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    assert UserEvent.objects.filter(pgh_obj_id=user.pk).count() == 1  # a login is no edit
    user.set_password("second-password-456")
    user.save(update_fields=["password"])
    labels = list(UserEvent.objects.filter(pgh_obj_id=user.pk).values_list("pgh_label", flat=True))
    assert labels == ["create", "password"]
    User.objects.filter(pk=user.pk).update(first_name="عمر")
    assert UserEvent.objects.filter(pgh_obj_id=user.pk).latest("pgh_id").first_name == "عمر"
    group = Group.objects.create(name="Fact-checkers")
    user.groups.add(group)
    group.permissions.add(Permission.objects.get(codename="view_article"))
    user.user_permissions.add(Permission.objects.get(codename="view_claim"))
    user.groups.remove(group)
    assert list(
        apps.get_model("archive", "UserGroupEvent")
        .objects.filter(user_id=user.pk)
        .order_by("pgh_id")
        .values_list("pgh_label", flat=True)
    ) == ["add", "remove"]
    assert apps.get_model("archive", "GroupEvent").objects.filter(pgh_obj_id=group.pk).exists()
    assert (
        apps.get_model("archive", "GroupPermissionEvent").objects.filter(group_id=group.pk).exists()
    )
    assert apps.get_model("archive", "UserPermissionEvent").objects.filter(user_id=user.pk).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(e)::text FROM archive_userevent e")
        assert not any("pbkdf2" in row[0] for row in cursor.fetchall())


def test_everyones_recent_changes_are_listed_with_corrections(editor_client, make_article):
    article = make_article(title="مقال للتصحيح", status=Article.Status.DRAFT)
    url = reverse("admin:archive_article_correction", args=[article.pk])
    assert editor_client.post(url, {"note": "صُحّح الرقم."}).status_code == 302
    response = editor_client.get(reverse("history_changes"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "آخر التغييرات" in html and "صُحّح الرقم." in html
