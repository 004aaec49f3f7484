"""/healthz for load balancers: is the database reachable, are all migrations applied."""

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


def database_reachable():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def migrations_applied():
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        names = ", ".join(f"{migration.app_label}.{migration.name}" for migration, _ in pending)
        return f"not applied: {names}"
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
