"""The JSON API: /api/articles/ and /api/claims/ take the pages' filter parameters and answer
with the facets; /api/articles/<id>/ and /api/claims/<id>/ answer one item.

Bad parameters answer 400 with {"errors": {field: [message, ...]}}; unknown or unpublished
items answer 404, an article withdrawn after publication 410 (with its `withdrawn_at`). Only
published articles and public claims are ever read."""

from urllib.parse import quote

from django.core.paginator import Paginator
from django.db import connections
from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from . import search
from .filters import ArticleFilter, ClaimFilter
from .models import Article, Tag, verdict_history
from .search.ids import IdArray
from .selectors import public_articles, public_claims, with_verdict_history

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def _positive_int(value, name, errors, *, default, maximum=None):
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        errors[name] = [f"{name} must be a whole number, not {value[:40]!r}."]
        return default
    if number < 1 or (maximum is not None and number > maximum):
        limit = f" and at most {maximum}" if maximum else ""
        errors[name] = [f"{name} must be at least 1{limit}."]
        return default
    return number


def json(data, status=200):
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _page_url(request, number):
    params = request.GET.copy()
    params["page"] = number
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def listing(request, filterset, serialize):
    """A page of a FilterSet's results with its facets, or the 400 that says what is wrong.
    `serialize(request, items)`: the page's items as JSON."""
    errors = {}
    if filterset.is_bound and not filterset.is_valid():
        errors.update(
            {
                field: [e["message"] for e in items]
                for field, items in filterset.errors.get_json_data().items()
            }
        )
    page_number = _positive_int(request.GET.get("page"), "page", errors, default=1)
    page_size = _positive_int(
        request.GET.get("page_size"),
        "page_size",
        errors,
        default=DEFAULT_PAGE_SIZE,
        maximum=MAX_PAGE_SIZE,
    )
    if errors:
        return json({"errors": errors}, status=400)
    results = filterset.qs
    refused = filterset.over_limit()  # the search itself may refuse (limits.TooCostly)
    if refused:
        return json({"errors": refused}, status=400)
    paginator = Paginator(results, page_size)
    last = max(paginator.num_pages, 1)
    if page_number > last:
        return json({"errors": {"page": [f"page must be at most {last}."]}}, status=400)
    page = paginator.page(page_number)
    info = filterset.search_info
    suggestion = None
    if info is not None and (paginator.count < search.SUGGEST_BELOW or info.mode == "any"):
        suggestion = results.search_suggestion()
    estimated = filterset.estimated_count
    return json(
        {
            "count": estimated or paginator.count,
            "count_is_estimate": estimated is not None,
            # With very many matches, results, facets and pages cover the newest of them.
            "results_cover": paginator.count if estimated is not None else None,
            "next": _page_url(request, page.next_page_number()) if page.has_next() else None,
            "previous": (
                _page_url(request, page.previous_page_number()) if page.has_previous() else None
            ),
            "suggestion": suggestion,
            "search": ({"mode": info.mode, "names": info.expansions} if info is not None else None),
            "facets": filterset.facets(),
            "results": serialize(request, list(page.object_list)),
        }
    )


def source_json(source):
    return {"slug": source.slug, "name": source.name, "name_ar": source.name_ar}


def tags_json(tags):
    return [
        {"slug": t.slug, "name_ar": t.name_ar, "name_en": t.name_en, "kind": t.kind} for t in tags
    ]


# What reverse() leaves unquoted in a path (django.urls.resolvers quotes with this set).
PATH_SAFE = "!$&'()*+,;=/~:@"


def article_url(request, article):
    """The absolute URL of an article's page, as request.build_absolute_uri(
    article.get_absolute_url()) gives it. The host and reverse() are worked out once per
    request, each slug then quoted into its place: reverse() checks the URL pattern again for
    each article, most of a result's serialisation."""
    parts = getattr(request, "_article_url_parts", None)
    if parts is None:
        marker = "slug0marker"
        path = reverse("article", args=[marker])
        head, tail = path.split(marker)
        parts = request._article_url_parts = (request.build_absolute_uri(head), tail)
    return parts[0] + quote(article.slug, safe=PATH_SAFE) + parts[1]


def page_tags(articles):
    """{article id: its tags as JSON, by Arabic name} for a page of articles, in one query on
    the database the tags are read from: prefetch_related makes a Tag and a related manager
    for each, much of a request's Python."""
    through, tag = Article.tags.through._meta.db_table, Tag._meta.db_table
    found = {article.pk: [] for article in articles}
    with connections[Tag.objects.db].cursor() as cursor:
        cursor.execute(
            f"SELECT at.article_id, t.slug, t.name_ar, t.name_en, t.kind FROM {through} at"
            f" JOIN {tag} t ON t.id = at.tag_id WHERE at.article_id = ANY(%s::bigint[])"
            " ORDER BY t.name_ar, t.id",
            [IdArray(found)],
        )
        for article_id, slug, name_ar, name_en, kind in cursor.fetchall():
            found[article_id].append(
                {"slug": slug, "name_ar": name_ar, "name_en": name_en, "kind": kind}
            )
    return found


