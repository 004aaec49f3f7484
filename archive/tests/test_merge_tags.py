"""Merging two tags for the same entity: the refusals first (a tag into itself, tags of
different kinds unless confirmed, a claimant into a tag that cannot be one), then what moves
(articles, claims, claimant, names and aliases) and how the history shows it."""

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse

from archive.merge import MergeRefused, merge_tags, plan
from archive.models import Article, Claim, Tag, TagAlias

TAGS_URL = "/admin/archive/tag/"


def events(model_name, **filters):
    return (
        apps.get_model("archive", model_name)
        .objects.filter(**filters)
        .select_related("pgh_context")
    )


@pytest.fixture
def chief(db):
    return User.objects.create_superuser("huda", password="a-long-chief-password")


@pytest.fixture
def chief_client(client, chief):
    client.force_login(chief)
    return client


@pytest.fixture
def duplicate(person):
    """The same man twice: the kept tag with one alias, the duplicate an import made with
    names and aliases of its own (one the kept tag already has, one a third tag owns)."""
    kept = person  # كيم جونغ أون, Kim Jong Un
    TagAlias.objects.create(tag=kept, name="كيم جونج أون")
    merged = Tag.objects.create(
        kind=Tag.Kind.PERSON,
        name_ar="كيم جونغ اون",
        name_en="Kim Jong-un",
        description="زعيم كوريا الشمالية.",
    )
    TagAlias.objects.create(tag=merged, name="كيم يونغ أون")
    TagAlias.objects.create(tag=merged, name="KIM JONG UN")  # the kept tag's English name
    other = Tag.objects.create(kind=Tag.Kind.PERSON, name_ar="كيم جونغ إيل", name_en="Kim Jong Il")
    TagAlias.objects.create(tag=other, name="Kim Jong-un")  # a mistake, but the alias is taken
    return kept, merged


@pytest.fixture
def linked(duplicate, make_article, make_claim):
    kept, merged = duplicate
    both = make_article("مقال موسوم بالوسمين")
    both.tags.add(kept, merged)
    only = make_article("مقال موسوم بالنسخة المكررة")
    only.tags.add(merged)
    tagged = make_claim("ادعاء موسوم بالنسخة المكررة", claimant=None)
    tagged.tags.add(merged)
    claimed = make_claim("ادعاء صاحبه النسخة المكررة", claimant=merged)
    return {"both": both, "only": only, "tagged": tagged, "claimed": claimed}


def test_a_tag_cannot_be_merged_into_itself(duplicate):
    kept, _merged = duplicate
    with pytest.raises(MergeRefused):
        merge_tags(kept, kept)
    with pytest.raises(CommandError, match="في نفسه"):
        call_command("merge_tags", kept.slug, str(kept.pk), verbosity=0)
    assert Tag.objects.filter(pk=kept.pk).exists()


def test_tags_of_different_kinds_are_merged_only_when_confirmed(db, make_article):
    place = Tag.objects.create(kind=Tag.Kind.PLACE, name_ar="كييف")
    topic = Tag.objects.create(kind=Tag.Kind.TOPIC, name_ar="كييف العاصمة")
    make_article("مقال عن كييف").tags.add(topic)
    with pytest.raises(MergeRefused, match="أكّد أنهما الكيان نفسه"):
        merge_tags(place, topic)
    with pytest.raises(CommandError):
        call_command("merge_tags", place.slug, topic.slug, verbosity=0)
    assert Tag.objects.filter(pk=topic.pk).exists()
    call_command("merge_tags", place.slug, topic.slug, "--different-kinds", verbosity=0)
    assert not Tag.objects.filter(pk=topic.pk).exists()
    assert Article.objects.get().tags.get() == place


def test_a_claimant_is_not_merged_into_a_tag_that_cannot_be_one(duplicate, linked):
    _kept, merged = duplicate
    topic = Tag.objects.create(kind=Tag.Kind.TOPIC, name_ar="برنامج كوريا النووي")
    with pytest.raises(MergeRefused, match="صاحب الادعاء شخص أو منظمة"):
        merge_tags(topic, merged, different_kinds=True)
    assert linked["claimed"].claimant == merged
    assert Tag.objects.filter(pk=merged.pk).exists()


def test_a_merge_moves_articles_claims_claimant_and_names(duplicate, linked, chief):
    kept, merged = duplicate
    carried = merge_tags(kept, merged, user=chief)
    assert not Tag.objects.filter(pk=merged.pk).exists()
    for article in (linked["both"], linked["only"]):
        assert list(article.tags.all()) == [kept]
    assert list(linked["tagged"].tags.all()) == [kept]
    linked["claimed"].refresh_from_db()
    assert linked["claimed"].claimant == kept and linked["claimed"].updated_by == chief
    aliases = sorted(kept.aliases.values_list("name", flat=True))
    assert aliases == sorted(["كيم جونج أون", "كيم جونغ اون", "كيم يونغ أون"])
    assert [name for name, _why in carried.dropped] == ["Kim Jong-un"]  # a third tag's alias
    assert TagAlias.objects.get(name="Kim Jong-un").tag.name_en == "Kim Jong Il"
    kept.refresh_from_db()
    assert kept.description == "زعيم كوريا الشمالية."  # it had none


