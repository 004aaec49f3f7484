"""CSV exports of exactly the filtered result set, streamed row by row."""

import csv
import itertools

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from .filters import ArticleFilter, ClaimFilter
from .selectors import public_articles, public_claims

# import_articles reads these columns by default: an export can be imported elsewhere.
ARTICLE_COLUMNS = [
    "id",
    "url",
    "title",
    "outlet",
    "published_at",
    "language",
    "tags",
    "credited_sources",
    "original_url",
    "author",
    "lead",
    "body",
]
CLAIM_COLUMNS = [
    "id",
    "statement",
    "claimant",
    "verdict",
    "verdict_note",
    "value",
    "at_least",
    "at_most",
    "unit",
    "approximate",
    "figure_as_of",
    "tags",
    "appearances",
]


# A cell a spreadsheet would read as a formula (=HYPERLINK(...), +, -, @, or after a tab or
# a carriage return) gets a leading single quote, OWASP's rule against CSV injection. Only
# text: numbers are written as they are (a negative figure is a number, not a formula).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class Echo:
    def write(self, value):
        return value


def stream(request, filename, header, rows):
    writer = csv.writer(Echo())
    # The first row is read now, before the response starts: a query that fails (past the
    # statement timeout) is then an answer of its own, not a file cut short. HEAD reads none:
    # the servers read the stream through and drop it.
    rows = iter(() if request.method == "HEAD" else rows)
    first = next(rows, None)

    def lines():
        if request.method == "HEAD":
            return
        yield "\ufeff"  # a byte-order mark, so that spreadsheets read the file as UTF-8
        yield writer.writerow(header)
        for values in itertools.chain([first] if first is not None else [], rows):
            yield writer.writerow([cell(value) for value in values])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.csv"'
    return response


def invalid(filterset):
    from django.http import JsonResponse

    return JsonResponse({"errors": filterset.errors.get_json_data()}, status=400)


@require_safe
def articles(request):
    filterset = ArticleFilter(
        request.GET, queryset=public_articles().prefetch_related("credited_sources")
    )
    # The search runs here, before the stream starts: a refusal is still a 400.
    if filterset.is_bound and (not filterset.is_valid() or filterset.over_limit()):
        return invalid(filterset)

    def rows():
        for article in filterset.qs.iterator(chunk_size=500):
            yield [
                article.pk,
                request.build_absolute_uri(article.get_absolute_url()),
                article.title,
                article.source.name,
                article.published_at.isoformat(),
                article.language,
                "; ".join(t.name_ar for t in article.tags.all()),
                "; ".join(s.name for s in article.credited_sources.all()),
                article.url,
                article.author,
                article.lead,
                article.body,
            ]

    return stream(request, "articles", ARTICLE_COLUMNS, rows())


@require_safe
def claims(request):
    filterset = ClaimFilter(request.GET, queryset=public_claims())
    if filterset.is_bound and (not filterset.is_valid() or filterset.over_limit()):
        return invalid(filterset)

    def rows():
        for claim in filterset.qs.iterator(chunk_size=500):
            yield [
                claim.pk,
                claim.statement,
                claim.claimant.name_ar if claim.claimant else "",
                claim.verdict,
                claim.verdict_note,
                claim.quantity_value if claim.quantity_value is not None else "",
                claim.quantity_low if claim.quantity_low is not None else "",
                claim.quantity_high if claim.quantity_high is not None else "",
                claim.quantity_unit,
                claim.quantity_approximate,
                claim.quantity_date or "",
                "; ".join(t.name_ar for t in claim.tags.all()),
                " ".join(
                    request.build_absolute_uri(a.article.get_absolute_url())
                    for a in claim.appearances.all()
                ),
            ]

    return stream(request, "claims", CLAIM_COLUMNS, rows())
