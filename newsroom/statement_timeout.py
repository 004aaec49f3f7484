"""A statement timeout for web requests, and the 503 a request that runs into it answers.

The WSGI entry (newsroom.wsgi, which gunicorn and runserver load) calls enable(): every
connection that process opens starts with its statement_timeout. Commands, migrations, imports
and workers never load it, so they run without one. The setting is the session's, so a
persistent connection (CONN_MAX_AGE) keeps it across requests: one SET per connection, and
no connection of a web process can be without it, whoever opens it."""

from django.conf import settings
from django.db.backends.signals import connection_created
from django.db.utils import OperationalError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement cancelled (by the timeout)
JSON_VIEWS = ("api-", "export-", "feed-")  # the names of the views that answer in JSON


def limit_statements(sender=None, connection=None, **kwargs):
    """Give `connection` the statement timeout of web requests (none when it is 0)."""
    timeout = settings.NEWSROOM_STATEMENT_TIMEOUT_MS
    if timeout and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('statement_timeout', %s, false)", [f"{timeout}ms"])


def enable():
    connection_created.connect(limit_statements, dispatch_uid="newsroom-statement-timeout")


def disable():
    connection_created.disconnect(dispatch_uid="newsroom-statement-timeout")


def is_cancelled(exception):
    return isinstance(exception, OperationalError) and (
        getattr(exception.__cause__, "sqlstate", None) == QUERY_CANCELED
    )


def too_broad():
    return _(
        "This search is too broad to answer in time. Narrow it: add a word, or choose a"
        " period, an outlet or a tag."
    )


class StatementTimeoutMiddleware:
    """A request whose statement ran past the timeout answers 503 with a page (or JSON) that
    says to narrow the search, never a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_cancelled(exception):
            return None
        name = getattr(request.resolver_match, "url_name", None) or ""
        if name.startswith(JSON_VIEWS):
            messages = []
            for language in ("ar", "en"):  # Arabic first, then English
                with translation.override(language):
                    messages.append(too_broad())
            return JsonResponse(
                {"errors": {"search": messages}},
                status=503,
                json_dumps_params={"ensure_ascii": False},
            )
        return render(request, "too_broad.html", {"message": too_broad()}, status=503)
