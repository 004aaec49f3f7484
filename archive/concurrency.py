"""No silent overwrite: the admin refuses to save a form opened before a later save.

Each versioned row (Article, Claim, ClaimAppearance, ClaimEvidence, Tag, TagAlias, Source)
carries a `version` that PostgreSQL bumps at every update that changes it, whatever the write
path (the trigger bump_version, archive/models/common.py). A change form, and each row of its
inlines, carries the version it was opened at in a hidden field; inside the admin's transaction
the row is locked (SELECT ... FOR UPDATE) and its version compared. A stale form is invalid and
the editor gets the conflict page: what was changed meanwhile (from the history's events), by
whom, and a choice per field (theirs or mine) that posts the form again at the current version.

This module imports no model of the app: it works on the models it is given.
"""

import datetime as dt
from dataclasses import dataclass, field

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import F
from django.template.response import TemplateResponse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

VERSION = "version"
# The form field that carries the version the form was opened at.
OPENED = "opened_version"
CHOICE_PREFIX = "_choice-"
THEIRS, MINE = "theirs", "mine"


@dataclass
class FieldChange:
    """One field of a stale form: its value when the form was opened (`before`, None when the
    history does not go back that far), the one saved meanwhile and the editor's."""

    key: str
    label: str
    before: str | None
    theirs: str
    mine: str
    changed_meanwhile: bool
    differs: bool
    default: str


@dataclass
class Conflict:
    """A stale form: the row, the version the form was opened at and the current one."""

    form: forms.ModelForm
    opened: int | None
    current: int | None
    deleted: bool = False  # the row was deleted meanwhile
    deleting: bool = False  # the editor marked it for deletion
    row: models.Model | None = None
    changes: list = field(default_factory=list)
    saves: list = field(default_factory=list)
    kept: list = field(default_factory=list)  # the editor's changes nobody else made

    @property
    def title(self):
        name = self.form.instance._meta.verbose_name
        if self.deleted:
            return name
        return f"{name}: {self.row}"


class VersionedModelForm(forms.ModelForm):
    """A model form that carries the version it was opened at and refuses to save over a later
    one. Used as the form of the versioned admins and of their inlines."""

    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields[OPENED].initial = self.instance.version
        self.conflict = None

    def opened_row_id(self):
        """The id of the row this form was opened on, as posted (an inline row that was
        deleted meanwhile has it, though its instance is then a new one)."""
        if self.instance.pk is not None:
            return self.instance.pk
        if self.prefix is None:
            return None
        return self.data.get(self.add_prefix(self.instance._meta.pk.name)) or None

    def clean(self):
        cleaned = super().clean()
        if self.opened_row_id() is None:
            return cleaned  # a new row: no earlier save to overwrite
        opened = cleaned.get(OPENED)
        if self.instance.pk is None:
            self.conflict = Conflict(self, opened, None, deleted=True)
            raise forms.ValidationError(
                _(
                    "This row was deleted after you opened the form; it will not be created"
                    " again. Mark it for deletion, or reload the page."
                ),
                code="deleted_meanwhile",
            )
        if opened is None:
            if OPENED in self.errors:
                return cleaned
            raise forms.ValidationError(
                _(
                    "This form does not say which version it was opened at, so saving it could"
                    " undo a later change: the save was refused. Reload the page and make"
                    " your change again."
                ),
                code="version_missing",
            )
        row = current_row(self.instance)
        if opened != row.version or self.instance.version != row.version:
            self.conflict = Conflict(self, opened, row.version, row=row)
            raise forms.ValidationError(
                _(
                    "Someone saved this after you opened it: your save was refused so as not"
                    " to undo their change."
                ),
                code="stale",
            )
        self._take_theirs(cleaned)
        return cleaned

    def _take_theirs(self, cleaned):
        """After a conflict the editor chose, field by field, to keep the value saved meanwhile
        (the current one) rather than their own."""
        for name in self.fields:
            if self.data.get(CHOICE_PREFIX + self.add_prefix(name)) != THEIRS:
                continue
            try:
                model_field = self.instance._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if model_field.many_to_many:
                cleaned[name] = list(getattr(self.instance, name).all())
            else:
                cleaned[name] = getattr(self.instance, name)


