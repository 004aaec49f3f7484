"""One FilterSet per listing: the same parameters serve the pages, the API, the feeds and the
exports. Values within a parameter widen (source=a&source=b: either outlet; verdict likewise);
tags narrow (tag=a&tag=b: articles with both). Bad values are form errors: pages show them and
ignore the parameter, the API answers 400."""

import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import limits, search
from .facets import article_facets_of, claim_facets_of
from .models import (
    Article,
    Claim,
    ClaimAppearance,
    Language,
    Source,
    Tag,
    TagAlias,
    control_character_problem,
)

YES_NO = [("true", _("Yes")), ("false", _("No"))]
SORT_CHOICES = [
    ("relevance", _("Relevance")),
    ("newest", _("Newest first")),
    ("oldest", _("Oldest first")),
]


def find_tag(value):
    """The tag a reader means by `value`: its slug, one of its names or an alias."""
    value = " ".join(value.split())
    if not value:
        return None
    tag = Tag.objects.filter(
        Q(slug=value) | Q(name_ar__iexact=value) | Q(name_en__iexact=value)
    ).first()
    if tag is None:
        alias = TagAlias.objects.filter(name__iexact=value).select_related("tag").first()
        tag = alias.tag if alias else None
    if tag is None:
        key = search.search_key_of(value)
        if key:
            tag = Tag.objects.with_search_keys([key]).get(key)
    return tag


def midnight(day):
    """The first instant of a day in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class TagsField(forms.Field):
    """Several tags, each named by slug, name or alias; an unknown one is an error that says
    which."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        # Counted before any is looked up; a repeated value counts, as it is looked up again.
        limits.check_tags(self.label, sum(1 for raw in values if str(raw).strip()))
        tags, unknown = [], []
        for raw in values:
            raw = str(raw)[:200]
            if not raw.strip():
                continue
            problem = control_character_problem(raw)
            if problem:  # no name holds one, and PostgreSQL refuses NUL in a query
                raise forms.ValidationError(problem, code="control_character")
            tag = find_tag(raw)
            if tag is None:
                unknown.append(raw)
            elif tag not in tags:
                tags.append(tag)
        if unknown:
            raise forms.ValidationError(
                _("No tag is called %(names)s.") % {"names": "، ".join(f"«{u}»" for u in unknown)},
                code="unknown_tag",
            )
        return tags


class TagsFilter(django_filters.Filter):
    field_class = TagsField

    def __init__(self, *args, through, **kwargs):
        self.through = through
        super().__init__(*args, **kwargs)

    def filter(self, qs, tags):
        for tag in tags or []:
            qs = qs.filter(**{self.through: tag})
        return qs


class SearchFilterSet(django_filters.FilterSet):
    """q and sort are applied last: the search ranks what the other filters kept."""

    q = django_filters.CharFilter(method="keep", label=_("Search"), validators=[limits.check_query])
    sort = django_filters.ChoiceFilter(
        method="keep", choices=SORT_CHOICES, label=_("Sort"), empty_label=None
    )
    date_from = django_filters.DateFilter(method="keep", label=_("From"))
    date_to = django_filters.DateFilter(method="keep", label=_("To"))

    default_order = ["-id"]
    _form_classes = {}  # {FilterSet class: its form class}, see get_form_class

    def get_form_class(self):
        # Made once a FilterSet class rather than once a request (django-filter builds every
        # filter's form field and a new class each time); a form copies its class's fields
        # when it is made, as any Django form does, so sharing the class shares nothing.
        form_class = self._form_classes.get(type(self))
        if form_class is None:
            form_class = self._form_classes[type(self)] = super().get_form_class()
        return form_class

    def keep(self, queryset, name, value):
        return queryset

    def clean_dates(self, queryset, field):
        return queryset.filter(**self.date_range(field))

    def date_range(self, field):
        """The reader's days as a range of instants (from the first day's midnight to the
        midnight after the last, in the site's time zone): a range the date index can serve
        and the planner can estimate, where `field__date` would cast every row."""
        data = self.form.cleaned_data
        conditions = {}
        if data.get("date_from"):
            conditions[f"{field}__gte"] = midnight(data["date_from"])
        if data.get("date_to") and data["date_to"] < datetime.date.max:
            conditions[f"{field}__lt"] = midnight(data["date_to"] + datetime.timedelta(days=1))
        return conditions

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        query = (data.get("q") or "").strip()
        sort = data.get("sort") or ("relevance" if query else "newest")
        if query:
            try:
                return queryset.search(query, sort=sort)
            except limits.TooCostly as refusal:  # as any bad parameter: shown, and ignored
                self.form.add_error("q", refusal.error)
                sort = "oldest" if sort == "oldest" else "newest"
        if hasattr(queryset, "listing"):
            return queryset.listing(sort)
        if sort == "oldest":
            return queryset.order_by(*[o.lstrip("-") for o in self.default_order])
        return queryset.order_by(*self.default_order)

    def over_limit(self):
        """{field: [message, ...]} of the parameters over one of limits' caps, once the
        search itself has run (it may find its phrases too costly to test)."""
        if not self.is_bound:
            return {}
        self.qs  # noqa: B018 (runs the search)
        return limits.over_limit(self.form)

    @property
    def estimated_count(self):
        """The estimate of all results when the candidates are not all of them (see
        archive/search/execution.py)."""
        return getattr(self.qs, "estimated_count", None)

    @property
    def search_info(self):
        return getattr(self.qs, "search_info", None)

    def is_searching(self):
        return bool(self.is_bound and self.form.is_valid() and self.form.cleaned_data.get("q"))


