"""The versions of an article, claim, tag or source, read from the history that PostgreSQL keeps
(archive.history): what changed, who changed it and from where. And the three writes that go
back in time: restore a version, bring back a deleted item with its links, and purge an item
with its whole history for a legal takedown (recorded in PurgeRecord, without the content)."""

import datetime as dt
import difflib
from dataclasses import dataclass, field
from decimal import Decimal

import pgtrigger
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pghistory.models import Context

from .history import recorded
from .models import Article, Claim, PurgeRecord, Source, Tag

# The rows that belong to an item, each kind named by its event table and the column of that
# table that names the item. SHOWN: listed in the item's history. LINKS: brought back with a
# deleted item, and purged with it.
SHOWN = {
    Article: [
        ("ArticleTagEvent", "article"),
        ("ArticleCreditedSourceEvent", "article"),
        ("ClaimAppearanceEvent", "article"),
        ("CorrectionEvent", "article"),
    ],
    Claim: [
        ("ClaimAppearanceEvent", "claim"),
        ("ClaimEvidenceEvent", "claim"),
        ("ClaimTagEvent", "claim"),
    ],
    Tag: [("TagAliasEvent", "tag")],
    Source: [],
}
LINKS = {
    Article: SHOWN[Article],
    Claim: SHOWN[Claim],
    Tag: [("TagAliasEvent", "tag"), ("ArticleTagEvent", "tag"), ("ClaimTagEvent", "tag")],
}
UNDELETABLE = tuple(LINKS)

# Columns a version holds but that say nothing of their own: when and by whom (the version's
# own "who" and "when" say it), the row's version number (it moves at every change) and when
# a public article's text last changed (PostgreSQL sets it to the version's time).
QUIET = {"created_at", "updated_at", "updated_by", "version", "revised_at"}
# What restoring an old version leaves as it is: an article's status is publication's business
# (the workflow's rights), not its text's.
KEPT_ON_RESTORE = {Article: {"status", "withdrawn_at"}}

LABELS = {
    "create": gettext_lazy("created"),
    "update": gettext_lazy("changed"),
    "delete": gettext_lazy("deleted"),
    "add": gettext_lazy("added"),
    "remove": gettext_lazy("removed"),
    "password": gettext_lazy("password changed"),
}
VIA = {
    "admin": gettext_lazy("admin"),
    "import": gettext_lazy("import"),
    "command": gettext_lazy("command"),
    "api": gettext_lazy("API"),
    "web": gettext_lazy("website"),
}


class RestoreRefused(Exception):
    """A restore, an undelete or a purge that cannot be done, with the reason for the editor."""


def event_model(name_or_model):
    name = name_or_model if isinstance(name_or_model, str) else f"{name_or_model.__name__}Event"
    return apps.get_model("archive", name)


def snapshot_fields(event_model_class):
    """The tracked model's fields that an event row holds (not its primary key)."""
    tracked = event_model_class.pgh_tracked_model
    names = {f.name for f in event_model_class._meta.fields}
    return [f for f in tracked._meta.concrete_fields if f.name in names and not f.primary_key]


# --- describing values ---------------------------------------------------------------------


class Values:
    """Shows a stored value as the interface shows it: a choice by its label, a foreign key by
    its object's name, a time in the active time zone. Remembers the objects it looked up."""

    def __init__(self):
        self.objects = {}

    def show(self, model_field, value):
        if value is None or value == "":
            return "—"
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if model_field.is_relation:
            return self.related(model_field.related_model, value)
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if isinstance(value, dt.datetime):
            return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
        if isinstance(value, dt.date):
            return formats.date_format(value, "DATE_FORMAT")
        if isinstance(value, Decimal):
            return formats.number_format(value.normalize())
        return str(value)

    def related(self, model, pk):
        key = (model, pk)
        if key not in self.objects:
            found = model._base_manager.filter(pk=pk).first()
            self.objects[key] = str(found) if found else _("no. %(id)s (deleted)") % {"id": pk}
        return self.objects[key]