def test_the_merge_is_one_change_in_the_history(duplicate, linked, chief):
    kept, merged = duplicate
    moved_alias = merged.aliases.get(name="كيم يونغ أون")
    merge_tags(kept, merged, user=chief)
    deleted = events("TagEvent", pgh_obj_id=merged.pk, pgh_label="delete").get()
    context = deleted.pgh_context
    assert context.metadata == {
        "via": "admin",
        "merge_into": kept.pk,
        "merged": merged.pk,
        "user": chief.pk,
    }
    added = events("ArticleTagEvent", tag_id=kept.pk, pgh_label="add", pgh_context=context)
    assert {event.article_id for event in added} == {linked["only"].pk}  # "both" had it
    removed = events("ArticleTagEvent", tag_id=merged.pk, pgh_label="remove")
    assert {event.article_id for event in removed} == {linked["only"].pk, linked["both"].pk}
    assert {event.pgh_context_id for event in removed} == {context.id}
    claimant = events("ClaimEvent", pgh_obj_id=linked["claimed"].pk, pgh_label="update").get()
    assert claimant.claimant_id == kept.pk and claimant.pgh_context_id == context.id
    alias = events("TagAliasEvent", pgh_obj_id=moved_alias.pk, pgh_label="update").get()
    assert alias.tag_id == kept.pk and alias.pgh_context_id == context.id
    created = events("TagAliasEvent", tag_id=kept.pk, pgh_label="create", name="كيم جونغ اون")
    assert created.get().pgh_context_id == context.id


def test_the_command_merges_and_records_itself(duplicate, linked):
    kept, merged = duplicate
    call_command("merge_tags", kept.slug, merged.slug, verbosity=0)
    assert not Tag.objects.filter(pk=merged.pk).exists()
    deleted = events("TagEvent", pgh_obj_id=merged.pk, pgh_label="delete").get()
    assert deleted.pgh_context.metadata["via"] == "command"
    assert deleted.pgh_context.metadata["command"] == "merge_tags"
    assert deleted.pgh_context.metadata["merge_into"] == kept.pk


def test_the_admin_asks_for_two_tags(chief_client, duplicate):
    kept, _merged = duplicate
    response = chief_client.post(
        TAGS_URL, {"action": "merge_tags_action", "_selected_action": [kept.pk]}, follow=True
    )
    assert "اختر وسمين اثنين" in response.content.decode()


def test_the_admin_shows_what_moves_then_merges(chief_client, chief, duplicate, linked):
    kept, merged = duplicate
    selected = {"action": "merge_tags_action", "_selected_action": [kept.pk, merged.pk]}
    page = chief_client.post(TAGS_URL, {**selected, "keep": kept.pk}).content.decode()
    assert "دمج وسمين" in page
    assert linked["only"].title in page and linked["both"].title not in page  # it has it
    assert linked["tagged"].statement in page and linked["claimed"].statement in page
    assert "كيم يونغ أون" in page and "Kim Jong-un" in page  # gained; not carried over
    assert Tag.objects.filter(pk=merged.pk).exists()  # nothing done yet
    response = chief_client.post(TAGS_URL, {**selected, "keep": kept.pk, "post": "yes"})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:archive_tag_change", args=[kept.pk])
    assert not Tag.objects.filter(pk=merged.pk).exists()
    assert Claim.objects.get(pk=linked["claimed"].pk).claimant == kept
    deleted = events("TagEvent", pgh_obj_id=merged.pk, pgh_label="delete").get()
    assert deleted.pgh_context.metadata["user"] == chief.pk
    assert deleted.pgh_context.metadata["merge_into"] == kept.pk


def test_the_admin_keeps_the_tag_chosen_and_refuses_different_kinds_unconfirmed(chief_client, db):
    person = Tag.objects.create(kind=Tag.Kind.PERSON, name_ar="زيلينسكي")
    topic = Tag.objects.create(kind=Tag.Kind.TOPIC, name_ar="فولوديمير زيلينسكي")
    selected = {"action": "merge_tags_action", "_selected_action": [person.pk, topic.pk]}
    page = chief_client.post(TAGS_URL, {**selected, "keep": person.pk, "post": "yes"})
    assert page.status_code == 200 and "errornote" in page.content.decode()
    assert Tag.objects.count() == 2
    chief_client.post(
        TAGS_URL, {**selected, "keep": person.pk, "different_kinds": "on", "post": "yes"}
    )
    assert list(Tag.objects.all()) == [person]
    assert list(person.aliases.values_list("name", flat=True)) == ["فولوديمير زيلينسكي"]


def test_an_editor_without_the_delete_permission_is_not_offered_the_merge(client, db):
    from django.contrib.auth.models import Permission

    editor = User.objects.create_user("sami", password="a-long-password-1", is_staff=True)
    editor.user_permissions.add(*Permission.objects.filter(codename__in=["view_tag", "change_tag"]))
    client.force_login(editor)
    page = client.get(TAGS_URL).content.decode()
    assert "merge_tags_action" not in page


def test_the_plan_says_nothing_moves_for_an_unlinked_duplicate(duplicate):
    kept, merged = duplicate
    carried = plan(kept, merged)
    assert carried.articles == [] and carried.claims == [] and carried.claimed == []
