"""Deleting safely: the admin says, in Arabic, what a deletion would change before it happens,
and refuses what would break the record (a claim's claimant, an article's outlet) with a
message that says so, not Django's Arabic "you have no permission"."""

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import translation

from archive.models import Article, Claim, Source, Tag, TagAlias

from .conftest import aware

NO_PERMISSION = "صلاحية"  # Django's Arabic for protected objects speaks of permission
PROTECTED = "مرتبطة به ومحميّة"
CONFIRM = "نعم، أنا متأكد"


@pytest.fixture
def chief_client(client, db):
    chief = User.objects.create_superuser("huda", password="a-long-chief-password")
    client.force_login(chief)
    return client


@pytest.fixture
def world(make_article, make_claim, appear, person):
    """Article A (published) quotes three claims: one only there, one also in published B,
    one also in a draft D."""
    a = make_article("المقال الأول", body="قال أحدهم كلاما أول. وقال كلاما ثانيا. وكلاما ثالثا.")
    b = make_article("المقال الثاني", body="وقال كلاما ثانيا في مكان آخر.")
    d = make_article("مسودة", body="وكلاما ثالثا.", status=Article.Status.DRAFT)
    only_here = make_claim("ادعاء لا يظهر إلا في المقال الأول")
    also_public = make_claim("ادعاء يظهر في مقال منشور آخر")
    also_draft = make_claim("ادعاء يظهر أيضا في مسودة")
    appear(only_here, a, "قال أحدهم كلاما أول")
    appear(also_public, a, "وقال كلاما ثانيا")
    appear(also_public, b, "وقال كلاما ثانيا")
    appear(also_draft, a, "وكلاما ثالثا")
    appear(also_draft, d, "وكلاما ثالثا")
    return {"a": a, "b": b, "d": d, "claims": [only_here, also_public, also_draft]}


def delete_url(obj):
    return reverse(f"admin:archive_{obj._meta.model_name}_delete", args=[obj.pk])


def changelist(model):
    return reverse(f"admin:archive_{model._meta.model_name}_changelist")


def bulk_delete(client, model, objects, confirm=False):
    data = {"action": "delete_selected", "_selected_action": [obj.pk for obj in objects]}
    if confirm:
        data["post"] = "yes"
    return client.post(changelist(model), data)


def test_deleting_a_claimant_tag_is_refused_naming_its_claims(chief_client, world, person):
    page = chief_client.get(delete_url(person)).content.decode()
    assert f"لا يمكن حذف وسم «{person}»" in page and "صاحب الادعاءات التالية" in page
    for claim in world["claims"]:
        assert claim.statement in page
    assert NO_PERMISSION not in page and CONFIRM not in page
    chief_client.post(delete_url(person), {"post": "yes"})
    assert Tag.objects.filter(pk=person.pk).exists()


def test_the_bulk_delete_of_a_claimant_tag_is_refused_naming_its_claims(
    chief_client, world, person
):
    topic = Tag.objects.create(kind=Tag.Kind.TOPIC, name_ar="الحرب")
    page = bulk_delete(chief_client, Tag, [person, topic]).content.decode()
    assert "لا يمكن حذف" in page and "صاحب الادعاءات التالية" in page
    assert all(claim.statement in page for claim in world["claims"])
    assert NO_PERMISSION not in page and CONFIRM not in page
    bulk_delete(chief_client, Tag, [person, topic], confirm=True)
    assert Tag.objects.filter(pk__in=[person.pk, topic.pk]).count() == 2


def test_the_delete_page_of_an_article_names_the_claims_that_stop_being_public(chief_client, world):
    only_here, also_public, also_draft = world["claims"]
    page = chief_client.get(delete_url(world["a"])).content.decode()
    losing = page.split("لن تبقى منشورة للجمهور")[1].split("</ul>")[0]
    assert only_here.statement in losing
    assert also_draft.statement in losing  # a draft is not public
    assert also_public.statement not in losing
    assert "يُحذف معه 3 مرات ظهور" not in page and "تُحذف معه 3 مرات ظهور" in page
    assert "المقال المنشور يُسحب ولا يُحذف" in page  # withdrawing keeps the record
    assert CONFIRM in page