def word_diff(old, new, context=8):
    """The words removed and added between two texts, with a few words either side of each
    change: [(kind, text)], kind being "same", "removed" or "added"."""
    before, after = (old or "").split(), (new or "").split()
    opcodes = difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    segments = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            words = before[i1:i2]
            head = words[:context] if index > 0 else []
            tail = words[-context:] if index < len(opcodes) - 1 else []
            if len(words) > len(head) + len(tail) + 1:
                text = " ".join([*head, "…", *tail]).strip()
            else:
                text = " ".join(words)
            segments.append(("same", text))
            continue
        if i2 > i1:
            segments.append(("removed", " ".join(before[i1:i2])))
        if j2 > j1:
            segments.append(("added", " ".join(after[j1:j2])))
    return segments


@dataclass
class FieldChange:
    name: str
    old: str
    new: str
    diff: list | None = None  # a long text's word-level diff


def field_changes(fields, before, after, values):
    """Each field whose value differs between two rows (before may be None: all of after)."""
    changes = []
    for model_field in fields:
        if model_field.name in QUIET:
            continue
        new = getattr(after, model_field.attname)
        old = getattr(before, model_field.attname) if before is not None else None
        unchanged = old == new if before is not None else new in (None, "")
        if unchanged:
            continue
        name = str(model_field.verbose_name)
        long_text = isinstance(model_field, models.TextField) and before is not None
        if long_text and len(str(old or "")) + len(str(new or "")) > 160:
            changes.append(FieldChange(name, "", "", word_diff(old, new)))
        else:
            changes.append(
                FieldChange(name, values.show(model_field, old), values.show(model_field, new))
            )
    return changes


# --- who and where -------------------------------------------------------------------------


@dataclass
class Origin:
    """Who made a change and from where, as the history shows it."""

    who: str
    via: str
    user_id: int | None = None
    import_run: int | None = None


def origins(contexts):
    """{context id: Origin} for pghistory contexts (a change with no context: key None)."""
    contexts = [c for c in contexts if c is not None]
    user_ids = {c.metadata.get("user") for c in contexts} - {None}
    users = {u.pk: u for u in get_user_model()._base_manager.filter(pk__in=user_ids)}
    found = {None: Origin(who=_("database, no context"), via=_("database"))}
    for context in contexts:
        meta = context.metadata
        via = str(VIA.get(meta.get("via"), meta.get("via") or _("database")))
        user = users.get(meta.get("user"))
        if meta.get("import_run") is not None:
            who = _("import no. %(run)s (%(file)s)") % {
                "run": meta["import_run"],
                "file": meta.get("file", "?"),
            }
            found[context.pk] = Origin(who, str(VIA["import"]), None, meta["import_run"])
        elif meta.get("command"):
            who = _("command %(name)s") % {"name": meta["command"]}
            found[context.pk] = Origin(who, via, user.pk if user else None)
        elif user is not None:
            found[context.pk] = Origin(user.get_full_name() or user.get_username(), via, user.pk)
        elif meta.get("user") is not None:
            who = _("user no. %(id)s (deleted)") % {"id": meta["user"]}
            found[context.pk] = Origin(who, via, meta["user"])
        else:
            found[context.pk] = Origin(_("unknown"), via)
    return found


# --- the history of one item ---------------------------------------------------------------


@dataclass
class Event:
    """One recorded write, described: the item's own (own=True) or one of its rows'."""

    row: models.Model
    label: str
    what: str
    changes: list[FieldChange]
    own: bool = False

    @property
    def label_display(self):
        return LABELS.get(self.label, self.label)


@dataclass
class Version:
    """The events of one write (one transaction in one context): who, when, from where, what."""

    when: dt.datetime
    origin: Origin
    events: list[Event] = field(default_factory=list)

    @property
    def own(self):
        """The item's last own event of this write, if any: what a restore goes back to."""
        return next((event for event in reversed(self.events) if event.own), None)


def describe_own(model, rows, values):
    fields = snapshot_fields(event_model(model))
    described, before = [], None
    for row in rows:
        if row.pgh_label == "delete":
            changes = []
        elif row.pgh_label == "create":
            changes = field_changes(fields, None, row, values)
        else:
            changes = field_changes(fields, before, row, values)
        described.append(Event(row, row.pgh_label, str(model._meta.verbose_name), changes, True))
        before = row
    return described


