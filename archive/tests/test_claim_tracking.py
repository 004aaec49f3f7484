"""Claims tracked across the archive (archive/claim_tracking.py): the related claims of a claim
(admin and public page) and the passages of other published articles that state it, with the
admin's "add as appearance" button."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from archive import claim_tracking
from archive.models import Article, Claim, ClaimAppearance, Tag, TagAlias

from .conftest import aware

pytestmark = pytest.mark.django_db

NIS_SENTENCE = "وقالت وكالة الاستخبارات الوطنية إن بيونغ يانغ قد ترسل اثني عشر ألف جندي إلى روسيا."


@pytest.fixture
def troops(db):
    return Tag.objects.create(kind=Tag.Kind.TOPIC, name_ar="القوات الكورية الشمالية في روسيا")


@pytest.fixture
def nis(db):
    tag = Tag.objects.create(
        kind=Tag.Kind.ORGANISATION, name_ar="المخابرات الكورية الجنوبية", name_en="NIS"
    )
    TagAlias.objects.create(tag=tag, name="وكالة الاستخبارات الوطنية")
    return tag


@pytest.fixture
def figure_claim(make_claim, make_article, appear, nis, troops):
    """The NIS's "up to 12,000 soldiers", quoted in one published article."""
    claim = make_claim(
        "تقدّر المخابرات الكورية الجنوبية أن كوريا الشمالية يمكن أن ترسل ما يصل إلى 12 ألف جندي",
        claimant=nis,
        quantity_high=Decimal(12000),
        quantity_unit="جندي",
    )
    claim.tags.add(troops)
    own = make_article(
        "المخابرات الكورية الجنوبية: 12 ألف جندي",
        body="وتقدر المخابرات الكورية الجنوبية أن بيونغ يانغ يمكن أن ترسل ما يصل إلى 12 ألف جندي.",
    )
    appear(claim, own, "يمكن أن ترسل ما يصل إلى 12 ألف جندي", stated_on=dt.date(2024, 10, 18))
    return claim


@pytest.fixture
def elsewhere(make_article):
    """A published article that states the claim: another spelling of the claimant, the
    figure in words."""
    return make_article(
        "روسيا وكوريا الشمالية",
        body="عقد البرلمان جلسة طويلة. " + NIS_SENTENCE + " ولم تعلق موسكو على ذلك.",
        published_at=aware(2024, 10, 25),
    )


def related_to(claim, **kwargs):
    return {r.claim.pk: r.kinds for r in claim_tracking.related_claims(claim, **kwargs)}


# --- related claims ---------------------------------------------------------------------------


def test_same_claimant_is_related_and_an_unrelated_claim_is_not(make_claim, person):
    claim = make_claim("قال كيم إن بلاده ستدعم روسيا دائما")
    other = make_claim("أعلن كيم افتتاح مصنع جديد للصواريخ في الشمال")
    stranger = Tag.objects.create(kind=Tag.Kind.PERSON, name_ar="مارك روتي")
    unrelated = make_claim("ارتفعت أسعار القمح في الأسواق الأوروبية", claimant=stranger)
    related = related_to(claim)
    assert related[other.pk] == ["claimant"]
    assert unrelated.pk not in related
    assert claim.pk not in related


def test_same_unit_and_tag_within_the_period(make_claim, make_article, appear, troops):
    def figure(statement, value, stated_on):
        claim = make_claim(statement, claimant=None, quantity_value=value, quantity_unit="جندي")
        claim.tags.add(troops)
        article = make_article(statement, body=statement)
        appear(claim, article, statement, stated_on=stated_on)
        return claim

    claim = figure("نشرت بيونغ يانغ نحو 11 ألف جندي", 11000, dt.date(2024, 11, 1))
    near = figure("وصل ثلاثة آلاف عسكري من الشمال إلى الشرق", 3000, dt.date(2024, 10, 23))
    far = figure("أرسل الشمال ألفي مقاتل قبل عام كامل", 2000, dt.date(2023, 9, 1))
    other_unit = make_claim(
        "أسقطت الدفاعات مئة وعشرين طائرة", claimant=None, quantity_value=120, quantity_unit="طائرة"
    )
    other_unit.tags.add(troops)
    related = related_to(claim)
    assert related[near.pk] == ["figure"]
    assert far.pk not in related
    assert other_unit.pk not in related
    # The period is a parameter: at a year and a half, the far one is related too.
    assert related_to(claim, days=500)[far.pk] == ["figure"]