def current_row(instance):
    """The row as it is now, locked until the end of the transaction (the admin's own), so
    that no other save comes between this check and the save."""
    return type(instance)._default_manager.select_for_update().get(pk=instance.pk)


def with_version(fieldsets):
    """The fieldsets with the hidden version field in the first one (the admin renders only
    the fields its fieldsets name)."""
    names = [name for _title, options in fieldsets for name in _flatten(options["fields"])]
    if OPENED in names or not fieldsets:
        return fieldsets
    (title, options), *rest = fieldsets
    return [(title, {**options, "fields": [*options["fields"], OPENED]}), *rest]


def _flatten(names):
    for name in names:
        if isinstance(name, list | tuple):
            yield from name
        else:
            yield name


class VersionedInlineFormSet(forms.BaseInlineFormSet):
    """An inline formset ignores the errors of a row marked for deletion: a row changed after
    the form was opened must not be deleted unseen either."""

    def clean(self):
        super().clean()
        for form in self.forms:
            conflict = getattr(form, "conflict", None)
            if conflict and not conflict.deleted and self._should_delete_form(form):
                conflict.deleting = True
                raise forms.ValidationError(
                    _(
                        "A row you marked for deletion was changed after you opened the form:"
                        " it was not deleted."
                    ),
                    code="stale_deletion",
                )


class VersionedInlineMixin:
    """For an inline of versioned rows (an article's appearances, a claim's evidence)."""

    form = VersionedModelForm
    formset = VersionedInlineFormSet

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        # A read-only page shows its fields as text: the version is no field to show.
        if obj is not None and not self.has_change_permission(request, obj):
            return fieldsets
        return with_version(fieldsets)