def describe_rows(rows_model, rows, owner_column, values):
    """A related row's events: which row (its other ends, or its first text) and its fields."""
    fields = [f for f in snapshot_fields(rows_model) if f.name != owner_column]
    ends = [f for f in fields if f.is_relation]
    plain = [f for f in fields if not f.is_relation]
    kind = rows_model.pgh_tracked_model._meta.verbose_name
    if rows_model.pgh_tracked_model._meta.auto_created and ends:
        # A link's fields are named in English by Django; their models' names are translated.
        kind = ends[0].related_model._meta.verbose_name
    described, before = [], {}
    for row in rows:
        named = [values.show(f, getattr(row, f.attname)) for f in ends]
        if not named and plain:
            named = [values.show(plain[0], getattr(row, plain[0].attname))]
        what = f"{kind}: {' — '.join(named)}"
        if row.pgh_label in ("create", "add"):
            changes = field_changes(plain, None, row, values)
        elif row.pgh_label == "update":
            changes = field_changes(fields, before.get(row.pgh_obj_id), row, values)
        else:
            changes = []
        described.append(Event(row, row.pgh_label, what, changes))
        before[row.pgh_obj_id] = row
    return described


def history(model, object_id):
    """The item's versions, newest first: its own events and its rows' (SHOWN), grouped by the
    write that made them."""
    values = Values()
    own = event_model(model).objects.filter(pgh_obj_id=object_id)
    events = describe_own(model, own.select_related("pgh_context").order_by("pgh_id"), values)
    for name, column in SHOWN[model]:
        rows_model = event_model(name)
        rows = rows_model.objects.filter(**{f"{column}_id": object_id})
        rows = rows.select_related("pgh_context").order_by("pgh_id")
        events += describe_rows(rows_model, rows, column, values)
    return group_versions(events)


def group_versions(events):
    found = origins({event.row.pgh_context for event in events})
    groups = {}
    for event in events:
        groups.setdefault((event.row.pgh_created_at, event.row.pgh_context_id), []).append(event)

    def order(item):
        # Writes of one transaction share a time: the item's own event numbers order them.
        (when, _context), group = item
        own = [e.row.pgh_id for e in group if e.own]
        return (when, bool(own), max(own or [e.row.pgh_id for e in group]))

    versions = []
    for (when, context_id), group in sorted(groups.items(), key=order, reverse=True):
        group.sort(key=lambda e: (not e.own, e.row.pgh_id))
        versions.append(Version(when, found[context_id], group))
    return versions


def deletion(model, object_id):
    """The event of the item's last deletion, if it is deleted now (None if it exists)."""
    if model._base_manager.filter(pk=object_id).exists():
        return None
    own = event_model(model).objects.filter(pgh_obj_id=object_id, pgh_label="delete")
    return own.order_by("-pgh_id").first()


def rebuild(tracked, row):
    """An unsaved instance of the tracked model holding a row's snapshot, its id included."""
    names = {f.name for f in row._meta.fields}
    kept = [f for f in tracked._meta.concrete_fields if f.name in names and not f.generated]
    return tracked(**{f.attname: getattr(row, f.attname) for f in kept})


# --- restore a version ---------------------------------------------------------------------


def restorable_fields(model, obj, user):
    kept = set(KEPT_ON_RESTORE.get(model, ()))
    if model is Claim and not user.has_perm("archive.change_public_verdict"):
        if Claim.objects.published().filter(pk=obj.pk).exists():
            kept |= {"verdict", "verdict_note"}
    return [
        f
        for f in snapshot_fields(event_model(model))
        if f.editable and f.name not in QUIET and f.name not in kept
    ]


def restore_plan(model, obj, row, user):
    """What restoring `row` would change on `obj`: the fields, current value → restored."""
    fields = restorable_fields(model, obj, user)
    return field_changes(fields, obj, row, Values())


def restore(model, obj, row, user, url=""):
    """Write the version's values back through the ORM: the restore is itself a new version."""
    with transaction.atomic(), recorded("admin", user=user.pk, url=url, restored=row.pgh_id):
        for model_field in restorable_fields(model, obj, user):
            setattr(obj, model_field.attname, getattr(row, model_field.attname))
        if hasattr(obj, "updated_by_id"):
            obj.updated_by = user
        try:
            obj.full_clean(validate_constraints=False)
            with transaction.atomic():
                obj.save()
        except ValidationError as refusal:
            raise RestoreRefused("; ".join(refusal.messages)) from None
        except IntegrityError:
            raise RestoreRefused(_("The database refused this version's values.")) from None
    return obj


