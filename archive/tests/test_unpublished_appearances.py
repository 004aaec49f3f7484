"""A public claim that also appears in a draft, a scheduled and a withdrawn article: those
appearances (their quotes and their links) show nowhere public, while the claim and its
public appearance do."""

import datetime as dt

import pytest
from django.utils import timezone

from archive.models import Article, Claim, ClaimAppearance, Source, Tag

CLAIM_WORD = "علنيادعاء"  # in the claim's statement
PUBLIC_QUOTE = "اقتباس منشور علنيادعاء"
HIDDEN = {
    "draft": ("مسودةمخفية", Article.Status.DRAFT, -30),
    "scheduled": ("مجدولمخفي", Article.Status.PUBLISHED, +2),
    "withdrawn": ("مسحوبمخفي", Article.Status.WITHDRAWN, -30),
}
T0 = "north-korea-ratifies-mutual-defence-treaty-with-russia"


@pytest.fixture(scope="module")
def mixed_archive(seeded, django_db_blocker):
    """The claim, public through a seed article, quoted also in three articles that are not
    public, from an outlet that has a public article of its own."""
    with django_db_blocker.unblock():
        outlet = Source.objects.create(name="Mixed Outlet", slug="mixed-outlet")
        Article.objects.create(
            title="مقال عام من المنفذ المختلط",
            slug="mixed-public",
            body="نص عام.",
            source=outlet,
            status=Article.Status.PUBLISHED,
            published_at=timezone.now() - dt.timedelta(days=3),
        )
        claim = Claim.objects.create(
            statement=f"ادعاء {CLAIM_WORD} عن عدد الجنود",
            slug="mixed-claim",
            claimant=Tag.objects.get(slug="kim-jong-un"),
            verdict="false",
            quantity_value=55555,
            quantity_unit="جندي",
        )
        claim.tags.set(Tag.objects.filter(slug="north-korean-troops-in-russia"))
        ClaimAppearance.objects.create(
            claim=claim, article=Article.objects.get(slug=T0), quote=PUBLIC_QUOTE
        )
        for name, (word, status, days) in HIDDEN.items():
            article = Article.objects.create(
                title=f"مقال {word}",
                slug=f"hidden-{name}",
                body=f"نص {word}.",
                source=outlet,
                status=status,
                published_at=timezone.now() + dt.timedelta(days=days),
                withdrawn_at=timezone.now() if status == Article.Status.WITHDRAWN else None,
            )
            ClaimAppearance.objects.create(claim=claim, article=article, quote=f"اقتباس {word}")
        return claim.pk


@pytest.fixture
def claim_id(mixed_archive, db):
    return mixed_archive


def traces():
    """What would show a hidden appearance: its quote's word and its article's address."""
    words = [word for word, _status, _days in HIDDEN.values()]
    return words + [f"hidden-{name}" for name in HIDDEN]


def body_of(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode()


# (url, parameters): each shows the claim, none any appearance that is not public.
SURFACES = [
    ("/claims/{claim}/", {}),
    ("/claims/", {}),
    ("/claims/", {"q": CLAIM_WORD}),
    ("/claims/", {"tag": "north-korean-troops-in-russia"}),
    ("/claims/", {"claimant": "kim-jong-un"}),
    ("/claims/", {"numeric": "true"}),
    ("/tags/north-korean-troops-in-russia/", {}),
    ("/tags/kim-jong-un/", {}),
    (f"/articles/{T0}/", {}),
    ("/api/claims/", {"page_size": 100}),
    ("/api/claims/", {"q": CLAIM_WORD}),
    ("/api/claims/{claim}/", {}),
    ("/export/claims.csv", {}),
    ("/export/claims.csv", {"q": CLAIM_WORD}),
]


@pytest.mark.parametrize(("url", "params"), SURFACES)
def test_only_the_public_appearance_of_a_public_claim_shows(client, claim_id, url, params):
    content = body_of(client.get(url.format(claim=claim_id), params))
    assert CLAIM_WORD in content  # the claim is there ...
    assert not [trace for trace in traces() if trace in content]  # ... its hidden quotes not


def test_the_claim_page_and_the_api_carry_exactly_the_public_appearance(client, claim_id):
    page = client.get(f"/claims/{claim_id}/")
    shown = [a.article.slug for a in page.context["claim"].appearances.all()]
    assert shown == [T0]
    assert PUBLIC_QUOTE in page.content.decode()
    detail = client.get(f"/api/claims/{claim_id}/").json()
    assert [a["quote"] for a in detail["appearances"]] == [PUBLIC_QUOTE]


def test_an_outlet_whose_only_quotes_of_the_claim_are_hidden_does_not_list_it(client, claim_id):
    content = body_of(client.get("/sources/mixed-outlet/"))
    assert "mixed-public" in content  # the outlet's page is there
    assert CLAIM_WORD not in content
    assert CLAIM_WORD in body_of(client.get("/sources/dotnet4arab/"))


@pytest.mark.parametrize("name", list(HIDDEN))
def test_searching_claims_for_a_hidden_quote_finds_nothing(client, claim_id, name):
    word = HIDDEN[name][0]
    assert client.get("/api/claims/", {"q": word}).json()["count"] == 0
    content = body_of(client.get("/claims/", {"q": word}))
    assert f"/claims/{claim_id}/" not in content


def test_the_timeline_plots_only_the_public_appearance(client, claim_id):
    chart = client.get("/claims/").context["chart"]
    ours = [p for p in chart["points"] if p.appearance.claim_id == claim_id]
    assert [p.appearance.article.slug for p in ours] == [T0]


def test_the_scheduled_quote_shows_once_its_time_has_come(client, claim_id):
    word = HIDDEN["scheduled"][0]
    assert word not in body_of(client.get(f"/claims/{claim_id}/"))
    Article.objects.filter(slug="hidden-scheduled").update(
        published_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert word in body_of(client.get(f"/claims/{claim_id}/"))
    api = client.get(f"/api/claims/{claim_id}/").json()
    assert len(api["appearances"]) == 2
    assert HIDDEN["draft"][0] not in body_of(client.get(f"/claims/{claim_id}/"))
