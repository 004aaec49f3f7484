"""WSGI entry point (gunicorn newsroom.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

application = get_wsgi_application()

# Web requests, and only they, get a statement timeout (see newsroom.statement_timeout).
from newsroom import statement_timeout  # noqa: E402

statement_timeout.enable()

# The URLconf (and with it every view module) now rather than at the first request, then
# everything loaded so far moved out of the garbage collector's sight: it lives as long as the
# process, and a full collection in the middle of a request no longer walks it.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018 (the access loads them)
gc.freeze()