# --- bring back a deleted item -------------------------------------------------------------


def same_write(rows_model, row):
    """The events of another table recorded by the write (transaction, context) of `row`."""
    rows = rows_model.objects.filter(pgh_created_at=row.pgh_created_at)
    if row.pgh_context_id is None:
        return rows.filter(pgh_context__isnull=True)
    return rows.filter(pgh_context_id=row.pgh_context_id)


def targets_exist(instance):
    """Whether every object a row points to still exists (PostgreSQL checks it only at commit)."""
    relations = [f for f in instance._meta.concrete_fields if f.is_relation]
    return all(targets_exist_for(model_field, instance) for model_field in relations)


def undelete(model, object_id, user, url=""):
    """Bring a deleted article, claim or tag back, with its id and slug, and the links that were
    deleted with it (by the same write): returns (the item, how many links could not come back
    because what they linked to is gone)."""
    row = deletion(model, object_id)
    if row is None:
        raise RestoreRefused(_("This item is not deleted."))
    obj = rebuild(model, row)
    for model_field in model._meta.concrete_fields:
        if model_field.is_relation and not targets_exist_for(model_field, obj):
            if not model_field.null:
                raise RestoreRefused(
                    _("It points to a %(what)s that no longer exists.")
                    % {"what": model_field.verbose_name}
                )
            setattr(obj, model_field.attname, None)
    if hasattr(obj, "updated_by_id"):
        obj.updated_by = user
    missing = 0
    with transaction.atomic(), recorded("admin", user=user.pk, url=url, undeleted=row.pgh_id):
        try:
            with transaction.atomic():
                obj.save(force_insert=True)
        except IntegrityError:
            raise RestoreRefused(
                _("Another item now has its address (slug) or its name.")
            ) from None
        if hasattr(row, "created_at"):
            # save() stamps a new row as created now; it was created then.
            model._base_manager.filter(pk=obj.pk).update(created_at=row.created_at)
        for name, column in LINKS[model]:
            rows_model = event_model(name)
            deleted = same_write(rows_model, row).filter(
                **{f"{column}_id": object_id}, pgh_label__in=("delete", "remove")
            )
            for link_row in deleted.order_by("pgh_id"):
                link = rebuild(rows_model.pgh_tracked_model, link_row)
                if not targets_exist(link):
                    missing += 1
                    continue
                try:
                    with transaction.atomic():
                        link.save(force_insert=True)
                except IntegrityError:
                    missing += 1
    return obj, missing


def targets_exist_for(model_field, obj):
    value = getattr(obj, model_field.attname)
    return value is None or model_field.related_model._base_manager.filter(pk=value).exists()


def deleted_items(limit=300):
    """The deleted articles, claims and tags, last deleted first: [(model, delete event)]."""
    found = []
    for model in UNDELETABLE:
        rows = (
            event_model(model)
            .objects.filter(pgh_label="delete")
            .exclude(Exists(model._base_manager.filter(pk=OuterRef("pgh_obj_id"))))
            .order_by("pgh_obj_id", "-pgh_id")
            .distinct("pgh_obj_id")
            .select_related("pgh_context")
        )
        found += [(model, row) for row in rows]
    found.sort(key=lambda item: item[1].pgh_created_at, reverse=True)
    return found[:limit]


# --- purge for a legal takedown ------------------------------------------------------------


def purge(model, object_id, user, reason, url=""):
    """Delete the item, its rows, and every event that holds its content or its links, past the
    history tables' append-only triggers; record the purge (who, when, what, why) without the
    content. A tag that claims name as their claimant cannot go (it would break them)."""
    if not reason.strip():
        raise RestoreRefused(_("Give the reason for the purge."))
    names = [f"{model.__name__}Event"] + [name for name, _column in LINKS[model]]
    with transaction.atomic(), recorded("admin", user=user.pk, url=url):
        obj = model._base_manager.filter(pk=object_id).first()
        if obj is not None:
            try:
                obj.delete()
            except models.ProtectedError as refusal:
                kept = ", ".join(str(o) for o in list(refusal.protected_objects)[:5])
                raise RestoreRefused(
                    _("Other items depend on it: %(items)s") % {"items": kept}
                ) from None
        with pgtrigger.ignore(*(f"archive.{name}:append_only" for name in names)):
            event_model(model).objects.filter(pgh_obj_id=object_id).delete()
            for name, column in LINKS[model]:
                event_model(name).objects.filter(**{f"{column}_id": object_id}).delete()
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id=str(object_id)
        ).delete()
        return PurgeRecord.objects.create(
            purged_by=user,
            model=model._meta.label_lower,
            object_id=object_id,
            reason=reason.strip(),
        )


