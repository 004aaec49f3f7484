"""Roles and workflow (archive/workflow.py): an editor writes and submits for review, a chief
editor publishes, withdraws, deletes and corrects a public verdict. Each rule is tried first by
an editor who may not (the action, the status field, a crafted POST, the change page's
buttons), then by a chief editor who may; then a withdrawn article on every public surface."""

import datetime as dt
import importlib
import io
import json

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission, User
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from django.utils import timezone

from archive import workflow
from archive.models import Article, Claim, ClaimAppearance, ImportRun

from .conftest import aware
from .test_admin import article_form
from .test_import import ANT_MAP, ant_row, write_jsonl

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:archive_article_changelist")
CHIEF_ONLY = ["publish_article", "restore_deleted", "purge_item", "change_public_verdict"]


def change_url(article):
    return reverse("admin:archive_article_change", args=[article.pk])


def move_url(article, target):
    return reverse("admin:archive_article_move", args=[article.pk, target])


def status_of(article):
    article.refresh_from_db()
    return article.status


@pytest.fixture
def other_editor(db):
    user = User.objects.create_user("omar", password="another-editor-password", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def articles(make_article, editor, other_editor):
    """One article in each state; the drafts written by the two editors."""
    return {
        "own_draft": make_article("مسودتي", status="draft", created_by=editor),
        "their_draft": make_article("مسودة زميل", status="draft", created_by=other_editor),
        "review": make_article("مقال للمراجعة", status="review", created_by=editor),
        "published": make_article("مقال منشور", status="published", created_by=editor),
        "withdrawn": make_article(
            "مقال مسحوب",
            status="withdrawn",
            withdrawn_at=aware(2025, 3, 5),
            published_at=aware(2024, 11, 12),
        ),
    }


def action_names(client):
    response = client.get(CHANGELIST)
    return {name for name, _label in response.context["action_form"].fields["action"].choices}


def run_action(client, action, *articles):
    return client.post(
        CHANGELIST, {"action": action, "_selected_action": [a.pk for a in articles]}, follow=True
    )


# --- the two groups (migration 0023) --------------------------------------------------------


def test_editors_may_not_publish_restore_purge_delete_shared_items_or_correct_verdicts():
    editors = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    assert not editors & {*CHIEF_ONLY, "delete_claim", "delete_tag", "delete_source"}
    assert {"add_article", "change_article", "delete_article", "view_importrun"} <= editors
    assert {"change_claim", "change_tag", "change_source", "delete_claimappearance"} <= editors


def test_chief_editors_have_every_right_on_the_archive_but_writing_its_records():
    chiefs = Group.objects.get(name="Chief editors").permissions
    assert not chiefs.exclude(content_type__app_label="archive").exists()
    granted = set(chiefs.values_list("codename", flat=True))
    # The records the system writes: import runs, history events and the verdict changes
    # (written by the database's trigger; the admin only adds the note).
    records = {"importrun", "verdictchange"}
    assert not granted & {"add_importrun", "change_importrun", "add_articleevent"}
    assert not granted & {"add_verdictchange", "change_verdictchange", "delete_verdictchange"}
    everything = Permission.objects.filter(content_type__app_label="archive")
    by_hand = everything.exclude(content_type__model__in=records).exclude(
        content_type__model__endswith="event"
    )
    assert set(by_hand.values_list("codename", flat=True)) <= granted
    assert {*CHIEF_ONLY, "view_importrun", "view_articleevent", "view_verdictchange"} <= granted


def test_the_roles_migration_runs_twice_alike_and_reverses():
    roles = importlib.import_module("archive.migrations.0023_roles")
    state = MigrationLoader(connection).project_state(("archive", "0023_roles")).apps

    def snapshot():
        return {
            group.name: set(group.permissions.values_list("codename", flat=True))
            for group in Group.objects.filter(name__in=["Editors", "Chief editors"])
        }

    before = snapshot()
    roles.create_roles(state, None)
    assert snapshot() == before
    roles.remove_roles(state, None)
    after = snapshot()
    assert set(after) == {"Editors"}
    assert {"delete_claim", "delete_tag", "delete_source"} <= after["Editors"]
    roles.create_roles(state, None)
    assert snapshot() == before


# --- an editor tries to publish -------------------------------------------------------------


def test_an_editor_is_not_offered_publish_withdraw_or_bulk_delete(editor_client):
    assert action_names(editor_client) == {"", "submit_for_review"}


def test_an_editor_posting_the_publish_action_anyway_publishes_nothing(editor_client, articles):
    drafts = [articles["own_draft"], articles["review"]]
    run_action(editor_client, "publish", *drafts)
    run_action(editor_client, "withdraw", articles["published"])
    run_action(editor_client, "delete_selected", articles["own_draft"])
    assert [status_of(a) for a in drafts] == ["draft", "review"]
    assert status_of(articles["published"]) == "published"


def test_an_editor_is_offered_only_draft_and_review_in_the_status_field(editor_client, articles):
    add = editor_client.get(reverse("admin:archive_article_add"))
    assert [v for v, _ in add.context["adminform"].form.fields["status"].choices] == [
        "draft",
        "review",
    ]
    change = editor_client.get(change_url(articles["review"]))
    field = change.context["adminform"].form.fields["status"]
    assert [v for v, _ in field.choices] == ["draft", "review"]


def test_an_editor_crafting_a_post_with_status_published_is_refused(editor_client, articles):
    draft = articles["own_draft"]
    response = editor_client.post(
        reverse("admin:archive_article_add"),
        article_form(draft.source, title="مقال منشور خلسة", status="published"),
    )
    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    assert not Article.objects.filter(title="مقال منشور خلسة").exists()
    response = editor_client.post(
        change_url(draft), article_form(draft.source, title=draft.title, status="published")
    )
    assert "status" in response.context["adminform"].form.errors
    assert status_of(draft) == "draft"


def test_an_editors_change_page_offers_submit_for_review_and_never_publish(editor_client, articles):
    page = editor_client.get(change_url(articles["own_draft"]))
    assert [m["target"] for m in page.context["workflow_moves"]] == ["review"]
    html = page.content.decode()
    assert move_url(articles["own_draft"], "review") in html
    assert move_url(articles["own_draft"], "published") not in html
    review = editor_client.get(change_url(articles["review"]))
    assert [m["target"] for m in review.context["workflow_moves"]] == ["draft"]


def test_an_editor_posting_to_the_publish_button_anyway_is_forbidden(editor_client, articles):
    draft, published = articles["own_draft"], articles["published"]
    assert editor_client.post(move_url(draft, "published")).status_code == 403
    assert editor_client.post(move_url(published, "withdrawn")).status_code == 403
    assert editor_client.post(move_url(draft, "nonsense")).status_code == 404
    assert editor_client.get(move_url(draft, "review")).status_code == 405
    assert (status_of(draft), status_of(published)) == ("draft", "published")


def test_an_editor_submits_for_review_and_sends_back_to_draft(editor_client, editor, articles):
    draft = articles["their_draft"]
    response = editor_client.post(move_url(draft, "review"), follow=True)
    assert response.redirect_chain[-1][0] == change_url(draft)
    assert "للمراجعة" in response.content.decode()
    draft.refresh_from_db()
    assert (draft.status, draft.updated_by) == ("review", editor)
    editor_client.post(move_url(draft, "draft"))
    assert status_of(draft) == "draft"


def test_the_submit_action_moves_drafts_only_and_says_what_it_left(editor_client, editor, articles):
    chosen = [articles["own_draft"], articles["their_draft"], articles["published"]]
    response = run_action(editor_client, "submit_for_review", *chosen)
    assert [status_of(a) for a in chosen] == ["review", "review", "published"]
    assert articles["own_draft"].updated_by == editor
    text = " ".join(str(m) for m in response.context["messages"])
    assert "2" in text and "1" in text


def claim_form(claim, **overrides):
    """The claim's change form as the page renders it, with the version it was opened at."""
    data = {
        "opened_version": Claim.objects.values_list("version", flat=True).get(pk=claim.pk),
        "statement": claim.statement,
        "slug": claim.slug,
        "claimant": claim.claimant_id or "",
        "verdict": claim.verdict,
        "verdict_note": claim.verdict_note,
        "quantity_unit": "",
        "appearances-TOTAL_FORMS": "0",
        "appearances-INITIAL_FORMS": "0",
        "appearances-MIN_NUM_FORMS": "0",
        "appearances-MAX_NUM_FORMS": "1000",
        "evidence-TOTAL_FORMS": "0",
        "evidence-INITIAL_FORMS": "0",
        "evidence-MIN_NUM_FORMS": "0",
        "evidence-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


# --- an editor tries to delete and to edit what is public -----------------------------------


def test_an_editor_may_not_delete_a_published_article_even_their_own(editor_client, articles):
    published = articles["published"]
    delete = reverse("admin:archive_article_delete", args=[published.pk])
    assert editor_client.get(delete).status_code == 403
    assert editor_client.post(delete, {"post": "yes"}).status_code == 403
    assert Article.objects.filter(pk=published.pk).exists()


def test_an_editor_may_not_delete_another_editors_draft(editor_client, articles):
    theirs = articles["their_draft"]
    page = editor_client.get(change_url(theirs))
    assert page.context["has_delete_permission"] is False
    assert reverse("admin:archive_article_delete", args=[theirs.pk]) not in page.content.decode()
    delete = reverse("admin:archive_article_delete", args=[theirs.pk])
    assert editor_client.post(delete, {"post": "yes"}).status_code == 403
    assert Article.objects.filter(pk=theirs.pk).exists()


def test_an_editor_may_not_delete_their_own_article_once_in_review(editor_client, articles):
    review = articles["review"]
    delete = reverse("admin:archive_article_delete", args=[review.pk])
    assert editor_client.post(delete, {"post": "yes"}).status_code == 403


def test_an_editor_deletes_their_own_draft(editor_client, articles):
    own = articles["own_draft"]
    page = editor_client.get(change_url(own))
    assert page.context["has_delete_permission"] is True
    delete = reverse("admin:archive_article_delete", args=[own.pk])
    assert editor_client.post(delete, {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(pk=own.pk).exists()


@pytest.mark.parametrize("state", ["published", "withdrawn"])
def test_an_editor_sees_a_public_article_read_only_with_the_reason(editor_client, articles, state):
    article = articles[state]
    page = editor_client.get(change_url(article))
    assert page.status_code == 200
    html = page.content.decode()
    assert "رئيس تحرير" in html  # the note: only a chief editor may change it
    assert page.context["has_change_permission"] is False
    assert page.context["workflow_moves"] == []
    assert 'name="title"' not in html
    response = editor_client.post(
        change_url(article), article_form(article.source, title="عنوان بدّله محرر")
    )
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.title != "عنوان بدّله محرر"


def test_an_editor_may_not_change_the_claims_of_a_published_article(
    editor_client, articles, make_claim, appear
):
    published = articles["published"]
    claim = make_claim()
    appear(claim, articles["own_draft"], "وقع كيم جونغ أون")
    url = reverse("admin:archive_claim_change", args=[claim.pk])
    data = claim_form(
        claim,
        **{
            "appearances-TOTAL_FORMS": "2",
            "appearances-INITIAL_FORMS": "1",
            "appearances-0-id": claim.appearances.get().pk,
            "appearances-0-claim": claim.pk,
            "appearances-0-article": articles["own_draft"].pk,
            "appearances-0-quote": "وقع كيم جونغ أون",
            "appearances-1-claim": claim.pk,
            "appearances-1-article": published.pk,
            "appearances-1-quote": "وقع كيم جونغ أون",
        },
    )
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "رئيس تحرير" in response.content.decode()
    assert not ClaimAppearance.objects.filter(article=published).exists()


# --- an editor tries to change a public claim's verdict -------------------------------------


@pytest.fixture
def public_claim(make_claim, appear, articles):
    claim = make_claim(verdict="disputed")
    appear(claim, articles["published"], "وقع كيم جونغ أون")
    return claim


def test_an_editor_sees_a_public_claims_verdict_read_only(editor_client, public_claim):
    page = editor_client.get(reverse("admin:archive_claim_change", args=[public_claim.pk]))
    assert "verdict" not in page.context["adminform"].form.fields
    assert "تصحيح علني" in page.content.decode()  # a public correction: a chief editor's


def test_an_editor_crafting_a_post_that_changes_a_public_verdict_is_refused(
    editor_client, public_claim
):
    url = reverse("admin:archive_claim_change", args=[public_claim.pk])
    appearances = {
        "appearances-TOTAL_FORMS": "1",
        "appearances-INITIAL_FORMS": "1",
        "appearances-0-id": public_claim.appearances.get().pk,
        "appearances-0-claim": public_claim.pk,
        "appearances-0-article": public_claim.appearances.get().article_id,
        "appearances-0-quote": "وقع كيم جونغ أون",
        "appearances-0-opened_version": public_claim.appearances.get().version,
    }
    response = editor_client.post(
        url, claim_form(public_claim, verdict="false", statement="نص جديد", **appearances)
    )
    assert response.status_code == 200
    assert "verdict" in response.context["adminform"].form.errors
    public_claim.refresh_from_db()
    assert (public_claim.verdict, public_claim.statement) != ("false", "نص جديد")
    assert public_claim.verdict == "disputed"
    # Without a verdict in the form (it is read-only), the rest of the claim saves.
    data = claim_form(public_claim, statement="صياغة أوضح للادعاء", **appearances)
    del data["verdict"]
    assert editor_client.post(url, data).status_code == 302
    public_claim.refresh_from_db()
    assert (public_claim.verdict, public_claim.statement) == ("disputed", "صياغة أوضح للادعاء")


def test_an_editor_may_not_move_or_remove_a_published_articles_quote_from_the_claim_page(
    editor_client, public_claim, articles
):
    url = reverse("admin:archive_claim_change", args=[public_claim.pk])
    line = public_claim.appearances.get()
    appearance = {
        "appearances-TOTAL_FORMS": "1",
        "appearances-INITIAL_FORMS": "1",
        "appearances-0-id": line.pk,
        "appearances-0-claim": public_claim.pk,
        "appearances-0-article": articles["own_draft"].pk,  # moved to a draft
        "appearances-0-quote": line.quote,
        "appearances-0-opened_version": line.version,
    }
    data = claim_form(public_claim, **appearance)
    del data["verdict"]
    response = editor_client.post(url, data)
    assert response.status_code == 200 and "رئيس تحرير" in response.content.decode()
    data.update({"appearances-0-article": line.article_id, "appearances-0-DELETE": "on"})
    response = editor_client.post(url, data)
    assert response.status_code == 200 and "رئيس تحرير" in response.content.decode()
    line.refresh_from_db()
    assert line.article == articles["published"]
    assert Claim.objects.published().filter(pk=public_claim.pk).exists()


def test_an_editor_sets_the_verdict_of_a_claim_not_yet_public(editor_client, make_claim):
    claim = make_claim()
    url = reverse("admin:archive_claim_change", args=[claim.pk])
    assert editor_client.post(url, claim_form(claim, verdict="false")).status_code == 302
    claim.refresh_from_db()
    assert claim.verdict == "false"


def test_a_chief_editor_changes_a_public_verdict(chief_client, public_claim):
    url = reverse("admin:archive_claim_change", args=[public_claim.pk])
    page = chief_client.get(url)
    assert "verdict" in page.context["adminform"].form.fields
    data = claim_form(
        public_claim,
        verdict="false",
        **{
            "appearances-TOTAL_FORMS": "1",
            "appearances-INITIAL_FORMS": "1",
            "appearances-0-id": public_claim.appearances.get().pk,
            "appearances-0-claim": public_claim.pk,
            "appearances-0-article": public_claim.appearances.get().article_id,
            "appearances-0-quote": "وقع كيم جونغ أون",
            "appearances-0-opened_version": public_claim.appearances.get().version,
        },
    )
    assert chief_client.post(url, data).status_code == 302
    public_claim.refresh_from_db()
    assert public_claim.verdict == "false"


# --- an editor tries to import as published -------------------------------------------------


IMPORT_URL = reverse("admin:archive_article_import")


def import_post(client, path, status):
    with open(path, "rb") as handle:
        return client.post(IMPORT_URL, {"file": handle, "field_map": ANT_MAP, "status": status})


def test_an_editor_may_import_only_as_draft_or_for_review(editor_client, tmp_path, settings):
    settings.NEWSROOM_IMPORTS_DIR = tmp_path / "imports"
    form = editor_client.get(IMPORT_URL).context["form"]
    assert [v for v, _ in form.fields["status"].choices] == ["draft", "review"]
    response = import_post(
        editor_client, write_jsonl(tmp_path / "a.jsonl", [ant_row(1)]), "published"
    )
    assert response.status_code == 200
    assert "status" in response.context["form"].errors
    assert not ImportRun.objects.exists()
    response = import_post(editor_client, write_jsonl(tmp_path / "b.jsonl", [ant_row(1)]), "review")
    assert response.status_code == 302
    assert ImportRun.objects.get().article_status == "review"


def test_a_chief_editor_may_import_as_published(chief_client, tmp_path, settings):
    settings.NEWSROOM_IMPORTS_DIR = tmp_path / "imports"
    form = chief_client.get(IMPORT_URL).context["form"]
    assert [v for v, _ in form.fields["status"].choices] == ["draft", "review", "published"]
    path = write_jsonl(tmp_path / "a.jsonl", [ant_row(1)])
    assert import_post(chief_client, path, "published").status_code == 302
    assert ImportRun.objects.get().article_status == "published"


def import_command(path, *args):
    out = io.StringIO()
    call_command("import_articles", str(path), "--map", ANT_MAP, *args, stdout=out, verbosity=0)
    return out.getvalue()


def test_the_command_refuses_to_publish_for_an_editor(tmp_path, editor):
    path = write_jsonl(tmp_path / "a.jsonl", [ant_row(1)])
    with pytest.raises(CommandError, match="Only a chief editor may import articles as"):
        import_command(path, "--status", "published", "--user", editor.username)
    with pytest.raises(CommandError, match="Only a chief editor"):
        import_command(path, "--user", editor.username)  # published is the default
    with pytest.raises(CommandError, match="invalid choice"):  # not a state an import gives
        import_command(path, "--status", "withdrawn")
    assert not Article.objects.exists()
    import_command(path, "--status", "review", "--user", editor.username)
    article = Article.objects.get()
    assert (article.status, article.created_by, article.updated_by) == ("review", editor, editor)


def test_the_command_refuses_an_update_by_a_user_who_may_not_change_articles(tmp_path):
    adder = User.objects.create_user("sami")
    adder.user_permissions.add(Permission.objects.get(codename="add_article"))
    path = write_jsonl(tmp_path / "a.jsonl", [ant_row(1)])
    with pytest.raises(CommandError, match="permission to change articles"):
        import_command(path, "--status", "draft", "--user", "sami", "--update")
    assert not Article.objects.exists()


def test_the_command_publishes_for_a_chief_editor_or_the_operator(tmp_path, chief):
    import_command(write_jsonl(tmp_path / "a.jsonl", [ant_row(1)]), "--user", chief.username)
    import_command(write_jsonl(tmp_path / "b.jsonl", [ant_row(2)]))
    first, second = Article.objects.order_by("url")
    assert (first.status, first.created_by) == ("published", chief)
    assert (second.status, second.created_by) == ("published", None)


# --- a chief editor does each of these ------------------------------------------------------


def test_a_chief_editor_is_offered_publish_withdraw_and_delete(chief_client):
    assert action_names(chief_client) == {
        "",
        "submit_for_review",
        "publish",
        "withdraw",
        "delete_selected",
    }


def test_the_publish_action_publishes_and_records_who_in_the_history(chief_client, chief, articles):
    chosen = [articles["own_draft"], articles["review"], articles["published"]]
    response = run_action(chief_client, "publish", *chosen)
    assert [status_of(a) for a in chosen] == ["published"] * 3
    assert {a.updated_by for a in chosen[:2]} == {chief}
    assert "2" in " ".join(str(m) for m in response.context["messages"])
    Event = apps.get_model("archive", "ArticleEvent")
    event = Event.objects.filter(pgh_obj=chosen[0], pgh_label="update").latest("pgh_id")
    assert (event.status, event.updated_by_id) == ("published", chief.pk)
    assert event.pgh_context.metadata["user"] == chief.pk


def test_the_withdraw_action_withdraws_published_articles_only(chief_client, articles):
    before = timezone.now()
    response = run_action(chief_client, "withdraw", articles["published"], articles["own_draft"])
    published = articles["published"]
    published.refresh_from_db()
    assert published.status == "withdrawn" and published.withdrawn_at >= before
    assert status_of(articles["own_draft"]) == "draft"
    messages = [m.level_tag for m in response.context["messages"]]
    assert messages == ["success", "warning"]


def test_a_chief_editors_change_page_offers_the_moves_of_each_state(chief_client, articles):
    def moves(article):
        return [
            m["target"] for m in chief_client.get(change_url(article)).context["workflow_moves"]
        ]

    assert moves(articles["own_draft"]) == ["review", "published"]
    assert moves(articles["review"]) == ["draft", "published"]
    assert moves(articles["published"]) == ["withdrawn"]
    assert moves(articles["withdrawn"]) == ["draft", "published"]


def test_a_chief_editor_publishes_withdraws_and_publishes_again(chief_client, chief, articles):
    article = articles["review"]
    response = chief_client.post(move_url(article, "published"), follow=True)
    assert "نُشر" in response.content.decode() or "منشور" in response.content.decode()
    assert status_of(article) == "published"
    chief_client.post(move_url(article, "withdrawn"))
    article.refresh_from_db()
    assert article.status == "withdrawn" and article.withdrawn_at is not None
    assert article.updated_by == chief
    chief_client.post(move_url(article, "published"))
    article.refresh_from_db()
    assert (article.status, article.withdrawn_at) == ("published", None)


def test_publishing_for_a_later_time_schedules_and_may_be_taken_back(chief_client, make_article):
    later = make_article(
        "مقال مجدول", status="review", published_at=timezone.now() + dt.timedelta(days=2)
    )
    response = chief_client.post(move_url(later, "published"), follow=True)
    assert "مجدول" in response.content.decode()
    assert status_of(later) == "published"
    assert not Article.objects.published().filter(pk=later.pk).exists()
    page = chief_client.get(change_url(later))
    assert [m["target"] for m in page.context["workflow_moves"]] == ["draft", "withdrawn"]
    chief_client.post(move_url(later, "draft"))
    assert status_of(later) == "draft"


def test_a_public_article_cannot_go_back_to_draft_silently(chief_client, articles):
    published = articles["published"]
    assert chief_client.post(move_url(published, "draft")).status_code == 403
    assert status_of(published) == "published"


def test_a_chief_editor_withdraws_through_the_status_field(chief_client, articles):
    article = articles["published"]
    data = article_form(article.source, title=article.title, body=article.body, status="withdrawn")
    article.refresh_from_db()
    data["opened_version"] = article.version  # as the change page renders it
    data["published_at_0"], data["published_at_1"] = "2024-11-12", "09:00:00"
    response = chief_client.post(change_url(article), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    assert article.status == "withdrawn" and article.withdrawn_at is not None


def test_a_chief_editor_edits_and_deletes_a_published_article(chief_client, articles):
    article = articles["published"]
    page = chief_client.get(change_url(article))
    assert page.context["has_change_permission"] and page.context["has_delete_permission"]
    delete = reverse("admin:archive_article_delete", args=[article.pk])
    confirmation = chief_client.get(delete)
    assert move_url(article, "withdrawn") in confirmation.content.decode()  # withdraw instead
    assert chief_client.post(delete, {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(pk=article.pk).exists()


def test_a_chief_editors_new_article_records_its_author(chief_client, chief, articles):
    source = articles["published"].source
    response = chief_client.post(
        reverse("admin:archive_article_add"), article_form(source, status="published")
    )
    assert response.status_code == 302
    article = Article.objects.get(title="مقال جديد")
    assert (article.status, article.created_by, article.updated_by) == ("published", chief, chief)


def test_a_withdrawn_article_without_its_date_is_refused_by_the_database(make_article):
    article = make_article()
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(status="withdrawn")


def test_the_rules_follow_the_permissions_not_the_group_names(articles):
    """A superuser is a chief editor; a staff account with no rights may do nothing."""
    root = User.objects.create_superuser("root", password="x" * 12)
    nobody = User.objects.create_user("nobody", is_staff=True)
    published = articles["published"]
    assert workflow.may_move(root, published, "withdrawn") and workflow.may_delete(root, published)
    assert workflow.targets(nobody, articles["own_draft"]) == []
    assert not workflow.may_edit(nobody) and not workflow.may_delete(nobody, articles["own_draft"])


# --- a withdrawn article on the public side -------------------------------------------------


@pytest.fixture
def withdrawn_world(make_article, make_claim, appear, person):
    """A claim stated only in an article that is then withdrawn, and a claim stated in it and
    in a published one."""
    gone = make_article("مقال سيسحب", slug="gone", url="https://example.org/gone")
    kept = make_article("مقال باق", slug="kept", published_at=aware(2024, 11, 13))
    only = make_claim("ادعاء لم يظهر إلا في المقال المسحوب")
    shared = make_claim("ادعاء ظهر في المقالين")
    gone.tags.add(person)
    kept.tags.add(person)
    appear(only, gone, "وقع كيم جونغ أون")
    appear(shared, gone, "وقع كيم جونغ أون")
    appear(shared, kept, "وقع كيم جونغ أون")
    before = {
        "claim_public": Claim.objects.published().filter(pk=only.pk).exists(),
    }
    chief = User.objects.create_superuser("root", password="x" * 12)
    workflow.move(gone, "withdrawn", chief)
    Article.objects.filter(pk=gone.pk).update(withdrawn_at=aware(2025, 3, 5, 10))
    return {"gone": gone, "kept": kept, "only": only, "shared": shared, "person": person, **before}


def test_a_withdrawn_articles_address_answers_410_in_arabic_and_english(client, withdrawn_world):
    response = client.get("/articles/gone/")
    assert response.status_code == 410
    html = response.content.decode()
    assert "سُحب هذا المقال" in html and "This article was withdrawn" in html
    assert "5 مارس 2025" in html and "5 March 2025" in html
    assert html.index("سُحب هذا المقال") < html.index("This article was withdrawn")
    assert withdrawn_world["gone"].title not in html
    assert '<meta name="robots" content="noindex">' in html
    english = client.get("/articles/gone/", HTTP_COOKIE="django_language=en")
    assert english.status_code == 410 and "5 مارس 2025" in english.content.decode()


def test_a_never_public_or_unknown_article_stays_404(client, make_article):
    scheduled = make_article("مجدول ثم مسحوب", slug="never", published_at=aware(2030, 1, 1))
    Article.objects.filter(pk=scheduled.pk).update(
        status="withdrawn", withdrawn_at=aware(2026, 1, 1)
    )
    assert client.get("/articles/never/").status_code == 404
    assert client.get("/articles/nothing-here/").status_code == 404


def test_the_api_answers_410_for_a_withdrawn_article(client, withdrawn_world):
    gone = withdrawn_world["gone"]
    response = client.get(reverse("api-article", args=[gone.pk]))
    assert response.status_code == 410
    assert response.json()["withdrawn_at"].startswith("2025-03-05")
    assert client.get(reverse("api-article", args=[gone.pk + 1000])).status_code == 404


def test_a_withdrawn_article_is_on_no_public_list(client, withdrawn_world):
    gone = withdrawn_world["gone"]
    kept = withdrawn_world["kept"]
    surfaces = [
        reverse("index"),
        reverse("index") + "?q=سيسحب",
        reverse("api-articles"),
        reverse("api-articles") + "?q=سيسحب",
        reverse("feed-articles"),
        reverse("sitemap"),
        reverse("export-articles"),
        reverse("source", args=[gone.source.slug]),
        reverse("tag", args=[withdrawn_world["person"].slug]),
    ]
    for url in surfaces:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response) if response.streaming else response.content
        text = body.decode()
        assert "/articles/gone/" not in text and "مقال سيسحب" not in text, url
        if "q=" not in url:
            assert "مقال باق" in text or "/articles/kept/" in text or kept.title in text, url


def test_a_claim_stated_only_in_a_withdrawn_article_is_no_longer_public(client, withdrawn_world):
    only, shared = withdrawn_world["only"], withdrawn_world["shared"]
    assert withdrawn_world["claim_public"] is True  # public before the withdrawal
    assert client.get(reverse("claim", args=[only.pk])).status_code == 404
    assert client.get(reverse("api-claim", args=[only.pk])).status_code == 404
    for url in (reverse("claims"), reverse("api-claims"), reverse("export-claims")):
        response = client.get(url)
        body = (b"".join(response) if response.streaming else response.content).decode()
        assert only.statement not in body, url
        assert shared.statement in body, url
    # The claim that also appears in a published article stays, without the withdrawn quote.
    data = client.get(reverse("api-claim", args=[shared.pk])).json()
    assert json.dumps(data, ensure_ascii=False).count("/articles/gone/") == 0
    page = client.get(reverse("claim", args=[shared.pk])).content.decode()
    assert "/articles/gone/" not in page and "/articles/kept/" in page


def test_a_new_article_form_starts_dated_now_so_a_draft_needs_no_made_up_date(editor_client):
    form = editor_client.get(reverse("admin:archive_article_add")).context["adminform"].form
    started = form.initial["published_at"]
    assert abs((timezone.now() - started).total_seconds()) < 60
