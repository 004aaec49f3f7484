"""The admin's lists of articles and claims, made readable: counts read with the page (one
subquery per column, not one query per row), a claim's figure as a reader says it in the
interface's language, the verdict as a badge that says it in words, and the figure filter."""

import re
from decimal import Decimal, InvalidOperation

from django.contrib import admin, messages
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .admin_text import user_text
from .models import Article, ClaimAppearance, public_article


def count_of(rows, outer, counted="pk"):
    """How many of `rows` point at the outer row through the field `outer`, as a correlated
    subquery: PostgreSQL counts for the rows of the page only, not for the whole table."""
    rows = rows.filter(**{outer: OuterRef("pk")}).order_by().values(outer)
    return Coalesce(Subquery(rows.annotate(n=Count(counted, distinct=True)).values("n")), 0)


def figure_number(value):
    """A figure's number in the interface's language, grouped: 12,000 or 12٬000, 2.5 or 2٫5
    (never 12000.0000)."""
    if isinstance(value, Decimal):
        value = value.normalize()
    return number_format(value, use_l10n=True, force_grouping=True)


def figure_display(claim):
    """The claim's figure with its unit, as Claim.quantity_display says it, its numbers in the
    interface's language: "about 12,000 soldiers", "10,000–12,000 soldiers"; "" for none."""
    value, low, high = claim.quantity_value, claim.quantity_low, claim.quantity_high
    if value is not None:
        text = figure_number(value)
    elif low is not None and high is not None:
        text = f"{figure_number(low)}–{figure_number(high)}"
    elif low is not None:
        text = gettext("more than %s") % figure_number(low)
    elif high is not None:
        text = gettext("up to %s") % figure_number(high)
    else:
        return ""
    if claim.quantity_approximate:
        text = gettext("about %s") % text
    return f"{text} {claim.quantity_unit}".strip()


def verdict_badge(claim):
    """The verdict in words on its colour (the public pages' colours): never colour alone."""
    return format_html(
        '<span class="verdict verdict-{}">{}</span>', claim.verdict, claim.get_verdict_display()
    )


class PublicClaimFilter(admin.SimpleListFilter):
    """Claims by whether readers see them: quoted in an article public now, or not (yet)."""

    title = _("publication")
    parameter_name = "public"

    def lookups(self, request, model_admin):
        return [("yes", _("Public")), ("no", _("Not public"))]

    def queryset(self, request, queryset):
        public = Exists(
            ClaimAppearance.objects.filter(public_article("article__"), claim=OuterRef("pk"))
        )
        if self.value() == "yes":
            return queryset.filter(public)
        if self.value() == "no":
            return queryset.filter(~public)
        return queryset


# Digits an editor may type in a bound (Arabic-Indic and Persian ones too), and the grouping
# marks they may type with them: 12,000, 12٬000, 12 000, ١٢٬٠٠٠.
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫", "01234567890123456789.")
GROUPING = re.compile(r"[,\u066c\s\u00a0\u202f_']")


def parse_bound(text):
    """The number an editor typed as a bound of the figure range; ValueError if none."""
    cleaned = GROUPING.sub("", text.translate(DIGITS))
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(text) from None
    if not number.is_finite() or abs(number) >= Decimal(10) ** 16:
        raise ValueError(text)
    return number