def test_a_draft_article_is_not_told_to_be_withdrawn(chief_client, world):
    page = chief_client.get(delete_url(world["d"])).content.decode()
    assert "يُسحب ولا يُحذف" not in page
    assert "لن تبقى منشورة" not in page  # the draft made nothing public


def test_an_editor_without_the_publish_permission_is_sent_to_a_chief_editor(client, world, editor):
    client.force_login(editor)
    page = client.get(delete_url(world["a"]))
    if page.status_code == 403:  # editors may not delete a published article at all
        return
    assert "اطلب من رئيس التحرير سحبه" in page.content.decode()


def test_a_source_with_articles_cannot_be_deleted_and_the_arabic_says_so(
    chief_client, world, outlet
):
    page = chief_client.get(delete_url(outlet)).content.decode()
    assert NO_PERMISSION not in page
    assert f"لا يمكن حذف مصدر «{outlet}»" in page and PROTECTED in page
    assert "الناشر الأصلي للمقالات التالية" in page
    for article in (world["a"], world["b"], world["d"]):
        assert article.title in page
    assert CONFIRM not in page
    chief_client.post(delete_url(outlet), {"post": "yes"})
    assert Source.objects.filter(pk=outlet.pk).exists()
    bulk = bulk_delete(chief_client, Source, [outlet]).content.decode()
    assert NO_PERMISSION not in bulk and "مرتبطة بها ومحميّة" in bulk


def test_the_formset_message_for_protected_objects_is_right_in_arabic():
    from django.utils.translation import gettext

    message = (
        "Deleting %(class_name)s %(instance)s would require deleting the following "
        "protected related objects: %(related_objects)s"
    )
    with translation.override("ar"):
        assert gettext(message).startswith("لا يمكن حذف")


def test_deleting_a_tag_says_what_it_is_removed_from_and_the_history_keeps_it(
    chief_client, world, make_article
):
    topic = Tag.objects.create(kind=Tag.Kind.TOPIC, name_ar="الحرب في أوكرانيا")
    TagAlias.objects.create(tag=topic, name="حرب أوكرانيا")
    world["a"].tags.add(topic)
    world["b"].tags.add(topic)
    world["claims"][0].tags.add(topic)
    page = chief_client.get(delete_url(topic)).content.decode()
    assert "يُزال من مقالين" in page and "يُزال من وسوم ادعاء واحد" in page
    assert world["a"].title in page and world["b"].title in page
    assert world["claims"][0].statement in page
    assert "حرب أوكرانيا" in page  # its alias goes with it
    assert CONFIRM in page
    chief_client.post(delete_url(topic), {"post": "yes"})
    assert not Tag.objects.filter(pk=topic.pk).exists()
    removed = apps.get_model("archive", "ArticleTagEvent").objects.filter(
        tag_id=topic.pk, pgh_label="remove"
    )
    assert {event.article_id for event in removed} == {world["a"].pk, world["b"].pk}
    assert {event.pgh_context.metadata["via"] for event in removed} == {"admin"}


def test_deleting_a_claim_says_its_appearances_go_and_it_stops_being_public(chief_client, world):
    claim = world["claims"][1]
    page = chief_client.get(delete_url(claim)).content.decode()
    assert "ظهوراه في مقالين" in page
    assert "منشورة الآن" in page and claim.statement in page
    chief_client.post(delete_url(claim), {"post": "yes"})
    assert not Claim.objects.filter(pk=claim.pk).exists()


def test_an_article_without_claims_still_says_it_is_published(chief_client, make_article):
    article = make_article("مقال قديم", published_at=aware(2020, 1, 1))
    page = chief_client.get(delete_url(article)).content.decode()
    assert "ما الذي سيغيّره هذا الحذف" in page and "يُسحب ولا يُحذف" in page
    assert "تُحذف معه" not in page and "يُحذف معه" not in page