def test_similar_wording(make_claim):
    stranger = Tag.objects.create(kind=Tag.Kind.PERSON, name_ar="أندريه رودينكو")
    claim = make_claim("صادق مجلس الدوما الروسي على المعاهدة مع كوريا الشمالية", claimant=None)
    similar = make_claim("صدّق مجلس الدوما الروسي على معاهدة كوريا الشمالية", claimant=stranger)
    different = make_claim("انخفضت درجات الحرارة في العاصمة بشكل كبير", claimant=stranger)
    related = related_to(claim)
    assert related[similar.pk] == ["wording"]
    assert different.pk not in related
    [entry] = claim_tracking.related_claims(claim)
    assert "0." in entry.reasons[0]  # the editor sees the score
    assert entry.plain_reasons == ["صياغة متقاربة"]  # the reader does not


def test_the_public_page_says_similar_wording_without_a_score(
    client, make_claim, make_article, appear
):
    claim = make_claim("صادق مجلس الدوما الروسي على المعاهدة مع كوريا الشمالية", claimant=None)
    similar = make_claim("صدّق مجلس الدوما الروسي على معاهدة كوريا الشمالية", claimant=None)
    for one in (claim, similar):
        appear(one, make_article(one.statement[:20], body=one.statement), one.statement)
    page = client.get(reverse("claim", args=[claim.pk])).content.decode()
    related = page[page.index('class="related-claims"') :]
    assert reverse("claim", args=[similar.pk]) in related
    assert "صياغة متقاربة" in related
    assert not re.search(r"صياغة متقاربة\s*0[.,٫]\d", related)


def test_the_ranking_puts_several_reasons_first(make_claim, person, troops):
    claim = make_claim("قال كيم إن بلاده أرسلت ألف جندي", quantity_value=1000, quantity_unit="جندي")
    one_reason = make_claim("أعلن كيم افتتاح مصنع جديد")
    two_reasons = make_claim("قال كيم إن بلاده أرسلت ألف جندي إلى الحدود")
    ranked = [r.claim.pk for r in claim_tracking.related_claims(claim)]
    assert ranked == [two_reasons.pk, one_reason.pk]


def test_the_public_page_lists_public_related_claims_only(client, make_claim, make_article, appear):
    claim = make_claim("قال كيم إن بلاده ستدعم روسيا دائما")
    public = make_claim("أعلن كيم افتتاح مصنع جديد للصواريخ")
    hidden = make_claim("أكد كيم أن الجيش جاهز للحرب في أي وقت")
    appear(claim, make_article("مقال عن كيم", body=claim.statement), claim.statement)
    appear(public, make_article("مقال آخر", body=public.statement), public.statement)
    draft = make_article("مسودة", body=hidden.statement, status=Article.Status.DRAFT)
    appear(hidden, draft, hidden.statement)
    scheduled = make_article(
        "مجدول", body=hidden.statement, published_at=aware(2099, 1, 1)
    )  # published for later: not public yet
    appear(hidden, scheduled, hidden.statement)
    page = client.get(reverse("claim", args=[claim.pk])).content.decode()
    assert reverse("claim", args=[public.pk]) in page
    assert reverse("claim", args=[hidden.pk]) not in page
    assert hidden.statement not in page
    # In the admin, where editors see drafts, it is listed.
    assert hidden.pk in related_to(claim)


