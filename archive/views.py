"""The public archive's pages. Every one starts from .published(); staff may preview a draft."""

import json

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import search
from . import timeline as charts
from .claim_tracking import public_related_claims
from .filters import ArticleFilter, ClaimFilter
from .models import Article, Claim, Source, Tag
from .selectors import (
    claims_quoted_by,
    public_articles,
    public_claims,
    with_review_dates,
    with_verdict_history,
)

PAGE_SIZE = 20


def page_of(request, queryset, size=PAGE_SIZE):
    """The requested page; a bad or too large page number gives the nearest real page, and
    `page.not_found` keeps what was asked for, so that the page can say it is not that one."""
    asked = request.GET.get("page", "")
    page = Paginator(queryset, size).get_page(asked)
    page.not_found = asked[:20] if asked.strip() and asked.strip() != str(page.number) else ""
    return page


def toggle_url(request, name, value):
    """The current URL with `value` added to or removed from parameter `name` (page reset)."""
    params = request.GET.copy()
    params.pop("page", None)
    values = params.getlist(name)
    if value in values:
        values.remove(value)
    else:
        values.append(value)
    params.setlist(name, values)
    return "?" + params.urlencode()


def hidden_filters(request, filterset, names):
    """The facet choices, as (name, value) pairs the search form carries along; a parameter
    the page refused (and ignored) is not sent again."""
    refused = filterset.form.errors
    return [
        (name, value)
        for name in names
        if name not in refused
        for value in request.GET.getlist(name)
    ]


def filters_in_use(request, filterset, names):
    """How many of the folded filters (`names`) apply (set, and understood): the closed
    panel's summary says so, since on a phone the results come before an open panel would."""
    refused = filterset.form.errors
    return sum(1 for name in names if request.GET.get(name, "").strip() and name not in refused)


def facet_links(request, facets):
    """The FilterSet's facets with, for each value, whether it is chosen and the URL that
    toggles it."""
    return {
        name: [
            {
                **item,
                "selected": item["value"] in request.GET.getlist(name),
                "url": toggle_url(request, name, item["value"]),
            }
            for item in items
        ]
        for name, items in facets.items()
    }


@require_safe
def index(request):
    """The archive: search, filters, facets and results."""
    filterset = ArticleFilter(request.GET, queryset=public_articles())
    results = filterset.qs
    page = page_of(request, results)
    suggestion = None
    info = filterset.search_info
    if info is not None and (page.paginator.count < search.SUGGEST_BELOW or info.mode == "any"):
        suggestion = results.search_suggestion()
    return render(
        request,
        "archive/index.html",
        {
            "filterset": filterset,
            "page": page,
            "facets": facet_links(request, filterset.facets()),
            "estimated_count": filterset.estimated_count,
            "hidden": hidden_filters(request, filterset, ["source", "tag", "verdict"]),
            "filters_in_use": filters_in_use(
                request, filterset, ["date_from", "date_to", "language", "has_claims"]
            ),
            "search": info,
            "suggestion": suggestion,
            "suggestion_url": (
                "?" + _replace(request, q=suggestion["query"]) if suggestion else None
            ),
            "feed_url": reverse("feed-articles") + _query(request),
            "csv_url": reverse("export-articles") + _query(request),
        },
        status=400 if filterset.over_limit() else 200,
    )


def _query(request):
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return "?" + encoded if encoded else ""


def _replace(request, **values):
    params = request.GET.copy()
    params.pop("page", None)
    for key, value in values.items():
        params[key] = value
    return params.urlencode()


# Inside <script>, "</script>" ends the block and "<!--<script>" makes the parser miss its
# end: no <, > or & may stand as such in JSON-LD (they are written as JSON escapes).
JSON_LD_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def json_ld(data):
    """`data` as JSON to write inside <script type="application/ld+json">."""
    return json.dumps(data, ensure_ascii=False).translate(JSON_LD_ESCAPES)


def visible_article(request, slug):
    """A published article, or any article for staff who may preview it (from the admin)."""
    articles = Article.objects.select_related("source").prefetch_related("tags", "credited_sources")
    user = request.user
    if not (user.is_active and user.is_staff and user.has_perm("archive.view_article")):
        articles = articles.published()
    return get_object_or_404(articles, slug=slug)


def withdrawn_article(request, slug):
    """410 Gone for an article withdrawn after it had been public: it says so, and when (in
    Arabic and English, whatever the interface's language); otherwise 404."""
    withdrawn = get_object_or_404(Article.objects.withdrawn().only("withdrawn_at"), slug=slug)
    context = {"withdrawn_at": withdrawn.withdrawn_at}
    return render(request, "archive/withdrawn.html", context, status=410)