class ArticleFilter(SearchFilterSet):
    # By id, without a join or DISTINCT: the planner can then combine the outlet's index with
    # the text index.
    source = django_filters.ModelMultipleChoiceFilter(
        method="filter_source",
        to_field_name="slug",
        queryset=Source.objects.all(),
        label=_("Outlet"),
    )
    tag = TagsFilter(through="tags", label=_("Tag"))
    verdict = django_filters.MultipleChoiceFilter(
        method="filter_verdict", choices=Claim.Verdict.choices, label=_("Claim verdict")
    )
    language = django_filters.ChoiceFilter(choices=Language.choices, label=_("Language"))
    has_claims = django_filters.ChoiceFilter(
        method="filter_has_claims", choices=YES_NO, label=_("Has claims")
    )

    default_order = ["-published_at", "-id"]

    class Meta:
        model = Article
        fields = []

    def filter_source(self, queryset, name, sources):
        if isinstance(sources, QuerySet) and sources.query.is_empty():
            return queryset  # no outlet chosen (the field's none()): nothing to evaluate
        return queryset.filter(source__in=sources) if sources else queryset

    def filter_verdict(self, queryset, name, values):
        if not values:
            return queryset
        return queryset.filter(
            Exists(
                ClaimAppearance.objects.filter(article=OuterRef("pk"), claim__verdict__in=values)
            )
        )

    def filter_has_claims(self, queryset, name, value):
        if not value:
            return queryset
        claims = Exists(ClaimAppearance.objects.filter(article=OuterRef("pk")))
        return queryset.filter(claims if value == "true" else ~claims)

    def filter_queryset(self, queryset):
        queryset = self.clean_dates(queryset, "published_at")
        return super().filter_queryset(queryset)

    def facets(self, limit=15):
        """Counts within the current results: {"source": [...], "tag": [...], "verdict": [...]},
        each item {"value", "label", "count"}, most common first."""
        return article_facets_of(self.qs, limit)


class ClaimFilter(SearchFilterSet):
    verdict = django_filters.MultipleChoiceFilter(
        field_name="verdict", choices=Claim.Verdict.choices, label=_("Verdict")
    )
    claimant = TagsFilter(through="claimant", label=_("Claimant"))
    tag = TagsFilter(through="tags", label=_("Tag"))
    numeric = django_filters.ChoiceFilter(
        method="filter_numeric", choices=YES_NO, label=_("Figures only")
    )

    default_order = ["-updated_at", "-id"]

    class Meta:
        model = Claim
        fields = []

    def filter_numeric(self, queryset, name, value):
        if not value:
            return queryset
        figure = (
            Q(quantity_value__isnull=False)
            | Q(quantity_low__isnull=False)
            | Q(quantity_high__isnull=False)
        )
        return queryset.filter(figure if value == "true" else ~figure)

    def facets(self, limit=15):
        return claim_facets_of(self.qs, limit)

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        if data.get("date_from") or data.get("date_to"):
            stated = ClaimAppearance.objects.published().filter(
                claim=OuterRef("pk"), **self.date_range("article__published_at")
            )
            queryset = queryset.filter(Exists(stated))
        return super().filter_queryset(queryset)