# --- where else it appears ---------------------------------------------------------------------


def test_where_else_finds_another_spelling_and_the_figure_in_words(
    figure_claim, elsewhere, make_article
):
    draft = make_article("مسودة", body=NIS_SENTENCE, status=Article.Status.DRAFT)
    unrelated = make_article("الطقس", body="كان الطقس مشمسا في عمّان يوم الخميس.")
    passages = claim_tracking.where_else(figure_claim)
    assert [(p.article, p.sentence) for p in passages] == [(elsewhere, NIS_SENTENCE)]
    assert draft not in {p.article for p in passages}
    assert unrelated not in {p.article for p in passages}


def test_where_else_leaves_out_the_claims_own_articles(figure_claim, elsewhere, appear):
    appear(figure_claim, elsewhere, "قد ترسل اثني عشر ألف جندي إلى روسيا")
    assert claim_tracking.where_else(figure_claim) == []


@pytest.mark.parametrize(
    "value,spelling",
    [
        (12000, "12 ألف"),
        (12000, "اثني عشر ألف"),
        (10000, "عشرة آلاف"),
        (10000, "10 آلاف"),
        (1500000, "1.5 مليون"),
        (3000, "3000"),
    ],
)
def test_figure_spellings(value, spelling):
    assert spelling in claim_tracking.figure_spellings(value)


def test_a_figure_in_other_digits_is_found(figure_claim, make_article):
    article = make_article(
        "تقرير", body="قالت المخابرات الكورية الجنوبية إن ١٢٬٠٠٠ جندي قد يرسلون."
    )
    assert [p.article for p in claim_tracking.where_else(figure_claim)] == [article]


# --- the admin ----------------------------------------------------------------------------------


def add_url(claim):
    return reverse("admin:archive_claim_add_appearance", args=[claim.pk])


def post_passage(client, claim, article, quote=NIS_SENTENCE, version=None):
    version = claim.version if version is None else version
    return client.post(add_url(claim), {"article": article.pk, "quote": quote, "version": version})


def test_the_change_page_lists_related_claims_and_passages(chief_client, figure_claim, elsewhere):
    related = Claim.objects.create(
        statement="تتوقع المخابرات الكورية الجنوبية عشرة آلاف جندي", claimant=figure_claim.claimant
    )
    page = chief_client.get(reverse("admin:archive_claim_change", args=[figure_claim.pk]))
    html = page.content.decode()
    assert reverse("admin:archive_claim_change", args=[related.pk]) in html
    assert NIS_SENTENCE in html
    assert add_url(figure_claim) in html


def test_add_as_appearance_stores_the_exact_quote_once(chief_client, figure_claim, elsewhere):
    response = post_passage(chief_client, figure_claim, elsewhere)
    assert response.status_code == 302
    assert response["Location"].startswith(
        reverse("admin:archive_claim_change", args=[figure_claim.pk])
    )
    added = ClaimAppearance.objects.get(claim=figure_claim, article=elsewhere)
    assert added.quote == NIS_SENTENCE
    # History recorded by the triggers, with the request's context.
    assert added.events.filter(pgh_label="create").exists()
    # Posted again (a double click): no second appearance.
    post_passage(chief_client, figure_claim, elsewhere)
    assert ClaimAppearance.objects.filter(claim=figure_claim, article=elsewhere).count() == 1
    # And the article is now the claim's own: no longer proposed.
    assert claim_tracking.where_else(figure_claim) == []


def test_a_quote_that_is_not_in_the_article_is_refused(chief_client, figure_claim, elsewhere):
    response = post_passage(chief_client, figure_claim, elsewhere, quote="جملة ليست في المقال")
    assert response.status_code == 302
    assert not ClaimAppearance.objects.filter(article=elsewhere).exists()


