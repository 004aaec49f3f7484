"""The editors' desk: the admin's front page, what needs doing in the newsroom.

Articles in the works (drafts and in review) and those scheduled, claims waiting for a
verdict, the recent imports, the editor's own recent changes and a few figures. Each section
is shown only to an account the admin lets see that model (its ModelAdmin's view permission,
the same rule as its list): an account that may not see articles sees no draft's title, no
count of them, nothing. A section the account may see but which is empty says so.

Each section is one query (one per kind of item for "my changes", one per figure of the
articles), whatever the number of items: the page's queries do not grow with the archive.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Now
from django.urls import reverse
from django.utils import timezone

from . import versions, workflow
from .models import (
    Article,
    Claim,
    ClaimAppearance,
    ImportRun,
    Source,
    Tag,
    VerdictChange,
    public_article,
)

# How many items a section lists; its heading links to the whole list.
SHOWN = 8
IMPORTS_SHOWN = 5
WEEK = dt.timedelta(days=7)


# --- the querysets ----------------------------------------------------------------------------


def articles_in_progress():
    """Drafts and articles in review, the last changed first."""
    return (
        Article.objects.filter(status__in=[workflow.DRAFT, workflow.REVIEW])
        .select_related("source", "updated_by", "created_by")
        .order_by("-updated_at", "-id")
    )


def scheduled_articles():
    """Published articles whose publication time is still to come, the soonest first."""
    return (
        Article.objects.filter(status=workflow.PUBLISHED, published_at__gt=Now())
        .select_related("source", "updated_by")
        .order_by("published_at", "id")
    )


def unverified_since():
    """When a claim was last set back to unverified, else when it was entered."""
    set_back = VerdictChange.objects.filter(
        claim=OuterRef("pk"), to_verdict=Claim.Verdict.UNVERIFIED
    ).order_by("-changed_at", "-id")
    return Coalesce(Subquery(set_back.values("changed_at")[:1]), F("created_at"))


def unverified_claims():
    """Claims with no verdict yet ("unverified"), each with its `unverified_since`, the
    longest waiting first."""
    return (
        Claim.objects.filter(verdict=Claim.Verdict.UNVERIFIED)
        .annotate(unverified_since=unverified_since())
        .select_related("claimant")
        .order_by("unverified_since", "id")
    )


def overdue_since(now=None):
    """Claims unverified since before this time are overdue (NEWSROOM_UNVERIFIED_DAYS)."""
    return (now or timezone.now()) - dt.timedelta(days=settings.NEWSROOM_UNVERIFIED_DAYS)


def article_figures(now=None):
    """Counts of the articles: public now, scheduled, drafts, in review, and those added in
    the last seven days. One count each, so that each reads an index (the status and date
    index, the created_at block index) rather than one pass over the whole table."""
    now = now or timezone.now()
    articles = Article.objects.order_by()
    published = articles.filter(status=workflow.PUBLISHED)
    return {
        "public": published.filter(published_at__lte=Now()).count(),
        "scheduled": published.filter(published_at__gt=Now()).count(),
        "drafts": articles.filter(status=workflow.DRAFT).count(),
        "review": articles.filter(status=workflow.REVIEW).count(),
        "added": articles.filter(created_at__gte=now - WEEK).count(),
    }


def claim_figures(now=None):
    """Counts of the claims, in one pass: public (quoted in a public article), unverified,
    overdue (unverified for NEWSROOM_UNVERIFIED_DAYS or more), added in the last seven days."""
    now = now or timezone.now()
    public = Exists(
        ClaimAppearance.objects.filter(public_article("article__"), claim=OuterRef("pk"))
    )
    unverified = Q(verdict=Claim.Verdict.UNVERIFIED)
    overdue = unverified & Q(unverified_since__lte=overdue_since(now))
    claims = Claim.objects.annotate(is_public=public, unverified_since=unverified_since())
    return claims.aggregate(
        public=Count("pk", filter=Q(is_public=True)),
        unverified=Count("pk", filter=unverified),
        overdue=Count("pk", filter=overdue),
        added=Count("pk", filter=Q(created_at__gte=now - WEEK)),
    )


# What "my changes" lists, by the history's kind: the model and the field that names an item.
MY_KINDS = {
    "article": (Article, "title"),
    "claim": (Claim, "statement"),
    "tag": (Tag, "name_ar"),
    "source": (Source, "name"),
}


@dataclass
class MyChange:
    kind: str
    kind_name: str
    label: str
    name: str
    when: dt.datetime
    url: str | None


def my_changes(user, kinds, limit=SHOWN):
    """The items of `kinds` that `user` last changed in the admin (or through the API), the
    latest first, each once, with a link to its change page (or its history, once deleted).
    Imports are left out: the desk lists them on their own."""
    found = []
    for kind in kinds:
        model, name_field = MY_KINDS[kind]
        events = versions.event_model(versions.KINDS[kind])
        rows = (
            events.objects.filter(pgh_context__metadata__user=user.pk)
            .exclude(pgh_context__metadata__has_key="import_run")
            .annotate(still_there=Exists(model._base_manager.filter(pk=OuterRef("pgh_obj_id"))))
            .order_by("-pgh_created_at", "-pgh_id")
            .values("pgh_obj_id", "pgh_created_at", "pgh_label", name_field, "still_there")
        )
        # Several events of one item: its latest, within a bounded read.
        for row in rows[: limit * 3]:
            found.append((kind, row, name_field))
    found.sort(key=lambda item: item[1]["pgh_created_at"], reverse=True)
    seen, changes = set(), []
    for kind, row, name_field in found:
        key = (kind, row["pgh_obj_id"])
        if key in seen:
            continue
        seen.add(key)
        changes.append(
            MyChange(
                kind=kind,
                kind_name=str(MY_KINDS[kind][0]._meta.verbose_name),
                label=versions.LABELS.get(row["pgh_label"], row["pgh_label"]),
                name=row[name_field],
                when=row["pgh_created_at"],
                url=item_url(kind, row["pgh_obj_id"], row["still_there"]),
            )
        )
        if len(changes) == limit:
            break
    return changes


def item_url(kind, pk, still_there):
    if still_there:
        return reverse(f"admin:archive_{kind}_change", args=[pk])
    if MY_KINDS[kind][0] in versions.UNDELETABLE:
        return reverse(f"admin:archive_{kind}_history", args=[pk])
    return None


# --- the page ---------------------------------------------------------------------------------


def may_view(request, site, model):
    """The admin's own rule for seeing `model`'s list: its ModelAdmin's view permission."""
    return site.is_registered(model) and site.get_model_admin(model).has_view_permission(request)


