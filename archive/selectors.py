"""What the public surfaces read: the pages, the API, the feeds, the exports, the sitemap and the
timeline start from these querysets, each made from the models' `published()`."""

from django.db.models import Exists, Max, Min, OuterRef, Prefetch, Subquery

from .models import Article, Claim, ClaimAppearance, Tag, VerdictChange, public_article


def public_articles():
    return (
        Article.objects.published()
        .select_related("source")
        # Without the tags' search columns (their vector and keys), which a list never shows.
        .prefetch_related(
            Prefetch(
                "tags",
                queryset=Tag.objects.order_by("name_ar").defer("search_vector", "search_keys"),
            )
        )
    )


def public_claims():
    appearances = ClaimAppearance.objects.published().select_related("article__source")
    return (
        Claim.objects.published()
        .select_related("claimant")
        .prefetch_related(
            Prefetch("appearances", queryset=appearances.order_by("stated_on", "id")),
            "tags",
        )
    )


def claims_quoted_by(source):
    """The public claims quoted in `source`'s public articles (not in its drafts)."""
    return public_claims().filter(
        Exists(
            ClaimAppearance.objects.published().filter(claim=OuterRef("pk"), article__source=source)
        )
    )


def with_review_dates(claims):
    """`claims` with what their ClaimReview's dates need, read in the same query
    (Claim.review_dates): their first public appearance and last public verdict change."""
    first = (
        ClaimAppearance.objects.published()
        .filter(claim=OuterRef("pk"))
        .order_by()
        .values("claim")
        .annotate(first=Min("article__published_at"))
        .values("first")
    )
    changed = (
        VerdictChange.objects.public()
        .filter(claim=OuterRef("pk"))
        .order_by()
        .values("claim")
        .annotate(last=Max("changed_at"))
        .values("last")
    )
    return claims.annotate(first_public=Subquery(first), last_public_change=Subquery(changed))


def with_verdict_history(claims):
    """`claims` with their public verdict changes (archive/models/corrections.py), oldest
    first."""
    changes = VerdictChange.objects.public().order_by("changed_at", "id")
    return claims.prefetch_related(
        Prefetch("verdict_changes", queryset=changes, to_attr="public_verdict_changes")
    )


def with_public_articles(model):
    """The outlets or the tags (`model`) that have public articles, by slug."""
    return model.objects.filter(public_article("articles__")).distinct().order_by("slug")


def public_figures(tag):
    """The appearances in public articles of `tag`'s claims that give a figure, by date."""
    return (
        ClaimAppearance.objects.published()
        .filter(claim__tags=tag)
        .filter(claim__quantity_unit__gt="")
        .select_related("claim__claimant", "article__source")
        .order_by("stated_on", "article__published_at", "id")
    )