def test_a_stale_claim_version_is_refused(chief_client, figure_claim, elsewhere):
    opened = figure_claim.version
    figure_claim.verdict_note = "تغيرت"
    figure_claim.save()
    response = post_passage(chief_client, figure_claim, elsewhere, version=opened)
    assert response.status_code == 302
    assert not ClaimAppearance.objects.filter(article=elsewhere).exists()


def test_without_the_right_to_change_claims_it_is_403(client, figure_claim, elsewhere):
    viewer = User.objects.create_user("sami", password="a-long-password-1", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_claim"))
    client.force_login(viewer)
    assert post_passage(client, figure_claim, elsewhere).status_code == 403
    page = client.get(reverse("admin:archive_claim_change", args=[figure_claim.pk]))
    assert add_url(figure_claim) not in page.content.decode()
    assert not ClaimAppearance.objects.filter(article=elsewhere).exists()


def test_an_editor_may_not_add_to_a_published_article(editor_client, figure_claim, elsewhere):
    # Lines of a published article are the chief editors' (archive/workflow_admin.py).
    assert post_passage(editor_client, figure_claim, elsewhere).status_code == 403


@pytest.mark.parametrize("article", ["abc", "", "999999"])
def test_bad_article_ids_are_404(chief_client, figure_claim, article):
    data = {"article": article, "quote": NIS_SENTENCE, "version": figure_claim.version}
    assert chief_client.post(add_url(figure_claim), data).status_code == 404


def test_a_draft_article_or_an_unknown_claim_is_404(chief_client, figure_claim, make_article):
    draft = make_article("مسودة", body=NIS_SENTENCE, status=Article.Status.DRAFT)
    assert post_passage(chief_client, figure_claim, draft).status_code == 404
    url = reverse("admin:archive_claim_add_appearance", args=[999999])
    data = {"article": draft.pk, "quote": NIS_SENTENCE, "version": 1}
    assert chief_client.post(url, data).status_code == 404
    assert chief_client.post(add_url(figure_claim), {"article": draft.pk}).status_code == 404


def test_get_is_not_allowed(chief_client, figure_claim):
    assert chief_client.get(add_url(figure_claim)).status_code == 405


def test_claims_are_searched_by_figure(chief_client, figure_claim, make_claim):
    other = make_claim(
        "قالت كييف إن 50 ألف جندي احتشدوا", quantity_value=50000, quantity_unit="جندي"
    )
    changelist = reverse("admin:archive_claim_changelist")
    for term in ("12000", "١٢٬٠٠٠", "11000"):  # 11,000 is within "up to 12,000"
        found = chief_client.get(changelist, {"q": term}).context["cl"].result_list
        assert figure_claim in found and other not in found
    found = chief_client.get(changelist, {"q": "50,000"}).context["cl"].result_list
    assert list(found) == [other]


def test_a_tag_named_in_the_statement_is_found_in_its_other_spellings(make_claim):
    pyongyang = Tag.objects.create(kind=Tag.Kind.PLACE, name_ar="بيونغ يانغ", name_en="Pyongyang")
    TagAlias.objects.create(tag=pyongyang, name="بيونج يانج")
    claim = make_claim("وقعت المعاهدة في بيونغ يانغ خلال زيارة الرئيس", claimant=None)
    claim.tags.add(pyongyang)
    finder = claim_tracking.Finder.for_claim(claim)
    terms = claim_tracking.search.analyze("وصل الوفد إلى بيونج يانج أمس")
    stems = [set(t.stems) for t in terms]
    found = [k for k in finder.key_words if k.found_in(stems, set().union(*stems))]
    assert [k.runs for k in found] == [claim_tracking.stem_runs(pyongyang.spellings)]
    # Without the tag, the same words are two key words that this spelling does not meet.
    claim.tags.clear()
    finder = claim_tracking.Finder.for_claim(claim)
    assert not [k for k in finder.key_words if k.found_in(stems, set().union(*stems))]