def desk(request, site):
    """The sections `request.user` may see, as the template's context: None for a section
    the account may not see (not shown at all), a list (perhaps empty) otherwise."""
    now = timezone.now()
    sees_articles = may_view(request, site, Article)
    sees_claims = may_view(request, site, Claim)
    sees_imports = may_view(request, site, ImportRun)
    context = {
        "in_progress": None,
        "scheduled": None,
        "claims": None,
        "imports": None,
        "article_figures": None,
        "claim_figures": None,
        "unverified_days": settings.NEWSROOM_UNVERIFIED_DAYS,
        "week_ago": (now - WEEK).replace(microsecond=0),
    }
    if sees_articles:
        context["in_progress"] = list(articles_in_progress()[:SHOWN])
        context["scheduled"] = list(scheduled_articles()[:SHOWN])
        context["article_figures"] = article_figures(now)
    if sees_claims:
        cutoff = overdue_since(now)
        claims = list(unverified_claims()[:SHOWN])
        for claim in claims:
            claim.days_waiting = (now - claim.unverified_since).days
            claim.overdue = claim.unverified_since <= cutoff
        context["claims"] = claims
        context["claim_figures"] = claim_figures(now)
    if sees_imports:
        runs = site.get_model_admin(ImportRun).get_queryset(request)
        context["imports"] = list(runs.select_related("uploaded_by")[:IMPORTS_SHOWN])
    kinds = [kind for kind, (model, _f) in MY_KINDS.items() if may_view(request, site, model)]
    context["my_changes"] = my_changes(request.user, kinds) if kinds else None
    context["my_changes_url"] = f"{reverse('history_changes')}?user={request.user.pk}"
    return context


def desk_view(request, site):
    """The admin's index with the desk above its list of sections."""
    return site.index(request, extra_context={"desk": desk(request, site)})
