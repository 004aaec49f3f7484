"""/healthz for load balancers: is the database reachable, are all migrations applied."""

import functools

from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


def database_reachable():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


@functools.cache
def latest_migrations():
    """The newest migration of each app, read from the code once per process (the code
    changes only with a deploy, which restarts it); a probe then costs one query."""
    return sorted(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())


def migrations_applied():
    applied = MigrationRecorder(connection).applied_migrations()
    pending = [node for node in latest_migrations() if node not in applied]
    if pending:
        return "not applied: " + ", ".join(f"{app}.{name}" for app, name in pending)
    return "ok"


@never_cache
@require_safe
def healthz(request):
    """200 with every check "ok", or 503 naming the check that failed. The database check
    comes first: without it the migrations cannot be read."""
    checks = {}
    try:
        checks["database"] = database_reachable()
    except DatabaseError as exc:
        checks["database"] = f"unreachable: {exc.__class__.__name__}"
        checks["migrations"] = "not checked"
    else:
        try:
            checks["migrations"] = migrations_applied()
        except DatabaseError as exc:
            checks["migrations"] = f"unreadable: {exc.__class__.__name__}"
    healthy = all(result == "ok" for result in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "failing", "checks": checks},
        status=200 if healthy else 503,
    )
