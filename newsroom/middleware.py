import json
import logging
import time

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.utils.functional import SimpleLazyObject, empty

request_log = logging.getLogger("newsroom.requests")


class ArabicFirstMiddleware:
    """Arabic unless the reader chose English with the language switcher.

    The browser's Accept-Language is ignored: many Arabic readers use an English system, and
    the archive is Arabic first. The switcher's choice is kept in the language cookie, which
    LocaleMiddleware (next in the chain) reads."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class RequestLogMiddleware:
    """One JSON line per request on the logger newsroom.requests: method, path, status,
    duration in milliseconds and the user's id when one is logged in. On when
    settings.REQUEST_LOG is (by default whenever DJANGO_DEBUG is false)."""

    def __init__(self, get_response):
        if not settings.REQUEST_LOG:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        entry = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
            "user_id": _user_id(request),
        }
        request_log.info(json.dumps(entry))
        return response


def _user_id(request):
    # Only a user the request already loaded: looking one up here would cost a query.
    user = getattr(request, "user", None)
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:
        return None
    return user.pk if user is not None and user.is_authenticated else None
