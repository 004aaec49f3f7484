"""The archive's rules, enforced by the database and explained by model validation."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from archive.models import Article, Claim, ClaimAppearance, Tag, TagAlias

pytestmark = pytest.mark.django_db


def integrity_error(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


class TestArticle:
    def test_slug_is_made_from_the_arabic_title_and_kept_unique(self, make_article):
        first = make_article("روسيا تصادق على المعاهدة")
        second = make_article("روسيا تصادق على المعاهدة")
        assert first.slug == "روسيا-تصادق-على-المعاهدة"
        assert second.slug == "روسيا-تصادق-على-المعاهدة-2"

    def test_url_is_unique_when_present(self, make_article):
        make_article(url="https://example.org/a")
        integrity_error(lambda: make_article("آخر", url="https://example.org/a"))

    def test_articles_without_url_do_not_clash(self, make_article):
        make_article("أ", url="")
        make_article("ب", url="")
        assert Article.objects.filter(url="").count() == 2

    def test_duplicate_url_is_refused_with_a_message_naming_the_existing_article(
        self, make_article, outlet
    ):
        existing = make_article("البرلمان الروسي يصادق", url="https://example.org/duma")
        duplicate = Article(
            title="نسخة ثانية",
            body="نص",
            source=outlet,
            url="https://example.org/duma",
            published_at=existing.published_at,
        )
        with pytest.raises(ValidationError) as caught:
            duplicate.full_clean()
        message = " ".join(caught.value.message_dict["url"])
        assert "البرلمان الروسي يصادق" in message
        assert str(existing.pk) in message

    def test_an_article_may_keep_its_own_url(self, make_article):
        article = make_article(url="https://example.org/same")
        article.full_clean()  # no clash with itself

    def test_slug_must_be_unique(self, make_article):
        make_article("أ", slug="same")
        integrity_error(lambda: make_article("ب", slug="same"))

    def test_status_outside_the_choices_is_refused_by_the_database(self, make_article):
        integrity_error(lambda: make_article(status="archived"))

    def test_published_excludes_drafts(self, make_article):
        public = make_article("منشور")
        make_article("مسودة", status=Article.Status.DRAFT)
        assert list(Article.objects.published()) == [public]


class TestTags:
    def test_an_alias_belongs_to_one_tag_only(self, person):
        other = Tag.objects.create(kind=Tag.Kind.PLACE, name_ar="بيونغ يانغ", name_en="Pyongyang")
        TagAlias.objects.create(tag=other, name="Pyongyang City")
        integrity_error(lambda: TagAlias.objects.create(tag=person, name="pyongyang city"))

    def test_alias_clash_message_names_the_tag_that_has_it(self, person):
        city = Tag.objects.create(kind=Tag.Kind.PLACE, name_ar="بيونغ يانغ", name_en="Pyongyang")
        TagAlias.objects.create(tag=city, name="بيونج يانج")
        alias = TagAlias(tag=person, name="  بيونج   يانج ")
        with pytest.raises(ValidationError) as caught:
            alias.full_clean()
        assert "بيونغ يانغ" in caught.value.message_dict["name"][0]

    def test_spellings_are_names_and_aliases(self, person):
        TagAlias.objects.create(tag=person, name="كيم جونج أون")
        assert person.spellings == ["كيم جونغ أون", "Kim Jong Un", "كيم جونج أون"]

    def test_same_arabic_name_twice_for_one_kind_is_refused(self, person):
        integrity_error(
            lambda: Tag.objects.create(kind=Tag.Kind.PERSON, name_ar="كيم جونغ أون", name_en="x")
        )


class TestClaim:
    def test_quantity_low_above_high_is_refused_by_the_database(self, make_claim):
        integrity_error(
            lambda: make_claim(
                quantity_low=Decimal(12000), quantity_high=Decimal(1500), quantity_unit="جندي"
            )
        )

    def test_quantity_low_above_high_gets_a_clear_message(self, make_claim):
        claim = Claim(
            statement="عدد الجنود", quantity_low=12000, quantity_high=1500, quantity_unit="جندي"
        )
        with pytest.raises(ValidationError) as caught:
            claim.full_clean()
        assert "quantity_high" in caught.value.message_dict
        assert Claim.objects.count() == 0

    def test_value_and_range_together_are_refused(self, make_claim):
        integrity_error(
            lambda: make_claim(quantity_value=3000, quantity_low=1000, quantity_unit="جندي")
        )

    def test_a_figure_needs_a_unit(self, make_claim):
        integrity_error(lambda: make_claim(quantity_value=3000))

    def test_open_ended_ranges_are_allowed(self, make_claim):
        more_than = make_claim(quantity_low=10000, quantity_unit="جندي")
        assert more_than.pk is not None

    def test_claimant_must_be_a_person_or_organisation(self):
        place = Tag.objects.create(kind=Tag.Kind.PLACE, name_ar="كورسك", name_en="Kursk")
        claim = Claim(statement="ادعاء", claimant=place)
        with pytest.raises(ValidationError) as caught:
            claim.full_clean()
        assert "claimant" in caught.value.message_dict

    @pytest.mark.parametrize(
        ("fields", "expected"),
        [
            (
                {"quantity_value": Decimal("11000"), "quantity_approximate": True},
                "about 11,000 soldiers",
            ),
            ({"quantity_low": Decimal("10000")}, "more than 10,000 soldiers"),
            ({"quantity_high": Decimal("12000")}, "up to 12,000 soldiers"),
            (
                {"quantity_low": Decimal("10000"), "quantity_high": Decimal("12000")},
                "10,000–12,000 soldiers",
            ),
            ({}, ""),
        ],
    )
    def test_quantity_display(self, fields, expected):
        with translation.override("en"):
            claim = Claim(statement="x", quantity_unit="soldiers" if fields else "", **fields)
            assert claim.quantity_display == expected


class TestClaimAppearance:
    def test_blank_quote_is_refused_by_the_database(self, make_claim, make_article, appear):
        claim, article = make_claim(), make_article()
        integrity_error(lambda: appear(claim, article, "   \n "))

    def test_one_appearance_per_claim_article_and_quote(self, make_claim, make_article, appear):
        claim, article = make_claim(), make_article()
        appear(claim, article, "مرسوما للتصديق")
        integrity_error(lambda: appear(claim, article, "مرسوما للتصديق"))
        appear(claim, article, "وقع كيم جونغ أون")  # another quote of the same article is fine

    def test_quote_must_come_from_the_article(self, make_claim, make_article):
        appearance = ClaimAppearance(
            claim=make_claim(), article=make_article(), quote="جملة لم ترد في المقال"
        )
        with pytest.raises(ValidationError) as caught:
            appearance.full_clean()
        assert "quote" in caught.value.message_dict

    def test_quote_matching_ignores_line_breaks_and_repeated_spaces(self, make_claim, make_article):
        appearance = ClaimAppearance(
            claim=make_claim(), article=make_article(), quote="مرسوما   للتصديق\nعلى المعاهدة"
        )
        appearance.full_clean()


class TestClaimVisibility:
    def test_claim_is_public_when_it_appears_in_a_published_article(
        self, make_claim, make_article, appear
    ):
        published = make_article("منشور")
        draft = make_article("مسودة", status=Article.Status.DRAFT)
        public_claim = make_claim("ادعاء منشور")
        hidden_claim = make_claim("ادعاء في مسودة فقط")
        orphan = make_claim("ادعاء بلا مقال")
        appear(public_claim, published, "وقع كيم")
        appear(public_claim, draft, "وقع كيم")
        appear(hidden_claim, draft, "وقع كيم")

        assert list(Claim.objects.published()) == [public_claim]
        assert orphan not in Claim.objects.published()
        assert list(ClaimAppearance.objects.published()) == list(
            public_claim.appearances.filter(article=published)
        )

    def test_unpublishing_the_article_hides_the_claim(self, make_claim, make_article, appear):
        article = make_article()
        claim = make_claim()
        appear(claim, article, "وقع كيم")
        article.status = Article.Status.DRAFT
        article.save()
        assert not Claim.objects.published().exists()
