"""Claims are searched as articles are, in a document of their own: their wording, their quotes
in published articles, and their claimant's names with its aliases."""

from archive.models import Article, Claim, Tag, TagAlias
from archive.tests.search.case_archive import T4


def claims(query):
    return {c.slug for c in Claim.objects.published().search(query)}


def test_claims_are_found_by_their_wording(db_archive):
    assert "russia-50000-force-in-kursk-zelensky" in claims("50 ألف كورسك")


def test_claims_are_found_by_their_quotes(db_archive):
    # "قوة قوامها" is in the quote of the 50,000 claim as the article prints it.
    assert "russia-50000-force-in-kursk-zelensky" in claims('"جمعت قوة قوامها"')


def test_claims_are_found_by_their_claimant_and_its_aliases(db_archive):
    by_name = claims("روتي")
    assert "nato-cannot-yet-confirm-nk-troop-deployment-rutte" in by_name
    tag = Tag.objects.get(slug="mark-rutte")
    before = Claim.objects.published().search("مارك رته")
    assert before.search_info.mode == "any"  # only مارك matched: a fallback
    TagAlias.objects.create(tag=tag, name="مارك رته")
    after = Claim.objects.published().search("مارك رته")
    assert after.search_info.mode == "all"
    assert "nato-cannot-yet-confirm-nk-troop-deployment-rutte" in {c.slug for c in after}


def test_claims_of_draft_articles_are_not_found_by_their_quotes(db_archive):
    Article.objects.filter(slug=T4).update(status=Article.Status.DRAFT)
    assert claims("120 طائرة مسيرة") == set()
