"""The editors' admin: every page renders for an editor, rules are explained, nothing is lost."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from archive.models import Article, Claim, ClaimAppearance, Source, Tag, TagAlias

pytestmark = pytest.mark.django_db

ARCHIVE_MODELS = ["article", "source", "tag", "claim"]


@pytest.fixture
def world(make_article, make_claim, appear, person):
    article = make_article(url="https://example.org/treaty")
    claim = make_claim(quantity_value=11000, quantity_unit="جندي", quantity_approximate=True)
    appear(claim, article, "وقع كيم جونغ أون")
    TagAlias.objects.create(tag=person, name="كيم جونج أون")
    return {"article": article, "claim": claim, "tag": person, "source": article.source}


@pytest.mark.parametrize("model", ARCHIVE_MODELS)
def test_list_and_add_pages_render_for_an_editor(editor_client, world, model):
    for page in ("changelist", "add"):
        response = editor_client.get(reverse(f"admin:archive_{model}_{page}"))
        assert response.status_code == 200, (model, page)


@pytest.mark.parametrize("model", ARCHIVE_MODELS)
def test_change_page_renders_for_an_editor(editor_client, world, model):
    obj = world["source" if model == "source" else model]
    response = editor_client.get(reverse(f"admin:archive_{model}_change", args=[obj.pk]))
    assert response.status_code == 200
    assert str(obj).split(" (")[0][:30] in response.content.decode()


def test_article_list_shows_source_status_and_claim_count(editor_client, world):
    response = editor_client.get(reverse("admin:archive_article_changelist"))
    row = response.context["cl"].result_list[0]
    assert row.claim_count == 1
    html = response.content.decode()
    assert world["article"].title in html and "الجزيرة" in html


def test_claim_list_shows_the_figure_and_appearances(editor_client, world):
    response = editor_client.get(reverse("admin:archive_claim_changelist"))
    html = response.content.decode()
    assert "نحو 11٬000 جندي" in html  # the Arabic thousands separator (newsroom/formats)
    assert response.context["cl"].result_list[0].appearance_count == 1


def test_admin_speaks_arabic_right_to_left_by_default(editor_client):
    html = editor_client.get(reverse("admin:index")).content.decode()
    assert 'lang="ar"' in html and 'dir="rtl"' in html
    assert "أرشيف غرفة الأخبار" in html


def test_an_english_browser_still_gets_arabic_until_english_is_chosen(editor_client):
    """Arabic first: the switcher, not the browser's Accept-Language, selects English."""
    html = editor_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="ar"' in html


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(reverse("admin:archive_article_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize(
    "url_name", ["admin:auth_user_changelist", "admin:auth_group_changelist", "admin:auth_user_add"]
)
def test_editor_cannot_reach_user_or_group_management(editor_client, url_name):
    assert editor_client.get(reverse(url_name)).status_code == 403


def test_editors_group_has_exactly_the_archive_permissions():
    group = Group.objects.get(name="Editors")
    granted = set(group.permissions.values_list("content_type__app_label", "codename"))
    # Import runs are a record: editors see them, no one edits them.
    expected = set(
        Permission.objects.filter(content_type__app_label="archive")
        .exclude(codename__in=["add_importrun", "change_importrun", "delete_importrun"])
        # The history is written by the database alone; the chief editors' rights.
        .exclude(content_type__model__endswith="event")
        .exclude(content_type__model="purgerecord")
        # Verdict changes too (archive/models/corrections.py); a correction stays unless a chief
        # editor removes it.
        .exclude(
            codename__in=[
                "add_verdictchange",
                "change_verdictchange",
                "delete_verdictchange",
                "delete_correction",
            ]
        )
        .exclude(
            codename__in=[
                "publish_article",
                "restore_deleted",
                "purge_item",
                "change_public_verdict",
                # What articles and claims depend on: the chief editors' (test_workflow.py).
                "delete_claim",
                "delete_tag",
                "delete_source",
            ]
        )
        .values_list("content_type__app_label", "codename")
    )
    assert granted == expected
    assert {label for label, _ in granted} == {"archive"}


def article_form(source, **overrides):
    data = {
        "title": "مقال جديد",
        "lead": "",
        "body": "نص المقال",
        "status": "draft",
        "published_at_0": "2024-11-13",
        "published_at_1": "10:00:00",
        "source": source.pk,
        "author": "",
        "url": "",
        "slug": "",
        "language": "ar",
        "claim_appearances-TOTAL_FORMS": "0",
        "claim_appearances-INITIAL_FORMS": "0",
        "claim_appearances-MIN_NUM_FORMS": "0",
        "claim_appearances-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_editor_adds_an_article_and_is_recorded_as_its_last_editor(editor_client, editor, world):
    tag = world["tag"]
    response = editor_client.post(
        reverse("admin:archive_article_add"), article_form(world["source"], tags=[tag.pk])
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(title="مقال جديد")
    assert article.updated_by == editor
    assert article.slug == "مقال-جديد"
    assert list(article.tags.all()) == [tag]


def test_a_text_the_search_index_cannot_hold_is_refused_by_the_form(editor_client, world):
    """PostgreSQL refuses a word of 2 kB or more in a text index (here 1,100 letters, and 300
    ﷲ ligatures, each four letters once normalised); the form says so instead of a 500."""
    body = "نص المقال " + "ب" * 1_100
    response = editor_client.post(
        reverse("admin:archive_article_add"),
        article_form(world["source"], body=body, lead="ﷲ" * 300),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"body", "lead"}
    assert "لا يمكن فهرسة هذا النص للبحث" in errors["body"][0]
    assert Article.objects.count() == 1
    # A long run that the index can hold (a long link, say) is saved.
    link = "https://example.org/" + "a" * 900
    response = editor_client.post(
        reverse("admin:archive_article_add"), article_form(world["source"], body=link)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Article.objects.count() == 2


def test_article_with_an_existing_url_is_refused_naming_the_existing_article(editor_client, world):
    existing = world["article"]
    response = editor_client.post(
        reverse("admin:archive_article_add"), article_form(world["source"], url=existing.url)
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["url"]
    assert existing.title in errors[0] and str(existing.pk) in errors[0]
    assert Article.objects.count() == 1
    # What the editor typed is still in the form.
    assert "نص المقال" in response.content.decode()


def claim_form(**overrides):
    data = {
        "statement": "حشدت موسكو 50 ألف جندي في كورسك",
        "slug": "",
        "verdict": "unverified",
        "verdict_note": "",
        "quantity_value": "",
        "quantity_low": "",
        "quantity_high": "",
        "quantity_unit": "",
        "quantity_date": "",
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


def test_claim_with_low_above_high_is_refused_with_a_message(editor_client, world):
    before = Claim.objects.count()
    response = editor_client.post(
        reverse("admin:archive_claim_add"),
        claim_form(quantity_low="12000", quantity_high="1500", quantity_unit="جندي"),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "quantity_high" in errors
    assert "12000" in errors["quantity_high"][0] and "1500" in errors["quantity_high"][0]
    assert Claim.objects.count() == before


def test_a_claim_the_search_index_cannot_hold_is_refused_by_the_form(editor_client, world):
    before = Claim.objects.count()
    response = editor_client.post(
        reverse("admin:archive_claim_add"), claim_form(statement="قال " + "ب" * 1_100)
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "لا يمكن فهرسة هذا النص للبحث" in errors["statement"][0]
    assert Claim.objects.count() == before


def test_claim_with_its_appearance_is_saved_from_one_form(editor_client, world):
    article = world["article"]
    # An editor links claims to articles not yet published (test_workflow.py).
    Article.objects.filter(pk=article.pk).update(status="draft")
    response = editor_client.post(
        reverse("admin:archive_claim_add"),
        claim_form(
            quantity_value="50000",
            quantity_unit="جندي",
            **{
                "appearances-TOTAL_FORMS": "1",
                "appearances-0-article": article.pk,
                "appearances-0-quote": "مرسوما للتصديق",
                "appearances-0-stated_on": "2024-11-11",
            },
        ),
    )
    assert response.status_code == 302
    claim = Claim.objects.get(statement__startswith="حشدت موسكو")
    assert claim.appearances.get().article == article


def test_appearance_quote_not_in_the_article_is_refused(editor_client, world):
    response = editor_client.post(
        reverse("admin:archive_claim_add"),
        claim_form(
            **{
                "appearances-TOTAL_FORMS": "1",
                "appearances-0-article": world["article"].pk,
                "appearances-0-quote": "كلام لم يقله أحد",
            }
        ),
    )
    assert response.status_code == 200
    assert not Claim.objects.filter(statement__startswith="حشدت موسكو").exists()
    assert ClaimAppearance.objects.count() == 1


def test_tag_with_aliases_is_added_inline(editor_client):
    response = editor_client.post(
        reverse("admin:archive_tag_add"),
        {
            "kind": "place",
            "name_ar": "بيونغ يانغ",
            "name_en": "Pyongyang",
            "slug": "pyongyang",
            "description": "",
            "aliases-TOTAL_FORMS": "2",
            "aliases-INITIAL_FORMS": "0",
            "aliases-MIN_NUM_FORMS": "0",
            "aliases-MAX_NUM_FORMS": "1000",
            "aliases-0-name": "بيونج يانج",
            "aliases-1-name": "",
        },
    )
    assert response.status_code == 302
    assert list(Tag.objects.get(slug="pyongyang").aliases.values_list("name", flat=True)) == [
        "بيونج يانج"
    ]


def test_source_autocomplete_answers_an_editor(editor_client, world):
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {"term": "جزيرة", "app_label": "archive", "model_name": "article", "field_name": "source"},
    )
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(world["source"].pk)]


def test_source_list_counts_articles(editor_client, world):
    response = editor_client.get(reverse("admin:archive_source_changelist"))
    assert response.context["cl"].result_list[0].article_count == 1
    assert Source.objects.count() == 1


def test_editor_switches_the_admin_to_english_and_back(editor_client):
    index = reverse("admin:index")
    page = editor_client.get(index).content.decode()
    assert 'name="language" value="en"' in page
    response = editor_client.post(reverse("set_language"), {"language": "en", "next": index})
    assert response.status_code == 302
    page = editor_client.get(index).content.decode()
    assert 'lang="en"' in page and "Newsroom archive" in page
    editor_client.post(reverse("set_language"), {"language": "ar", "next": index})
    assert 'dir="rtl"' in editor_client.get(index).content.decode()


def test_login_page_offers_the_language_switch(client):
    page = client.get(reverse("admin:login")).content.decode()
    assert 'lang="ar"' in page and 'name="language" value="en"' in page
