"""The workflow in the admin: what archive/workflow.py allows, offered as such and nothing more.
An editor is never offered what they may not do: no publish action or button, no "published"
or "withdrawn" status, no delete link on others' drafts; a crafted request is refused."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import workflow
from .models import Article, Correction

LOCKED_NOTES = {
    workflow.PUBLISHED: gettext_lazy(
        "This article is published, so only a chief editor may change it (a correction) or"
        " withdraw it. Ask a chief editor."
    ),
    workflow.WITHDRAWN: gettext_lazy(
        "This article is withdrawn, so only a chief editor may change it or publish it again."
    ),
}


def local_time(value):
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def moved_message(article):
    """What the editor is told once `article` has moved to its new state."""
    if article.is_scheduled:
        return _("“%(title)s” is scheduled: it will be public on %(date)s.") % {
            "title": article.title,
            "date": local_time(article.published_at),
        }
    return {
        workflow.DRAFT: _("“%(title)s” is back to draft."),
        workflow.REVIEW: _("“%(title)s” is submitted for review."),
        workflow.PUBLISHED: _("“%(title)s” is published."),
        workflow.WITHDRAWN: _(
            "“%(title)s” is withdrawn: its address now tells readers that it was withdrawn."
        ),
    }[article.status] % {"title": article.title}


def locked(options, note):
    """A fieldset's options with `note` saying why (some of) its fields are read-only."""
    classes = [*options.get("classes", []), "workflow-locked"]
    return {**options, "description": note, "classes": classes}


class CorrectionNoteForm(forms.ModelForm):
    class Meta:
        model = Correction
        fields = ["note"]


