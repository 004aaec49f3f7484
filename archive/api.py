"""The JSON API: /api/articles/ (search and list) and /api/articles/<id>/.

Bad parameters answer 400 with {"errors": {field: [message, ...]}}; unknown or unpublished
articles answer 404. Only published articles are ever read."""

from django.core.paginator import Paginator
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from . import search
from .models import Article

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


def _source(source):
    return {"slug": source.slug, "name": source.name, "name_ar": source.name_ar}


def _tags(article):
    return [
        {"slug": t.slug, "name_ar": t.name_ar, "name_en": t.name_en, "kind": t.kind}
        for t in article.tags.all()
    ]


def _page_url(request, number):
    params = request.GET.copy()
    params["page"] = number
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


@require_GET
def article_list(request):
    errors = {}
    q = request.GET.get("q", "").strip()
    sort = request.GET.get("sort") or ("relevance" if q else "newest")
    if sort not in search.SORTS:
        errors["sort"] = [f"sort must be one of {', '.join(search.SORTS)}."]
    page_number = _positive_int(request.GET.get("page"), "page", errors, default=1)
    page_size = _positive_int(
        request.GET.get("page_size"),
        "page_size",
        errors,
        default=DEFAULT_PAGE_SIZE,
        maximum=MAX_PAGE_SIZE,
    )
    if errors:
        return JsonResponse({"errors": errors}, status=400)

    articles = Article.objects.published().select_related("source").prefetch_related("tags")
    if q:
        articles = articles.search(q, sort=sort)
    elif sort == "oldest":
        articles = articles.order_by("published_at", "id")
    paginator = Paginator(articles, page_size)
    if page_number > max(paginator.num_pages, 1):
        return JsonResponse(
            {"errors": {"page": [f"page must be at most {max(paginator.num_pages, 1)}."]}},
            status=400,
        )
    page = paginator.page(page_number)
    info = articles.search_info if q else None
    suggestion = None
    if info is not None and (paginator.count < search.SUGGEST_BELOW or info.mode == "any"):
        suggestion = articles.search_suggestion()
    return JsonResponse(
        {
            "count": paginator.count,
            "next": _page_url(request, page.next_page_number()) if page.has_next() else None,
            "previous": (
                _page_url(request, page.previous_page_number()) if page.has_previous() else None
            ),
            "suggestion": suggestion,
            "search": ({"mode": info.mode, "names": info.expansions} if info is not None else None),
            "results": [
                {
                    "id": article.pk,
                    "url": request.build_absolute_uri(article.get_public_url()),
                    "title": article.title,
                    "source": _source(article.source),
                    "published_at": article.published_at.isoformat(),
                    "tags": _tags(article),
                    "snippet": getattr(article, "snippet", None),
                    "rank": getattr(article, "rank", None),
                }
                for article in page.object_list
            ],
        },
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
def article_detail(request, pk):
    article = (
        Article.objects.published()
        .select_related("source")
        .prefetch_related("tags", "credited_sources")
        .filter(pk=pk)
        .first()
    )
    if article is None:
        return JsonResponse(
            {"errors": {"id": [f"No published article has the id {pk}."]}}, status=404
        )
    return JsonResponse(
        {
            "id": article.pk,
            "url": request.build_absolute_uri(article.get_public_url()),
            "title": article.title,
            "lead": article.lead,
            "body": article.body,
            "author": article.author,
            "original_url": article.url or None,
            "source": _source(article.source),
            "credited_sources": [_source(s) for s in article.credited_sources.all()],
            "published_at": article.published_at.isoformat(),
            "language": article.language,
            "tags": _tags(article),
        },
        json_dumps_params={"ensure_ascii": False},
    )
