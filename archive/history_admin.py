"""The history in the admin: each item's History page (its versions, old → new), restoring a
version, bringing back a deleted item, purging one for a legal takedown, the list of deleted
items, and everything one person or one import changed. The reading and the writing are
archive.versions'; these views check the rights and show the result."""

import datetime as dt

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import versions
from .models import Article, PurgeRecord

PER_PAGE = 50


class HistoryAdminMixin:
    """Replaces the admin's LogEntry history (which fields changed, never their values) with the
    versions PostgreSQL records, and adds restore, undelete and purge."""

    history_template = "admin/archive/history/object_history.html"

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        urls = [
            path(
                "<path:object_id>/history/<int:event_id>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name=f"{prefix}_restore",
            ),
        ]
        if self.model in versions.UNDELETABLE:
            urls += [
                path(
                    "<path:object_id>/undelete/",
                    self.admin_site.admin_view(self.undelete_view),
                    name=f"{prefix}_undelete",
                ),
                path(
                    "<path:object_id>/purge/",
                    self.admin_site.admin_view(self.purge_view),
                    name=f"{prefix}_purge",
                ),
            ]
        return urls + super().get_urls()

    def history_pk(self, object_id):
        try:
            return self.opts.pk.to_python(unquote(object_id))
        except ValidationError:
            raise Http404 from None

    def history_url(self, pk):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_history", args=[pk])

    def history_view(self, request, object_id, extra_context=None):
        pk = self.history_pk(object_id)
        obj = self.get_object(request, pk)
        deletion = None
        if obj is None:
            deletion = (
                versions.deletion(self.model, pk) if self.model in versions.UNDELETABLE else None
            )
            if deletion is None:
                return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        user = request.user
        context = {
            **self.admin_site.each_context(request),
            "title": _("History: %(item)s")
            % {"item": obj if obj is not None else versions.rebuild(self.model, deletion)},
            "opts": self.opts,
            "object": obj,
            "object_id": pk,
            "versions": versions.history(self.model, pk),
            "deletion": deletion,
            "deletion_origin": versions.origins({deletion.pgh_context})[deletion.pgh_context_id]
            if deletion
            else None,
            "may_restore": obj is not None and self.has_change_permission(request, obj),
            "may_undelete": deletion is not None and user.has_perm("archive.restore_deleted"),
            "may_purge": self.model in versions.UNDELETABLE and user.has_perm("archive.purge_item"),
            "keeps_status": self.model is Article,
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.history_template, context)

    def restore_view(self, request, object_id, event_id):
        pk = self.history_pk(object_id)
        obj = self.get_object(request, pk)
        if obj is None:
            raise Http404
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        row = get_object_or_404(versions.event_model(self.model), pk=event_id, pgh_obj_id=obj.pk)
        if request.method == "POST":
            try:
                versions.restore(self.model, obj, row, request.user, url=request.path)
            except versions.RestoreRefused as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
            else:
                when = date_format(timezone.localtime(row.pgh_created_at), "DATETIME_FORMAT")
                self.log_change(
                    request, obj, _("Restored the version of %(when)s") % {"when": when}
                )
                self.message_user(
                    request,
                    _("The version of %(when)s is restored: the restore is itself a new version.")
                    % {"when": when},
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(self.history_url(obj.pk))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Restore this version?"),
            "opts": self.opts,
            "object": obj,
            "row": row,
            "plan": versions.restore_plan(self.model, obj, row, request.user),
            "keeps_status": self.model is Article,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/archive/history/restore_confirm.html", context)

    def undelete_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm("archive.restore_deleted"):
            raise PermissionDenied
        pk = self.history_pk(object_id)
        if versions.deletion(self.model, pk) is None:
            raise Http404
        try:
            obj, missing = versions.undelete(self.model, pk, request.user, url=request.path)
        except versions.RestoreRefused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return HttpResponseRedirect(self.history_url(pk))
        self.log_addition(request, obj, _("Brought back from the history"))
        self.message_user(request, _("“%(item)s” is back.") % {"item": obj}, messages.SUCCESS)
        if missing:
            self.message_user(
                request,
                _("%(count)d of its links could not come back: what they linked to is gone.")
                % {"count": missing},
                messages.WARNING,
            )
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[pk])
        )

    def purge_view(self, request, object_id):
        if not request.user.has_perm("archive.purge_item"):
            raise PermissionDenied
        pk = self.history_pk(object_id)
        obj = self.model._base_manager.filter(pk=pk).first()
        row = versions.event_model(self.model).objects.filter(pgh_obj_id=pk).last()
        if obj is None and row is None:
            raise Http404
        item = obj if obj is not None else versions.rebuild(self.model, row)
        if request.method == "POST":
            try:
                versions.purge(
                    self.model, pk, request.user, request.POST.get("reason", ""), url=request.path
                )
            except versions.RestoreRefused as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("The item and its history are purged; the purge is recorded."),
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("history_deleted"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Purge “%(item)s” and its history?") % {"item": item},
            "opts": self.opts,
            "item": item,
            "object_id": pk,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/archive/history/purge_confirm.html", context)


@admin.register(PurgeRecord)
class PurgeRecordAdmin(admin.ModelAdmin):
    """The purges, as a record: who, when, what and why. Nobody edits it."""

    list_display = ["purged_at", "purged_by", "model", "object_id", "reason"]
    list_filter = ["model", "purged_at"]
    date_hierarchy = "purged_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- pages of their own (newsroom/urls.py: admin/history/) ----------------------------------


def deleted_items_view(request, site):
    """The deleted articles, claims and tags the user may see, last deleted first."""
    seen = [
        model
        for model in versions.UNDELETABLE
        if request.user.has_perm(f"archive.view_{model._meta.model_name}")
        or request.user.has_perm(f"archive.change_{model._meta.model_name}")
    ]
    if not seen:
        raise PermissionDenied
    items = versions.deleted_items()
    found = versions.origins({row.pgh_context for _model, row in items})
    rows = [
        {
            "model": model,
            "kind": model._meta.verbose_name,
            "name": versions.rebuild(model, row),
            "id": row.pgh_obj_id,
            "when": row.pgh_created_at,
            "origin": found[row.pgh_context_id],
            "history": reverse(
                f"admin:archive_{model._meta.model_name}_history", args=[row.pgh_obj_id]
            ),
            "undelete": reverse(
                f"admin:archive_{model._meta.model_name}_undelete", args=[row.pgh_obj_id]
            ),
            "purge": reverse(
                f"admin:archive_{model._meta.model_name}_purge", args=[row.pgh_obj_id]
            ),
        }
        for model, row in items
        if model in seen
    ]
    context = {
        **site.each_context(request),
        "title": _("Deleted items"),
        "rows": rows,
        "may_undelete": request.user.has_perm("archive.restore_deleted"),
        "may_purge": request.user.has_perm("archive.purge_item"),
    }
    return TemplateResponse(request, "admin/archive/history/deleted.html", context)


def whole_number(value):
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        raise Http404 from None


def a_date(value):
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


ACCOUNT_KINDS = {"user", "group", "user_group", "user_permission", "group_permission"}
HISTORY_PAGES = {"article", "claim", "tag", "source"}


def changes_view(request, site):
    """Everything one user, or one import run, changed: ?user=<id> or ?import_run=<id> (with
    neither, everyone's recent changes), filtered by kind of item, by where it came from (via)
    and by date."""
    user_id = whole_number(request.GET.get("user"))
    run_id = whole_number(request.GET.get("import_run"))
    sees_accounts = request.user.has_perm("auth.view_user")
    kinds = [k for k in versions.KINDS if sees_accounts or k not in ACCOUNT_KINDS]
    chosen = [k for k in request.GET.getlist("kind") if k in kinds] or kinds
    via = request.GET.get("via") or None
    since, until = a_date(request.GET.get("since")), a_date(request.GET.get("until"))
    page = max(whole_number(request.GET.get("page")) or 1, 1)
    events, total, found = versions.changes(
        user=user_id,
        import_run=run_id,
        kinds=chosen,
        via=via if via in versions.VIA else None,
        since=since,
        until=until,
        page=page,
        per_page=PER_PAGE,
    )
    rows = []
    for change in events:
        row = change.event.row
        link = None
        if change.kind in HISTORY_PAGES and change.item_id is not None:
            link = reverse(f"admin:archive_{change.kind}_history", args=[change.item_id])
        rows.append(
            {
                "kind": versions.kind_name(change.kind),
                "event": change.event,
                "origin": found[row.pgh_context_id],
                "link": link,
            }
        )
    person = None
    if user_id is not None:
        account = get_user_model()._base_manager.filter(pk=user_id).first()
        person = (account.get_full_name() or account.get_username()) if account else f"#{user_id}"
    if person:
        subject = _("Changes made by %(person)s") % {"person": person}
    elif run_id is not None:
        subject = _("Changes made by import no. %(run)s") % {"run": run_id}
    else:
        subject = _("Recent changes")
    paginator = Paginator(range(total), PER_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        **site.each_context(request),
        "title": subject,
        "rows": rows,
        "total": total,
        "page": paginator.get_page(page),
        "query": query.urlencode(),
        "kinds": [(k, versions.kind_name(k)) for k in kinds],
        "chosen": chosen if len(chosen) < len(kinds) else [],
        "vias": list(versions.VIA.items()),
        "via": via,
        "since": since,
        "until": until,
        "user_id": user_id,
        "run_id": run_id,
    }
    return TemplateResponse(request, "admin/archive/history/changes.html", context)


def site_urls(site):
    """The pages of their own, behind the admin's login."""
    return [
        path(
            "deleted/",
            site.admin_view(lambda request: deleted_items_view(request, site)),
            name="history_deleted",
        ),
        path(
            "changes/",
            site.admin_view(lambda request: changes_view(request, site)),
            name="history_changes",
        ),
    ]