class FigureFilter(admin.SimpleListFilter):
    """Claims with a figure, or without, and with a figure within a range: ?figure=yes,
    ?figure_min=10000&figure_max=15000. A range claim (10,000–12,000, "more than 10,000")
    is within when it overlaps the range asked for. A bound that is not a number is named
    in an error message and left out; the list shows what the other parameters select."""

    title = _("figure")
    parameter_name = "figure"
    template = "admin/archive/figure_filter.html"
    MIN, MAX = "figure_min", "figure_max"

    def __init__(self, request, params, model, model_admin):
        self.bounds, self.typed, self.errors = {}, {}, {}
        for name in (self.MIN, self.MAX):
            if name in params:
                text = params.pop(name)[-1].strip()
                self.typed[name] = text
                if text:
                    try:
                        self.bounds[name] = parse_bound(text)
                    except ValueError:
                        self.errors[name] = gettext(
                            "“%(text)s” is not a number: the figure range's %(end)s bound was"
                            " left out. Type digits, e.g. 12000 or 12,000."
                        ) % {"text": text, "end": self.end_name(name)}
        low, high = self.bounds.get(self.MIN), self.bounds.get(self.MAX)
        if low is not None and high is not None and low > high:
            self.errors[self.MAX] = gettext(
                "The figure range's upper bound (%(high)s) is below its lower bound (%(low)s):"
                " the range was left out."
            ) % {"high": self.typed[self.MAX], "low": self.typed[self.MIN]}
            self.bounds = {}
        for error in self.errors.values():
            messages.error(request, error)
        super().__init__(request, params, model, model_admin)
        # Counted as the filter's parameters, so that the list says it is filtered.
        self.used_parameters.update(self.typed)

    @staticmethod
    def end_name(name):
        return gettext("lower") if name == FigureFilter.MIN else gettext("upper")

    def lookups(self, request, model_admin):
        return [("yes", _("With a figure")), ("no", _("Without a figure"))]

    def expected_parameters(self):
        return [self.parameter_name, self.MIN, self.MAX]

    def choices(self, changelist):
        # The links keep the range; "All" drops it too.
        yield {
            "selected": self.value() is None and not self.typed,
            "query_string": changelist.get_query_string(remove=self.expected_parameters()),
            "display": _("All"),
        }
        for value, label in self.lookup_choices:
            # "Without a figure" has no range to keep.
            dropped = [self.MIN, self.MAX] if value == "no" else []
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}, dropped),
                "display": label,
            }

    def hidden_parameters(self):
        """The list's other parameters, for the range form to send again."""
        skip = {*self.expected_parameters(), "p", "e"}
        return [
            (key, value)
            for key, values in self.request.GET.lists()
            if key not in skip
            for value in values
        ]

    def queryset(self, request, queryset):
        has_figure = (
            Q(quantity_value__isnull=False)
            | Q(quantity_low__isnull=False)
            | Q(quantity_high__isnull=False)
        )
        if self.value() == "yes" or self.bounds:
            queryset = queryset.filter(has_figure)
        elif self.value() == "no":
            queryset = queryset.exclude(has_figure)
        low, high = self.bounds.get(self.MIN), self.bounds.get(self.MAX)
        if low is not None:
            # Its top (the value, or the range's upper end; none: open upwards) reaches low.
            queryset = queryset.filter(
                Q(quantity_value__gte=low)
                | Q(quantity_value__isnull=True, quantity_high__gte=low)
                | Q(quantity_value__isnull=True, quantity_high__isnull=True)
            )
        if high is not None:
            queryset = queryset.filter(
                Q(quantity_value__lte=high)
                | Q(quantity_value__isnull=True, quantity_low__lte=high)
                | Q(quantity_value__isnull=True, quantity_low__isnull=True)
            )
        return queryset


class ArticleListColumns:
    """ArticleAdmin's list: the title (its own direction, two lines at most), the outlet, the
    date, the status, and how many tags and claims, counted with the page."""

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                tag_count=count_of(Article.tags.through.objects, "article"),
                claim_count=count_of(ClaimAppearance.objects, "article", "claim"),
            )
        )

    @admin.display(description=_("title"), ordering="title")
    def title_cell(self, article):
        return user_text(article.title, "clamp")

    @admin.display(description=_("outlet"), ordering="source__name")
    def outlet(self, article):
        # In the interface's language, both names in its title; a text that wraps (Django
        # keeps a foreign key's column on one line).
        source = article.source
        return format_html('<span dir="auto" title="{}">{}</span>', source, source.display_name)

    @admin.display(description=_("tags"), ordering="tag_count")
    def tag_count(self, article):
        return article.tag_count

    @admin.display(description=_("claims"), ordering="claim_count")
    def claim_count(self, article):
        return article.claim_count


class ClaimListColumns:
    """ClaimAdmin's list: the statement (two lines at most), the claimant, the verdict as a
    badge, the figure with its unit, the appearances counted with the page, the last change."""

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(appearance_count=count_of(ClaimAppearance.objects, "claim"))
        )

    @admin.display(description=_("statement"), ordering="statement")
    def short_statement(self, claim):
        return user_text(claim.statement, "clamp")

    @admin.display(description=_("claimant"), ordering="claimant__name_ar")
    def claimant_name(self, claim):
        # In the interface's language; both names in its title (the filter lists both).
        if claim.claimant is None:
            return "—"
        return format_html(
            '<span dir="auto" title="{}">{}</span>', claim.claimant, claim.claimant.display_name
        )

    @admin.display(description=_("verdict"), ordering="verdict")
    def verdict_cell(self, claim):
        return verdict_badge(claim)

    @admin.display(description=_("figure"))
    def figure(self, claim):
        return figure_display(claim) or "—"

    @admin.display(description=_("appearances"), ordering="appearance_count")
    def appearance_count(self, claim):
        return claim.appearance_count

    @admin.display(description=_("last changed"), ordering="updated_at")
    def changed_on(self, claim):
        return date_format(timezone.localtime(claim.updated_at), "DATE_FORMAT")