# --- everything one person or one import changed -------------------------------------------

# The kinds of rows the changes page can list, by a short name for its filter.
KINDS = {
    "article": "ArticleEvent",
    "claim": "ClaimEvent",
    "tag": "TagEvent",
    "source": "SourceEvent",
    "alias": "TagAliasEvent",
    "appearance": "ClaimAppearanceEvent",
    "evidence": "ClaimEvidenceEvent",
    "article_tag": "ArticleTagEvent",
    "article_source": "ArticleCreditedSourceEvent",
    "claim_tag": "ClaimTagEvent",
    "correction": "CorrectionEvent",
    "user": "UserEvent",
    "group": "GroupEvent",
    "user_group": "UserGroupEvent",
    "user_permission": "UserPermissionEvent",
    "group_permission": "GroupPermissionEvent",
}


def kind_name(kind):
    rows_model = event_model(KINDS[kind])
    tracked = rows_model.pgh_tracked_model
    if tracked._meta.auto_created:
        ends = [f for f in snapshot_fields(rows_model) if f.is_relation]
        return " ↔ ".join(str(f.related_model._meta.verbose_name) for f in ends)
    return str(tracked._meta.verbose_name)


@dataclass
class Change:
    """One event on the changes page: its kind, the item it belongs to, and the event."""

    kind: str
    item_id: int | None
    event: Event


def changes(
    *, user=None, import_run=None, kinds=(), via=None, since=None, until=None, page=1, per_page=50
):
    """The events written in the contexts of one user or one import, newest first, a page of
    them: (the page's [Version], the total count)."""
    contexts = Context.objects.all()
    if user is not None:
        contexts = contexts.filter(metadata__user=user)
    if import_run is not None:
        contexts = contexts.filter(metadata__import_run=import_run)
    if via:
        contexts = contexts.filter(metadata__via=via)
    wanted = kinds or list(KINDS)
    querysets, total = [], 0
    for kind in wanted:
        rows = event_model(KINDS[kind]).objects.filter(pgh_context__in=contexts)
        if since:
            rows = rows.filter(pgh_created_at__date__gte=since)
        if until:
            rows = rows.filter(pgh_created_at__date__lte=until)
        total += rows.count()
        querysets.append((kind, rows))
    window = page * per_page
    found = []
    for kind, rows in querysets:
        rows = rows.select_related("pgh_context").order_by("-pgh_created_at", "-pgh_id")
        found += [(kind, row) for row in rows[:window]]
    found.sort(key=lambda item: (item[1].pgh_created_at, item[1].pgh_id), reverse=True)
    found = found[(page - 1) * per_page : window]
    values = Values()
    events = []
    for kind, row in found:
        rows_model = type(row)
        before = None
        if row.pgh_label == "update":
            before = (
                rows_model.objects.filter(pgh_obj_id=row.pgh_obj_id, pgh_id__lt=row.pgh_id)
                .order_by("-pgh_id")
                .first()
            )
        event = describe_single(rows_model, row, before, values)
        events.append(Change(kind, getattr(row, "pgh_obj_id", None), event))
    return events, total, origins({row.pgh_context for _kind, row in found})


def describe_single(rows_model, row, before, values):
    fields = snapshot_fields(rows_model)
    tracked = rows_model.pgh_tracked_model
    if tracked._meta.auto_created:
        what = " — ".join(values.show(f, getattr(row, f.attname)) for f in fields if f.is_relation)
        return Event(row, row.pgh_label, what, [])
    what = str(rebuild(tracked, row)) if tracked in (*UNDELETABLE, Source) else ""
    if not what:
        first = next((f for f in fields if not f.is_relation), None)
        what = values.show(first, getattr(row, first.attname)) if first else ""
    if row.pgh_label == "delete":
        changes = []
    else:
        changes = field_changes(fields, before, row, values)
    return Event(row, row.pgh_label, what, changes, own=True)
