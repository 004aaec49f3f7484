"""The editors' admin: articles with their claims inline, claims with their appearances, tags
with their other spellings, sources, and the record of the imports run in the background."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count
from django.db.models.functions import Now
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from . import import_help, imports, tasks, workflow
from .admin_lists import ArticleListColumns, ClaimListColumns, FigureFilter, PublicClaimFilter
from .admin_text import LanguageDirectionMixin, TextDirectionMixin
from .claim_tracking_admin import ClaimTrackingAdmin
from .concurrency import VersionedAdminMixin, VersionedInlineMixin, VersionedModelForm
from .deleting import SafeDeletionAdmin
from .duplicates import DuplicateCheckAdminMixin, near_duplicates_of
from .figures import FigureFormMixin
from .history_admin import HistoryAdminMixin
from .merge import merge_tags_action
from .models import (
    Article,
    Claim,
    ClaimAppearance,
    ClaimEvidence,
    Correction,
    ImportRun,
    Source,
    Tag,
    TagAlias,
    UploadRefused,
    VerdictChange,
    control_character_problem,
    public_article,
)
from .tagging_admin import TagSuggestionsAdmin
from .workflow_admin import (
    ArticleLinesWorkflow,
    ArticleWorkflowAdmin,
    ClaimAppearancesWorkflow,
    ClaimVerdictAdmin,
)

MAX_UPLOAD = 10 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV or JSON Lines, gzipped or not, up to 10 MB, and up to %(text)d MB once"
            " decompressed (use `manage.py import_articles` for larger files)."
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
    status = forms.ChoiceField(label=_("Status"), initial=Article.Status.DRAFT)
    update = forms.BooleanField(label=_("Update articles already in the archive"), required=False)

    def __init__(self, *args, may_update=True, statuses=workflow.IMPORT_STATUSES, **kwargs):
        super().__init__(*args, **kwargs)
        self.may_update = may_update
        # Editors import drafts or articles for review; chief editors may also publish.
        self.fields["status"].choices = [
            (value, label) for value, label in Article.Status.choices if value in statuses
        ]
        field = self.fields["file"]
        field.help_text = field.help_text % {"text": settings.NEWSROOM_IMPORT_MAX_TEXT_MB}

    def clean_update(self):
        if self.cleaned_data["update"] and not self.may_update:
            raise forms.ValidationError(
                _(
                    "Updating articles already in the archive needs the permission to change"
                    " articles, which your account does not have. Leave this box empty to"
                    " import only new articles."
                )
            )
        return self.cleaned_data["update"]

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
# The lists need the width at 1366 px; the desk (the front page) and the breadcrumbs lead to
# every section instead.
admin.site.enable_nav_sidebar = False


# A link typed without a scheme is taken as https (Django 6's default).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class EditorTrackingAdmin(SafeDeletionAdmin, admin.ModelAdmin):
    """Records who changed an object last."""

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Source)
class SourceAdmin(
    TextDirectionMixin, VersionedAdminMixin, HistoryAdminMixin, SafeDeletionAdmin, admin.ModelAdmin
):
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


class TagAliasInline(TextDirectionMixin, VersionedInlineMixin, admin.TabularInline):
    model = TagAlias
    extra = 2


@admin.register(Tag)
class TagAdmin(
    TextDirectionMixin, VersionedAdminMixin, HistoryAdminMixin, SafeDeletionAdmin, admin.ModelAdmin
):
    list_display = ["name_ar", "name_en", "kind", "alias_list", "article_count"]
    list_filter = ["kind"]
    search_fields = ["name_ar", "name_en", "aliases__name", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    inlines = [TagAliasInline]
    actions = [merge_tags_action]

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


def newsroom_time_zone():
    """The zone times are shown and entered in, with its offset now: "Asia/Riyadh (UTC+03:00)"."""
    offset = timezone.localtime().strftime("%z")
    return f"{settings.TIME_ZONE} (UTC{offset[:3]}:{offset[3:]})"


class ScheduledFilter(admin.SimpleListFilter):
    """Published articles by whether their publication time has come."""

    title = _("publication")
    parameter_name = "publication"

    def lookups(self, request, model_admin):
        return [("scheduled", _("Scheduled")), ("public", _("Public now"))]

    def queryset(self, request, queryset):
        if self.value() == "scheduled":
            return queryset.filter(status=Article.Status.PUBLISHED, published_at__gt=Now())
        if self.value() == "public":
            return queryset.filter(public_article())
        return queryset


class CorrectionFormSet(forms.BaseInlineFormSet):
    """A form sent without this inline's part (one opened before the inline existed, or a
    script's) changes no correction, rather than being refused as incomplete."""

    def __init__(self, data=None, *args, prefix=None, **kwargs):
        prefix = prefix or self.get_default_prefix()
        if data is not None and f"{prefix}-TOTAL_FORMS" not in data:
            data = data.copy()
            data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
        super().__init__(data, *args, prefix=prefix, **kwargs)


