"""The history of every write to the archive, kept by PostgreSQL (django-pghistory).

Triggers, like the search columns' trigger, record each insert, update and delete of the
tracked tables, whatever made it: an admin form, a bulk action, an import's bulk_create, a
fixture, raw SQL. What made it is the *context*: a request records its user and URL (the
middleware below), an import or a command wraps its work in `recorded(...)`. A write outside
any context (raw SQL in psql) is still recorded, with no context.
"""

import uuid

import pghistory
import pghistory.runtime
from pghistory.middleware import HistoryMiddleware as BaseHistoryMiddleware

# Derived columns (the search vectors and keys, which PostgreSQL makes from the text) are no
# history of their own: they are made again from the text a version holds.
DERIVED_COLUMNS = ("search_vector", "rank_vector", "pair_vector", "search_keys", "search_key")


def track(model_class, **options):
    """Record every create, update and delete of `model_class`. An update is recorded only
    when a field other than the auto_now ones (updated_at) and the row's version changed:
    saving an unchanged form makes no version."""
    names = {f.name for f in model_class._meta.local_fields}
    exclude = [name for name in DERIVED_COLUMNS if name in names]
    # The version (archive/concurrency.py) moves with every change: its bump alone is none.
    unchanged = [name for name in ("version",) if name in names]
    changed = pghistory.AnyChange(exclude=unchanged, exclude_auto=True)
    return pghistory.track(
        pghistory.InsertEvent("create"),
        pghistory.UpdateEvent("update", condition=changed),
        pghistory.DeleteEvent("delete"),
        exclude=exclude,
        **options,
    )(model_class)


def track_links(through, model_name):
    """Record each link added to or removed from a many-to-many field (an article's tags)."""
    return pghistory.track(
        pghistory.InsertEvent("add"),
        pghistory.DeleteEvent("remove"),
        model_name=model_name,
        app_label="archive",
    )(through)


def track_accounts():
    """Record the accounts, the groups and the rights given to them. The password hash is never
    copied: a change of password is an event of its own ("password"), without the value. A
    login (last_login) is not an edit, and is not recorded."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user_model = get_user_model()
    pghistory.track(
        pghistory.InsertEvent("create"),
        pghistory.UpdateEvent("update", condition=pghistory.AnyChange()),
        pghistory.UpdateEvent("password", condition=pghistory.AnyChange("password")),
        pghistory.DeleteEvent("delete"),
        exclude=["password", "last_login"],
        model_name="UserEvent",
        app_label="archive",
    )(user_model)
    pghistory.track(
        pghistory.InsertEvent("create"),
        pghistory.UpdateEvent("update"),
        pghistory.DeleteEvent("delete"),
        model_name="GroupEvent",
        app_label="archive",
    )(Group)
    track_links(user_model.groups.through, "UserGroupEvent")
    track_links(user_model.user_permissions.through, "UserPermissionEvent")
    track_links(Group.permissions.through, "GroupPermissionEvent")
    # auth's tables are not this project's to migrate: their triggers stay out of the migration
    # state and `migrate` installs them (PGTRIGGER_INSTALL_ON_MIGRATE), as for the links.
    for model in (user_model, Group):
        model._meta.original_attrs.pop("triggers", None)
        model._meta.triggers = []


def recorded(via, **metadata):
    """The context of the writes made inside it: `via` is "admin", "import", "command", "api"
    or "web"; `metadata` adds who (user: an id) and what (import_run, file, command)."""
    return pghistory.context(via=via, **metadata)


def own_context():
    """In a forked process of a parallel import: its own context row, with the same metadata
    as its parent's. Every write statement's trigger upserts its context row, which locks the
    row until the transaction ends, so processes sharing one row would queue behind each other."""
    tracked = getattr(pghistory.runtime._tracker, "value", None)
    if tracked is not None:
        pghistory.runtime._tracker.value = pghistory.runtime.Context(
            id=uuid.uuid4(), metadata=dict(tracked.metadata)
        )


class HistoryMiddleware(BaseHistoryMiddleware):
    """A request's writes carry its user, its URL and where they came from."""

    def get_context(self, request):
        context = super().get_context(request)
        path = request.path
        if path.startswith("/admin/"):
            context["via"] = "admin"
        elif path.startswith("/api/"):
            context["via"] = "api"
        else:
            context["via"] = "web"
        return context