@require_safe
def article(request, slug):
    try:
        article = visible_article(request, slug)
    except Http404:
        return withdrawn_article(request, slug)
    claims = with_review_dates(Claim.objects.select_related("claimant"))
    appearances = article.claim_appearances.prefetch_related(Prefetch("claim", queryset=claims))
    appearances = list(appearances.order_by("id"))
    claims_here = claims_in(appearances)
    corrections = list(article.public_corrections)
    return render(
        request,
        "archive/article.html",
        {
            "article": article,
            "corrections": corrections,
            "updated": article.last_public_update(corrections),
            "preview": not article.is_published,
            "paragraphs": article.paragraphs_with_quotes(appearances),
            "claims_here": claims_here,
            "related": article.related()[:5],
            "claim_reviews": json_ld(
                [
                    item["claim"].claim_review(request, article)
                    for item in claims_here
                    if item["claim"].verdict != Claim.Verdict.UNVERIFIED
                ]
            ),
            "canonical": request.build_absolute_uri(article.get_absolute_url()),
        },
    )


def claims_in(appearances):
    """Each claim of an article once, in the order it first appears, with its appearances
    (a claim may be quoted several times in one article)."""
    grouped = {}
    for appearance in appearances:
        grouped.setdefault(appearance.claim_id, []).append(appearance)
    return [{"claim": group[0].claim, "appearances": group} for group in grouped.values()]


def demo_timeline_tag():
    """The tag whose figures the claims page charts when the reader chose none (a setting;
    none when it is empty or names no tag)."""
    slug = settings.NEWSROOM_TIMELINE_TAG
    return Tag.objects.filter(slug=slug).first() if slug else None


@require_safe
def claims(request):
    """The claims explorer, and the timeline of the figures of the chosen (or demo) tag."""
    filterset = ClaimFilter(request.GET, queryset=public_claims())
    results = filterset.qs
    chosen = filterset.form.cleaned_data.get("tag") if filterset.is_bound else None
    chart_tag = chosen[0] if chosen else demo_timeline_tag()
    return render(
        request,
        "archive/claims.html",
        {
            "filterset": filterset,
            "page": page_of(request, results),
            "facets": facet_links(request, filterset.facets()),
            "hidden": hidden_filters(request, filterset, ["verdict", "claimant", "tag"]),
            "filters_in_use": filters_in_use(
                request, filterset, ["date_from", "date_to", "numeric"]
            ),
            "search": filterset.search_info,
            "chart": charts.timeline(chart_tag) if chart_tag else None,
            "chart_tag": chart_tag,
            "csv_url": reverse("export-claims") + _query(request),
        },
        status=400 if filterset.over_limit() else 200,
    )


@require_safe
def claim(request, pk):
    claim = get_object_or_404(with_verdict_history(public_claims()), pk=pk)
    articles = [a.article for a in claim.appearances.all()]
    review = None
    if claim.verdict != Claim.Verdict.UNVERIFIED and articles:
        review = json_ld(claim.claim_review(request, *articles))
    return render(
        request,
        "archive/claim.html",
        {"claim": claim, "claim_review": review, "related": public_related_claims(claim)},
    )


@require_safe
def source(request, slug):
    source = get_object_or_404(Source, slug=slug)
    articles = public_articles().filter(source=source)
    if (
        not articles.exists()
        and not Article.objects.published().filter(credited_sources=source).exists()
    ):
        raise Http404
    return render(
        request,
        "archive/source.html",
        {
            "source": source,
            "page": page_of(request, articles),
            "credited": public_articles().filter(credited_sources=source)[:10],
            "claims": claims_quoted_by(source)[:20],
        },
    )


@require_safe
def tag(request, slug):
    tag = get_object_or_404(Tag.objects.prefetch_related("aliases"), slug=slug)
    articles = public_articles().filter(tags=tag)
    claims = public_claims().filter(tags=tag) | public_claims().filter(claimant=tag)
    if not articles.exists() and not claims.exists():
        raise Http404
    return render(
        request,
        "archive/tag.html",
        {
            "tag": tag,
            "page": page_of(request, articles),
            "claims": claims.distinct()[:20],
            "chart": charts.timeline(tag),
        },
    )


@require_safe
def favicon(request):
    """/favicon.ico, which browsers and feed readers ask for whatever the page names: the
    archive's icon (an SVG, which they take under any name)."""
    return redirect(static("archive/favicon.svg"), permanent=False)


@require_safe
def robots(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/",
        "Disallow: /export/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def not_found(request, exception=None):
    return render(request, "404.html", {"message": _("This page does not exist.")}, status=404)