class CorrectionInline(TextDirectionMixin, admin.StackedInline):
    """The article's correction notes; readers see those made while it was public."""

    model = Correction
    formset = CorrectionFormSet
    extra = 0
    fields = ["note", "created_at", "created_by", "made_while_public"]
    readonly_fields = ["created_at", "created_by", "made_while_public"]
    verbose_name = _("public correction")
    verbose_name_plural = _("public corrections")


class ArticleAppearanceInline(
    TextDirectionMixin, VersionedInlineMixin, ArticleLinesWorkflow, admin.StackedInline
):
    model = ClaimAppearance
    fk_name = "article"
    extra = 0
    autocomplete_fields = ["claim"]
    fields = ["claim", "quote", "stated_on"]
    verbose_name = _("claim in this article")
    verbose_name_plural = _("claims in this article")


@admin.register(Article)
class ArticleAdmin(
    DuplicateCheckAdminMixin,
    LanguageDirectionMixin,
    TextDirectionMixin,
    ArticleListColumns,
    VersionedAdminMixin,
    HistoryAdminMixin,
    TagSuggestionsAdmin,
    ArticleWorkflowAdmin,
    EditorTrackingAdmin,
):
    formfield_overrides = URL_FIELDS
    list_display = [
        "title_cell",
        "outlet",
        "published_at",
        "publication",
        "tag_count",
        "claim_count",
    ]
    list_display_links = ["title_cell"]
    list_filter = [
        "status",
        ScheduledFilter,
        "published_at",
        "source",
        # Last: a tag list runs to hundreds of entries and would push the others out of reach.
        ("tags", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["source"]
    search_fields = ["title", "lead", "url", "slug"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["source", "credited_sources", "tags"]
    readonly_fields = ["created_at", "created_by", "updated_at", "updated_by", "revised_at"]
    inlines = [ArticleAppearanceInline, CorrectionInline]
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
            {
                "fields": ["created_at", "created_by", "updated_at", "updated_by", "revised_at"],
                "classes": ["collapse"],
            },
        ),
    ]

    change_list_template = "admin/archive/article/change_list.html"

    def get_changeform_initial_data(self, request):
        # A new article starts dated now, so that a draft saves without a date made up first.
        return {"published_at": timezone.now(), **super().get_changeform_initial_data(request)}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(db_field, models.DateTimeField) and field is not None:
            field.help_text = _(
                "In the newsroom's time zone, %(zone)s. A published article dated in the"
                " future is scheduled: public from that time."
            ) % {"zone": newsroom_time_zone()}
        return field

    def save_formset(self, request, form, formset, change):
        if formset.model is Correction:
            for correction in formset.save(commit=False):
                if correction.pk is None:
                    correction.created_by = request.user
                correction.save()
            for correction in formset.deleted_objects:
                correction.delete()
            return
        super().save_formset(request, form, formset, change)

    @admin.display(description=_("status"), ordering="status")
    def publication(self, obj):
        """The status, and for a published article still to come, when it will be public."""
        if obj.is_scheduled:
            when = timezone.localtime(obj.published_at)
            return format_html(
                '<span class="scheduled">{}</span>',
                _("Scheduled for %(date)s") % {"date": date_format(when, "DATETIME_FORMAT")},
            )
        return obj.get_status_display()

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
        """Queue a CSV or JSON Lines file for import, under the rules of import_articles; the
        worker runs it, and the run's page follows it."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportForm(
            request.POST or None,
            request.FILES or None,
            may_update=self.has_change_permission(request),
            statuses=workflow.import_statuses(request.user),
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                run = tasks.queue_upload(
                    data["file"], request.user, data["mapping"], data["status"], data["update"]
                )
            except UploadRefused as refusal:
                form.add_error("file", str(refusal))
            else:
                self.message_user(
                    request, _("The import is queued; this page follows it."), messages.SUCCESS
                )
                return HttpResponseRedirect(
                    reverse("admin:archive_importrun_change", args=[run.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import articles"),
            "form": form,
            "runs": ImportRun.objects.filter(uploaded_by=request.user)[:5],
            "columns": import_help.columns(),
            "file_kinds": import_help.file_kinds(),
        }
        return TemplateResponse(request, "admin/archive/article/import.html", context)

    def get_queryset(self, request):
        return super().get_queryset(request).order_by(*Article._meta.ordering)


class ClaimAppearanceInline(
    TextDirectionMixin, VersionedInlineMixin, ClaimAppearancesWorkflow, admin.StackedInline
):
    model = ClaimAppearance
    fk_name = "claim"
    extra = 1
    autocomplete_fields = ["article"]
    fields = ["article", "quote", "stated_on"]


class ClaimEvidenceInline(TextDirectionMixin, VersionedInlineMixin, admin.TabularInline):
    model = ClaimEvidence
    formfield_overrides = URL_FIELDS
    extra = 1


class ClaimForm(FigureFormMixin, VersionedModelForm):
    verdict_change_note = forms.CharField(
        label=_("Public note on the change of verdict"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=_(
            "Optional. Shown to readers with the date, the earlier verdict and the new one, in"
            " the claim's verdict history, when the claim is public."
        ),
    )

    def clean(self):
        data = super().clean()
        note = (data.get("verdict_change_note") or "").strip()
        if note and (self.instance.pk is None or "verdict" not in self.changed_data):
            self.add_error(
                "verdict_change_note",
                _("The note goes with a change of verdict: change the verdict, or leave it empty."),
            )
        elif note and control_character_problem(note):
            self.add_error("verdict_change_note", control_character_problem(note))
        data["verdict_change_note"] = note
        return data


@admin.register(Claim)
class ClaimAdmin(
    TextDirectionMixin,
    ClaimListColumns,
    ClaimTrackingAdmin,
    VersionedAdminMixin,
    HistoryAdminMixin,
    ClaimVerdictAdmin,
    EditorTrackingAdmin,
):
    list_display = [
        "short_statement",
        "claimant_name",
        "verdict_cell",
        "figure",
        "appearance_count",
        "changed_on",
    ]
    list_filter = [
        "verdict",
        ("claimant", admin.RelatedOnlyFieldListFilter),
        ("appearances__article__source", admin.RelatedOnlyFieldListFilter),
        PublicClaimFilter,
        "created_at",
        FigureFilter,
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
    readonly_fields = ["created_at", "updated_at", "updated_by", "verdict_history"]
    inlines = [ClaimAppearanceInline, ClaimEvidenceInline]
    form = ClaimForm
    fieldsets = [
        (None, {"fields": ["statement", "slug", "claimant", "tags"]}),
        (
            _("Verdict"),
            {"fields": ["verdict", "verdict_note", "verdict_change_note", "verdict_history"]},
        ),
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
        return super().get_queryset(request).order_by(*Claim._meta.ordering)

    @admin.display(description=_("verdict history"))
    def verdict_history(self, obj):
        """Each change of verdict the database recorded; readers see those made in public."""
        changes = obj.verdict_changes.order_by("changed_at", "id") if obj and obj.pk else []
        if not changes:
            return "—"
        return format_html(
            "<ol>{}</ol>",
            format_html_join(
                "",
                "<li>{}: {} → {}{}{}</li>",
                (
                    (
                        date_format(timezone.localtime(c.changed_at), "DATETIME_FORMAT"),
                        c.get_from_verdict_display(),
                        c.get_to_verdict_display(),
                        format_html(" — {}", c.note) if c.note else "",
                        "" if c.made_while_public else format_html(" ({})", _("not public")),
                    )
                    for c in changes
                ),
            ),
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The trigger recorded the change of verdict; the editor's note goes with it.
        if form.cleaned_data.get("verdict_change_note"):
            VerdictChange.note_latest(obj, form.cleaned_data["verdict_change_note"])


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """The imports, from the admin and from the command, as a record: read-only. Editors see
    every run; whoever may import articles sees their own runs."""

    list_display = [
        "queued_at",
        "file_name",
        "via",
        "uploaded_by",
        "state",
        "read",
        "created",
        "updated",
        "skipped",
        "rejected",
    ]
    list_display_links = ["queued_at", "file_name"]
    list_filter = ["state", "via", "queued_at"]
    search_fields = ["file_name", "uploaded_by__username"]
    list_select_related = ["uploaded_by"]
    date_hierarchy = "queued_at"
    change_form_template = "admin/archive/importrun/change_form.html"
    fieldsets = [
        (None, {"fields": ["file_name", "via", "uploader", "state", "error"]}),
        (
            _("Counts"),
            {
                "fields": [
                    "read",
                    "created",
                    "updated",
                    "skipped",
                    "rejected",
                    "rejects_link",
                    "near_duplicate_count",
                ]
            },
        ),
        (
            _("Options"),
            {"fields": ["field_map", "article_status", "update_existing"]},
        ),
        (
            _("Times"),
            {"fields": ["queued_at", "started_at", "finished_at", "files_removed_at"]},
        ),
        (
            _("Files"),
            {"fields": ["stored_file", "file_size", "text_size", "job_id"]},
        ),
    ]

    def get_urls(self):
        return [
            path(
                "<path:object_id>/rejects/",
                self.admin_site.admin_view(self.rejects_view),
                name="archive_importrun_rejects",
            ),
            *super().get_urls(),
        ]

    def sees_all(self, request):
        return super().has_view_permission(request)

    def has_view_permission(self, request, obj=None):
        if self.sees_all(request):
            return True
        own = obj is None or obj.uploaded_by_id == request.user.pk
        return own and request.user.has_perm("archive.add_article")

    def get_queryset(self, request):
        runs = super().get_queryset(request)
        return runs if self.sees_all(request) else runs.filter(uploaded_by=request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field for fieldset in self.fieldsets for field in fieldset[1]["fields"]]

    @admin.display(description=_("uploaded by"))
    def uploader(self, run):
        # As text: the user's admin page is for those who manage accounts, not every editor.
        return run.uploaded_by.get_username() if run.uploaded_by else "—"

    @admin.display(description=_("rejects file"))
    def rejects_link(self, run):
        if run.files_removed_at:
            return _("removed on %(date)s, %(days)d days after the import") % {
                "date": timezone.localtime(run.files_removed_at).strftime("%Y-%m-%d"),
                "days": settings.NEWSROOM_IMPORT_RETENTION_DAYS,
            }
        if not run.rejects_file:
            return "—"
        url = reverse("admin:archive_importrun_rejects", args=[run.pk])
        return format_html('<a href="{}" download>{}</a>', url, _("Download (JSON Lines)"))

    @admin.display(description=_("near-duplicates imported"))
    def near_duplicate_count(self, run):
        return run.near_duplicates.count()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = self.get_object(request, object_id)
        extra = {
            "run": run,
            "first_rejects": run.first_rejects() if run else [],
            "near_duplicates": near_duplicates_of(run) if run else [],
        }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def rejects_view(self, request, object_id):
        run = self.get_object(request, object_id)
        if run is None:
            raise Http404
        if not self.has_view_permission(request, run):
            raise PermissionDenied
        path = run.rejects_path
        if run.files_removed_at or path is None or not path.is_file():
            raise Http404(_("This run's rejects file is no longer kept."))
        return FileResponse(
            open(path, "rb"),
            as_attachment=True,
            filename=f"{run.file_name}.rejects.jsonl",
            content_type="application/x-ndjson; charset=utf-8",
        )