class VersionedAdminMixin:
    """For the admin of a versioned model: the version check on the form and its inlines, and
    the conflict page in place of the change form when one of them is stale."""

    form = VersionedModelForm
    conflict_template = "admin/archive/conflict.html"

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        # A read-only page shows its fields as text: the version is no field to show.
        if obj is not None and not self.has_change_permission(request, obj):
            return fieldsets
        return with_version(fieldsets)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A change of a many-to-many field (an article's tags) leaves the row itself alone,
        # so the trigger does not see it: the form moves the version.
        if change and any(
            form.instance._meta.get_field(name).many_to_many
            for name in form.changed_data
            if name in {f.name for f in form.instance._meta.get_fields()}
        ):
            type(form.instance)._base_manager.filter(pk=form.instance.pk).update(
                version=F(VERSION) + 1
            )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and request.method == "POST":
            forms_ = [context["adminform"].form]
            for inline in context.get("inline_admin_formsets", []):
                forms_.extend(inline.formset.forms)
            conflicts = [form.conflict for form in forms_ if getattr(form, "conflict", None)]
            if conflicts:
                return self.conflict_response(request, context, obj, conflicts)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def conflict_response(self, request, context, obj, conflicts):
        for conflict in conflicts:
            describe(conflict)
        replaced = {}
        for conflict in conflicts:
            form = conflict.form
            if conflict.deleted:
                replaced[form.add_prefix("DELETE")] = "on"
            else:
                replaced[form.add_prefix(OPENED)] = str(conflict.current)
        posted = [
            (key, value)
            for key, values in request.POST.lists()
            if not key.startswith("_") and key != "csrfmiddlewaretoken" and key not in replaced
            for value in values
        ]
        context = {
            **context,
            "title": _("Saved meanwhile: choose what to keep"),
            "subtitle": None,
            "opts": self.model._meta,
            "object": obj,
            "conflicts": conflicts,
            "posted": posted + list(replaced.items()),
            "THEIRS": THEIRS,
            "MINE": MINE,
            "CHOICE_PREFIX": CHOICE_PREFIX,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.conflict_template, context, status=409)


def describe(conflict):
    """Fill in what was changed meanwhile: each field of the form whose value now differs from
    its value at the form's version (known from the history), or from the editor's when the
    history does not go back that far; and who saved meanwhile."""
    form = conflict.form
    if conflict.deleted:
        conflict.saves = saves_since(form.instance, conflict.opened, row_id=form.opened_row_id())
        return
    # The form's own instance holds the editor's values by now (ModelForm's _post_clean).
    instance = conflict.row
    before = state_at(instance, conflict.opened)
    conflict.saves = saves_since(instance, conflict.opened)
    for name, form_field in form.fields.items():
        try:
            model_field = instance._meta.get_field(name)
        except FieldDoesNotExist:
            continue  # the version, an inline's DELETE box
        if model_field.primary_key or form_field.disabled:
            continue
        theirs = comparable(model_field, current_value(instance, model_field))
        mine = comparable(model_field, my_value(form, instance, model_field))
        if model_field.many_to_many or before is None:
            base = None
            changed = theirs != mine
        else:
            base = comparable(model_field, model_field.value_from_object(before))
            changed = base != theirs
        if not changed:
            if base is not None and mine != base:
                conflict.kept.append(form_field.label or model_field.verbose_name)
            continue
        default = MINE if base is not None and mine != base else THEIRS
        conflict.changes.append(
            FieldChange(
                key=form.add_prefix(name),
                label=form_field.label or model_field.verbose_name,
                before=None if base is None else display(model_field, base),
                theirs=display(model_field, theirs),
                mine=display(model_field, mine),
                changed_meanwhile=changed,
                differs=theirs != mine,
                default=default,
            )
        )


def events_of(model, row_id):
    event_model = model._meta.get_field("events").related_model
    return event_model.objects.filter(pgh_obj_id=row_id)


def state_at(instance, version):
    """The row as it was at `version`: its last history event at or before that version (a
    bump without a change of its fields makes no event). None if the history is younger."""
    if version is None:
        return None
    events = events_of(type(instance), instance.pk).filter(version__lte=version)
    return events.order_by("-pgh_id").first()


def saves_since(instance, version, row_id=None):
    """Who changed the row after `version`, when, and through what (the admin, an import…)."""
    model = type(instance)
    events = events_of(model, row_id or instance.pk).select_related("pgh_context")
    if version is not None:
        later = events.filter(version__gt=version)
        # A row deleted meanwhile: its delete event carries the version it was deleted at.
        events = later | events.filter(pgh_label="delete") if row_id else later
    users = get_user_model()._base_manager
    saves = []
    for event in events.order_by("pgh_id"):
        metadata = event.pgh_context.metadata if event.pgh_context else {}
        user = users.filter(pk=metadata.get("user")).first() if metadata.get("user") else None
        saves.append(
            {
                "when": timezone.localtime(event.pgh_created_at),
                "who": str(user) if user else VIA.get(metadata.get("via"), VIA[None]),
                "deleted": event.pgh_label == "delete",
            }
        )
    return saves


VIA = {
    "admin": gettext_lazy("the admin"),
    "import": gettext_lazy("an import"),
    "command": gettext_lazy("a command"),
    "api": gettext_lazy("the API"),
    None: gettext_lazy("a write outside the admin"),
}


def current_value(instance, model_field):
    if model_field.many_to_many:
        return list(getattr(instance, model_field.name).all())
    return model_field.value_from_object(instance)


def my_value(form, instance, model_field):
    """The editor's value for a field, as the model would hold it."""
    name = model_field.name
    if name not in form.cleaned_data:
        return current_value(instance, model_field)
    value = form.cleaned_data[name]
    if model_field.many_to_many:
        return list(value)
    if isinstance(model_field, models.ForeignKey):
        return value.pk if value is not None else None
    return value


def comparable(model_field, value):
    """Values in one shape for comparing: ids for relations, a sorted tuple for many."""
    if model_field.many_to_many:
        return tuple(sorted(item.pk for item in value))
    if value == "" and model_field.null:
        return None
    if isinstance(value, str):
        return value.replace("\r\n", "\n")  # a browser's textarea posts CRLF
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0)  # the admin's inputs hold whole seconds
    return value


def display(model_field, value):
    """A field's value as the editor reads it: a choice's label, a related object's name, a
    date in the newsroom's time zone."""
    if value is None or value == "" or value == ():
        return "—"
    if model_field.many_to_many:
        related = model_field.related_model._base_manager.filter(pk__in=value)
        return "، ".join(str(item) for item in related)
    if model_field.is_relation:
        related = model_field.related_model._base_manager.filter(pk=value).first()
        return str(related) if related is not None else str(value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(model_field, models.DateTimeField):
        return formats.localize(timezone.localtime(value))
    return formats.localize(value) if not isinstance(value, str) else value
