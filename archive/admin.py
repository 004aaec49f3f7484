"""The editors' admin: articles with their claims inline, claims with their appearances, tags
with their other spellings, and sources."""

import tempfile
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import imports, search
from .models import Article, Claim, ClaimAppearance, ClaimEvidence, Source, Tag, TagAlias

MAX_UPLOAD = 10 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV or JSON Lines, gzipped or not, up to 10 MB (use `manage.py import_articles` "
            "for larger files)."
        ),
    )
    field_map = forms.CharField(
        label=_("Field map"),
        required=False,
        help_text=_(
            "target=field pairs, e.g. title=title,body=text,source=src,published_at=time_iso."
            " Empty: the columns of this archive's own CSV export."
        ),
        widget=forms.TextInput(attrs={"size": 90, "dir": "ltr"}),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=Article.Status.choices, initial=Article.Status.PUBLISHED
    )
    update = forms.BooleanField(label=_("Update articles already in the archive"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(
                _("This file is larger than 10 MB: import it with manage.py import_articles.")
            )
        try:
            imports.file_format(upload.name)
        except imports.ImportError_:
            raise forms.ValidationError(
                _("The file name must end in .csv, .jsonl, .ndjson or .json (optionally .gz).")
            ) from None
        return upload

    def clean(self):
        data = super().clean()
        try:
            data["mapping"] = imports.parse_map(data.get("field_map", ""))
        except imports.ImportError_ as exc:
            self.add_error("field_map", str(exc))
        return data


admin.site.site_header = _("Newsroom archive")
admin.site.site_title = _("Newsroom archive")
admin.site.index_title = _("Editorial desk")


# A link typed without a scheme is taken as https (Django 6's default).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class EditorTrackingAdmin(admin.ModelAdmin):
    """Records who changed an object last."""

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ["name", "name_ar", "kind", "country", "language", "article_count"]
    list_filter = ["kind", "language", "country"]
    search_fields = ["name", "name_ar", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        # An aggregate drops Meta.ordering; keep it for the autocomplete's pagination.
        return (
            super()
            .get_queryset(request)
            .annotate(article_count=Count("articles"))
            .order_by(*Source._meta.ordering)
        )

    @admin.display(description=_("articles"), ordering="article_count")
    def article_count(self, obj):
        return obj.article_count


class TagAliasInline(admin.TabularInline):
    model = TagAlias
    extra = 2


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name_ar", "name_en", "kind", "alias_list", "article_count"]
    list_filter = ["kind"]
    search_fields = ["name_ar", "name_en", "aliases__name", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    inlines = [TagAliasInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(article_count=Count("articles", distinct=True))
            .prefetch_related("aliases")
            .order_by(*Tag._meta.ordering)
        )

    @admin.display(description=_("aliases"))
    def alias_list(self, obj):
        return "، ".join(alias.name for alias in obj.aliases.all())

    @admin.display(description=_("articles"), ordering="article_count")
    def article_count(self, obj):
        return obj.article_count


class ArticleAppearanceInline(admin.StackedInline):
    model = ClaimAppearance
    fk_name = "article"
    extra = 0
    autocomplete_fields = ["claim"]
    fields = ["claim", "quote", "stated_on"]
    verbose_name = _("claim in this article")
    verbose_name_plural = _("claims in this article")


@admin.register(Article)
class ArticleAdmin(EditorTrackingAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ["title", "source", "published_at", "status", "claim_count"]
    list_display_links = ["title"]
    list_filter = ["status", "source", ("tags", admin.RelatedOnlyFieldListFilter), "published_at"]
    list_select_related = ["source"]
    search_fields = ["title", "lead", "url", "slug"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["source", "credited_sources", "tags"]
    readonly_fields = ["created_at", "updated_at", "updated_by"]
    inlines = [ArticleAppearanceInline]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["title", "lead", "body"]}),
        (
            _("Publication"),
            {
                "fields": [
                    "status",
                    "published_at",
                    "source",
                    "credited_sources",
                    "author",
                    "url",
                    "slug",
                    "language",
                ]
            },
        ),
        (_("Tags"), {"fields": ["tags"]}),
        (
            _("History"),
            {"fields": ["created_at", "updated_at", "updated_by"], "classes": ["collapse"]},
        ),
    ]

    change_list_template = "admin/archive/article/change_list.html"

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="archive_article_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Import a small CSV or JSON Lines file, under the rules of import_articles."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        summary = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            suffix = "".join(Path(upload.name).suffixes[-2:]).lower()
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / f"upload{suffix}"
                with open(path, "wb") as handle:
                    for chunk in upload.chunks():
                        handle.write(chunk)
                try:
                    summary = imports.import_file(
                        path,
                        form.cleaned_data["mapping"],
                        status=form.cleaned_data["status"],
                        update=form.cleaned_data["update"],
                        quiet=True,
                        rejects_path=Path(folder) / "rejects.jsonl",
                    )
                except imports.ImportError_ as exc:
                    form.add_error("file", str(exc).replace(str(path), upload.name))
            if summary is not None:
                summary.rejects_path = None
                if summary.created or summary.updated:
                    search.refresh_vocabulary()
                self.message_user(request, _("Import finished: %s") % summary, messages.SUCCESS)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import articles"),
            "form": form,
            "summary": summary,
        }
        return TemplateResponse(request, "admin/archive/article/import.html", context)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(claim_count=Count("claim_appearances__claim", distinct=True))
            .order_by(*Article._meta.ordering)
        )

    @admin.display(description=_("claims"), ordering="claim_count")
    def claim_count(self, obj):
        return obj.claim_count

    def _set_status(self, request, queryset, status):
        # The list's queryset carries a count annotation; update plain rows by id.
        ids = list(queryset.exclude(status=status).values_list("pk", flat=True))
        return Article.objects.filter(pk__in=ids).update(
            status=status, updated_by=request.user, updated_at=timezone.now()
        )

    @admin.action(description=_("Publish the selected articles"), permissions=["change"])
    def publish(self, request, queryset):
        count = self._set_status(request, queryset, Article.Status.PUBLISHED)
        self.message_user(
            request,
            ngettext("%d article published.", "%d articles published.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Unpublish the selected articles (back to draft)"), permissions=["change"]
    )
    def unpublish(self, request, queryset):
        count = self._set_status(request, queryset, Article.Status.DRAFT)
        self.message_user(
            request,
            ngettext("%d article returned to draft.", "%d articles returned to draft.", count)
            % count,
            messages.SUCCESS,
        )


class ClaimAppearanceInline(admin.StackedInline):
    model = ClaimAppearance
    fk_name = "claim"
    extra = 1
    autocomplete_fields = ["article"]
    fields = ["article", "quote", "stated_on"]


class ClaimEvidenceInline(admin.TabularInline):
    model = ClaimEvidence
    formfield_overrides = URL_FIELDS
    extra = 1


@admin.register(Claim)
class ClaimAdmin(EditorTrackingAdmin):
    list_display = ["short_statement", "claimant", "verdict", "quantity", "appearance_count"]
    list_filter = [
        "verdict",
        ("claimant", admin.RelatedOnlyFieldListFilter),
        ("tags", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["claimant"]
    search_fields = [
        "statement",
        "slug",
        "claimant__name_ar",
        "claimant__name_en",
        "appearances__quote",
    ]
    autocomplete_fields = ["claimant", "tags"]
    readonly_fields = ["created_at", "updated_at", "updated_by"]
    inlines = [ClaimAppearanceInline, ClaimEvidenceInline]
    fieldsets = [
        (None, {"fields": ["statement", "slug", "claimant", "tags"]}),
        (_("Verdict"), {"fields": ["verdict", "verdict_note"]}),
        (
            _("Figure"),
            {
                "fields": [
                    "quantity_value",
                    ("quantity_low", "quantity_high"),
                    "quantity_unit",
                    "quantity_approximate",
                    "quantity_date",
                ],
                "description": _(
                    "For numeric claims: one value, or a range (leave one end empty for "
                    "“more than” or “up to”)."
                ),
            },
        ),
        (
            _("History"),
            {"fields": ["created_at", "updated_at", "updated_by"], "classes": ["collapse"]},
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(appearance_count=Count("appearances", distinct=True))
            .order_by(*Claim._meta.ordering)
        )

    @admin.display(description=_("statement"), ordering="statement")
    def short_statement(self, obj):
        return str(obj)

    @admin.display(description=_("figure"))
    def quantity(self, obj):
        return obj.quantity_display or "—"

    @admin.display(description=_("appearances"), ordering="appearance_count")
    def appearance_count(self, obj):
        return obj.appearance_count