def article_page(request, articles):
    tags = page_tags(articles)
    return [article_summary(request, article, tags[article.pk]) for article in articles]


def article_summary(request, article, tags=None):
    return {
        "id": article.pk,
        "url": article_url(request, article),
        "title": article.title,
        "source": source_json(article.source),
        "published_at": article.published_at.isoformat(),
        "tags": tags_json(article.tags.all()) if tags is None else tags,
        "snippet": getattr(article, "snippet", None),
        "rank": getattr(article, "rank", None),
    }


def claim_json(request, claim):
    return {
        "id": claim.pk,
        "url": request.build_absolute_uri(claim.get_absolute_url()),
        "statement": claim.statement,
        "claimant": tags_json([claim.claimant])[0] if claim.claimant else None,
        "verdict": claim.verdict,
        "verdict_note": claim.verdict_note,
        "quantity": (
            {
                "value": claim.quantity_value,
                "low": claim.quantity_low,
                "high": claim.quantity_high,
                "unit": claim.quantity_unit,
                "approximate": claim.quantity_approximate,
                "as_of": claim.quantity_date.isoformat() if claim.quantity_date else None,
                "display": claim.quantity_display,
            }
            if claim.has_quantity
            else None
        ),
        "tags": tags_json(claim.tags.all()),
        "verdict_history": verdict_history(claim),
        "appearances": [
            {
                "article": article_url(request, a.article),
                "article_id": a.article_id,
                "source": source_json(a.article.source),
                "quote": a.quote,
                "stated_on": a.stated_on.isoformat() if a.stated_on else None,
                "published_at": a.article.published_at.isoformat(),
            }
            for a in claim.appearances.all()
        ],
        "snippet": getattr(claim, "snippet", None),
        "rank": getattr(claim, "rank", None),
    }


@require_safe
def article_list(request):
    # The page's tags come from one query of their own (page_tags), not a prefetch.
    articles = public_articles().prefetch_related(None)
    return listing(request, ArticleFilter(request.GET, queryset=articles), article_page)


@require_safe
def claim_list(request):
    return listing(
        request,
        ClaimFilter(request.GET, queryset=with_verdict_history(public_claims())),
        lambda request, claims: [claim_json(request, claim) for claim in claims],
    )


@require_safe
def article_detail(request, pk):
    article = public_articles().prefetch_related("credited_sources").filter(pk=pk).first()
    if article is None:
        withdrawn = Article.objects.withdrawn().filter(pk=pk).only("withdrawn_at").first()
        if withdrawn is not None:
            when = withdrawn.withdrawn_at.isoformat()
            return json(
                {
                    "errors": {"id": [f"The article with the id {pk} was withdrawn on {when}."]},
                    "withdrawn_at": when,
                },
                status=410,
            )
        return json({"errors": {"id": [f"No published article has the id {pk}."]}}, status=404)
    return json(
        {
            **article_summary(request, article),
            "lead": article.lead,
            "body": article.body,
            "author": article.author,
            "original_url": article.url or None,
            "credited_sources": [source_json(s) for s in article.credited_sources.all()],
            "language": article.language,
            # When its title, lead or body last changed while it was public (else null).
            "revised_at": article.revised_at.isoformat() if article.revised_at else None,
            "claims": [
                {"claim_id": a.claim_id, "quote": a.quote}
                for a in article.claim_appearances.all().order_by("id")
            ],
            "corrections": [
                {"date": c.created_at.isoformat(), "note": c.note}
                for c in article.public_corrections
            ],
        }
    )


@require_safe
def claim_detail(request, pk):
    claim = with_verdict_history(public_claims()).filter(pk=pk).first()
    if claim is None:
        return json({"errors": {"id": [f"No public claim has the id {pk}."]}}, status=404)
    return json(claim_json(request, claim))


def _parameters(filterset_class):
    """The query parameters a listing takes: its FilterSet's, then the paging ones."""
    return [*filterset_class.base_filters, "page", "page_size"]


@require_safe
def index(request):
    """/api/: what the API offers, each endpoint with its address and parameters (read from
    the FilterSets, so that the list cannot fall behind them)."""

    def url(name, *args):
        return request.build_absolute_uri(reverse(name, args=args))

    return json(
        {
            "description": "The published archive as JSON: only published articles and"
            ' public claims. Errors answer 400 with {"errors": {field: [message, ...]}}.',
            "endpoints": {
                "articles": {
                    "url": url("api-articles"),
                    "parameters": _parameters(ArticleFilter),
                    "page_size": {"default": DEFAULT_PAGE_SIZE, "maximum": MAX_PAGE_SIZE},
                },
                "article": {"url": url("api-article", 0).replace("/0/", "/{id}/")},
                "claims": {
                    "url": url("api-claims"),
                    "parameters": _parameters(ClaimFilter),
                    "page_size": {"default": DEFAULT_PAGE_SIZE, "maximum": MAX_PAGE_SIZE},
                },
                "claim": {"url": url("api-claim", 0).replace("/0/", "/{id}/")},
            },
            "feeds": {"articles": url("feed-articles")},
            "exports": {"articles": url("export-articles"), "claims": url("export-claims")},
        }
    )
