"""The demo archive in fixtures/seed.json: loads twice without duplicates, and holds what the
demo promises (six articles, their claims with exact quotes, aliases for every variant)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from archive.models import (
    Article,
    Claim,
    ClaimAppearance,
    ClaimEvidence,
    Source,
    Tag,
    TagAlias,
)

MODELS = [Source, Tag, TagAlias, Article, Claim, ClaimEvidence, ClaimAppearance]
FURNITURE = [
    "Continue reading",
    "اترك تعليقاً",
    "اشترك",
    "Kommentare",
    "Details |",
    "إقرأ أيضاً",
    "كلمات دلالية",
    "زر الذهاب إلى الأعلى",
    "https://www.rfi.fr",
]


@pytest.fixture
def seed(db):
    call_command("loaddata", "seed", verbosity=0)


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_loading_twice_leaves_the_same_rows(seed):
    first = counts()
    ids = set(Claim.objects.values_list("id", flat=True))
    call_command("loaddata", "seed", verbosity=0)
    assert counts() == first
    assert set(Claim.objects.values_list("id", flat=True)) == ids


def test_the_demo_archive_is_complete(seed):
    assert Article.objects.published().count() == 6
    assert Claim.objects.published().count() >= 20
    assert all(claim.verdict_note.strip() for claim in Claim.objects.all())
    for article in Article.objects.all():
        assert article.tags.exists(), article.slug
        assert dt.date(2024, 10, 1) <= article.published_at.date() <= dt.date(2025, 12, 31)


def test_every_row_passes_validation(seed):
    """full_clean runs every rule the admin applies, including exact quotes."""
    for model in MODELS:
        for obj in model.objects.all():
            obj.full_clean()


def test_page_furniture_is_gone(seed):
    for article in Article.objects.all():
        text = "\n".join([article.title, article.lead, article.body])
        for junk in FURNITURE:
            assert junk not in text, (article.slug, junk)


def test_the_second_article_of_one_page_is_an_article_of_its_own(seed):
    duma = Article.objects.get(title__contains="البرلمان الروسي يصادق")
    bilad = Article.objects.get(title__startswith="روسيا تكثف الهجمات")
    assert bilad.source.name_ar == "البلاد"
    assert "بيدوبنه" not in duma.body and "بيدوبنه" in bilad.body


def test_credited_sources(seed):
    credited = {
        source.slug
        for article in Article.objects.all()
        for source in article.credited_sources.all()
    }
    assert {"afp", "reuters", "kcna", "rfi", "al-osboa"} <= credited


@pytest.mark.parametrize(
    ("tag", "spelling"),
    [
        ("pyongyang", "بيونج يانج"),
        ("kim-jong-un", "كيم جونج أون"),
        ("nato", "الناتو"),
        ("nato", "حلف الأطلسي"),
    ],
)
def test_every_variant_spelling_is_an_alias(seed, tag, spelling):
    assert spelling in Tag.objects.get(slug=tag).spellings


def test_the_troop_figures_the_outlets_disagree_on(seed):
    figures = set()
    for claim in Claim.objects.filter(quantity_unit__contains="جندي"):
        figures.add(claim.quantity_value or claim.quantity_low or claim.quantity_high)
    assert {Decimal(n) for n in (1500, 3000, 10000, 11000, 12000, 50000)} <= figures


def test_one_claim_appears_in_several_outlets(seed):
    claim = Claim.objects.get(slug="nk-troops-up-to-12000-nis")
    outlets = {a.article.source_id for a in claim.appearances.select_related("article")}
    assert len(outlets) >= 2
    assert claim.quantity_high == 12000 and claim.quantity_low is None


def test_ratification_dates_disagree(seed):
    slugs = set(Claim.objects.filter(slug__contains="ratified").values_list("slug", flat=True))
    assert {
        "state-duma-ratified-treaty-24-october-2024",
        "russian-parliament-ratified-treaty-6-november-2024",
        "federation-council-ratified-treaty-8-november-2024",
    } <= slugs


def test_claimants_are_people_or_organisations(seed):
    kinds = set(
        Claim.objects.exclude(claimant=None).values_list("claimant__kind", flat=True).distinct()
    )
    assert kinds <= {Tag.Kind.PERSON, Tag.Kind.ORGANISATION}
    assert ClaimAppearance.objects.count() >= Claim.objects.count()


def test_quotes_are_verbatim(seed):
    for appearance in ClaimAppearance.objects.select_related("article"):
        article = appearance.article
        assert appearance.quote in f"{article.title}\n{article.lead}\n{article.body}"