class ArticleWorkflowAdmin:
    """For ArticleAdmin (before the ModelAdmin in its bases): permissions by state, the status
    field's choices, the change page's buttons and the bulk actions."""

    actions = ["submit_for_review", "publish", "withdraw"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and workflow.may_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and workflow.may_delete(
            request.user, obj
        )

    def has_publish_permission(self, request):
        """The publish and withdraw actions (a custom action permission)."""
        return super().has_change_permission(request) and workflow.is_chief(request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if "status" in form.base_fields:
            form.base_fields["status"].choices = workflow.status_choices(request.user, obj)
        return form

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        note = None
        if obj is not None and not workflow.may_edit(request.user, obj):
            note = LOCKED_NOTES.get(obj.status)
        if note:
            name, options = fieldsets[0]
            fieldsets = [(name, locked(options, note)), *fieldsets[1:]]
        return fieldsets

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        previous = form.initial.get("status") if change else None
        if obj.status != previous:
            workflow.stamp(obj, previous)
        super().save_model(request, obj, form, change)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/status/<str:target>/",
                self.admin_site.admin_view(self.move_view),
                name="archive_article_move",
            ),
            path(
                "<path:object_id>/correction/",
                self.admin_site.admin_view(self.correction_view),
                name="archive_article_correction",
            ),
            *super().get_urls(),
        ]

    def moves(self, request, article):
        """The change page's buttons: the moves `request.user` may make from here."""
        return [
            {
                "target": target,
                "label": workflow.ACTIONS[target],
                "url": reverse("admin:archive_article_move", args=[article.pk, target]),
            }
            for target in workflow.targets(request.user, article)
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = self.get_object(request, unquote(object_id))
        extra = {"workflow_moves": self.moves(request, article) if article else []}
        if article and article.is_published and request.user.has_perm("archive.add_correction"):
            extra["correction_url"] = reverse("admin:archive_article_correction", args=[article.pk])
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def delete_view(self, request, object_id, extra_context=None):
        # A published article: withdrawing keeps its address answering readers; say so.
        article = self.get_object(request, unquote(object_id))
        extra = {}
        if article and workflow.may_move(request.user, article, workflow.WITHDRAWN):
            extra["withdraw_url"] = reverse(
                "admin:archive_article_move", args=[article.pk, workflow.WITHDRAWN]
            )
        return super().delete_view(request, object_id, {**extra, **(extra_context or {})})

    def correction_view(self, request, object_id):
        """A public correction note on an article, for whoever may add corrections, editors
        included: a published article is read-only for them, and the note changes nothing
        else of it."""
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404
        if not request.user.has_perm("archive.add_correction"):
            raise PermissionDenied
        correction = Correction(article=article, created_by=request.user)
        form = CorrectionNoteForm(request.POST or None, instance=correction)
        if request.method == "POST" and form.is_valid():
            form.save()
            self.message_user(request, _("The correction was added."), messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:archive_article_change", args=[article.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "form": form,
            "title": _("Add a public correction"),
        }
        return TemplateResponse(request, "admin/archive/article/correction.html", context)

    def move_view(self, request, object_id, target):
        """POST only: move one article to `target` (the change page's buttons)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self.get_object(request, unquote(object_id))
        if article is None or target not in Article.Status.values:
            raise Http404
        workflow.move(article, target, request.user)
        self.message_user(request, moved_message(article), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:archive_article_change", args=[article.pk]))

    def move_selected(self, request, queryset, target, done):
        selected = queryset.count()
        moved = workflow.move_many(queryset, target, request.user)
        self.message_user(request, ngettext(*done, moved) % moved, messages.SUCCESS)
        if moved < selected:
            left = selected - moved
            self.message_user(
                request,
                ngettext(
                    "%d article was left as it was: it cannot go there from its state.",
                    "%d articles were left as they were: they cannot go there from their state.",
                    left,
                )
                % left,
                messages.WARNING,
            )

    @admin.action(description=gettext_lazy("Submit the selected articles for review"))
    def submit_for_review(self, request, queryset):
        done = ("%d article submitted for review.", "%d articles submitted for review.")
        self.move_selected(request, queryset, workflow.REVIEW, done)

    @admin.action(
        description=gettext_lazy("Publish the selected articles"), permissions=["publish"]
    )
    def publish(self, request, queryset):
        done = ("%d article published.", "%d articles published.")
        self.move_selected(request, queryset, workflow.PUBLISHED, done)

    @admin.action(
        description=gettext_lazy("Withdraw the selected articles"), permissions=["publish"]
    )
    def withdraw(self, request, queryset):
        done = ("%d article withdrawn.", "%d articles withdrawn.")
        self.move_selected(request, queryset, workflow.WITHDRAWN, done)


class ArticleLinesWorkflow:
    """For the inlines of the article's page: editable when the article is (`obj` is the
    article; None on the add page)."""

    def editable(self, request, obj):
        return obj is None or workflow.may_edit(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self.editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.editable(request, obj)


class GuardedAppearances(forms.BaseInlineFormSet):
    """A claim's appearances, for an editor: a line in a published or withdrawn article is
    part of what readers see; adding, changing or removing it is a chief editor's."""

    def clean(self):
        super().clean()
        refused = {}
        for form in self.forms:
            if not (form.has_changed() or self._should_delete_form(form)):
                continue
            # The article the line names now, and the one it named before (its initial).
            articles = [form.cleaned_data.get("article")]
            if form.instance.pk is not None and form.initial.get("article"):
                articles.append(Article.objects.filter(pk=form.initial["article"]).first())
            for article in filter(None, articles):
                if article.status not in (workflow.DRAFT, workflow.REVIEW):
                    refused[article.pk] = article
        if refused:
            # On the formset, not the line: a line marked for deletion shows no errors.
            raise ValidationError(
                [
                    _(
                        "The article “%(title)s” is %(status)s: only a chief editor may change"
                        " its claims."
                    )
                    % {"title": article.title, "status": article.get_status_display()}
                    for article in refused.values()
                ]
            )


class ClaimAppearancesWorkflow:
    """For the appearances inline of the claim's page."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if workflow.is_chief(request.user):
            return formset
        return type("GuardedAppearanceFormSet", (GuardedAppearances, formset), {})


class ClaimVerdictAdmin:
    """For ClaimAdmin: the verdict of a public claim is the chief editors'
    (change_public_verdict). An editor sees it read-only; one posted anyway is checked."""

    PUBLIC_NOTE = gettext_lazy(
        "This claim is public: a change of its verdict is a public correction, which only a"
        " chief editor makes."
    )

    def verdict_locked(self, request, obj):
        return (
            obj is not None
            and request.user.has_perm("archive.change_claim")
            and not workflow.may_change_verdict(request.user, obj)
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        # Shown read-only; a verdict posted all the same is validated by the form instead.
        if self.verdict_locked(request, obj) and "verdict" not in request.POST:
            fields.append("verdict")
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self.verdict_locked(request, obj):
            return fieldsets
        return [
            (name, locked(options, self.PUBLIC_NOTE))
            if "verdict" in options["fields"]
            else (name, options)
            for name, options in fieldsets
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if not self.verdict_locked(request, obj) or "verdict" not in form.base_fields:
            return form
        note = self.PUBLIC_NOTE

        def clean_verdict(self):
            verdict = self.cleaned_data["verdict"]
            if verdict != self.instance.verdict:
                raise ValidationError(note)
            return verdict

        return type(form.__name__, (form,), {"clean_verdict": clean_verdict})
