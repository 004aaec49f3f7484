"""Settings for the newsroom archive: one file, driven by environment variables.

DATABASE_URL          postgres://user:password@host:port/name (unset: the embedded server)
DJANGO_SECRET_KEY     required unless DJANGO_DEBUG is true
DJANGO_DEBUG          true/false (default false)
DJANGO_ALLOWED_HOSTS  comma-separated host names (default: localhost names when debugging)
DJANGO_HTTPS          true/false (default: true unless debugging): https redirect, secure
                      cookies, HSTS, and trust of the proxy's X-Forwarded-Proto
DJANGO_HSTS_SECONDS   HSTS max-age when DJANGO_HTTPS is on (default one year)
DJANGO_CSRF_TRUSTED_ORIGINS  comma-separated origins (https://news.example.org) behind a proxy
DJANGO_TRUSTED_PROXIES  how many proxies in front of the app append to X-Forwarded-For
                      (default 0: the header is ignored, the client is REMOTE_ADDR)
DJANGO_REQUEST_LOG    true/false: one JSON line per request (default: true unless debugging)
NEWSROOM_IMPORTS_DIR            where admin uploads and their rejects are kept (var/imports)
NEWSROOM_IMPORT_RETENTION_DAYS  days they are kept (30)
NEWSROOM_IMPORT_MAX_TEXT_MB     what an admin upload may hold once decompressed (50)
NEWSROOM_STATEMENT_TIMEOUT_MS  the longest a web request's SQL statement may run (default
                      5000; 0: none). Commands and workers have none.
NEWSROOM_TIME_ZONE    the newsroom's time zone, an IANA name: times are shown and entered in
                      it, and a reader's days (date filters) are its days (Asia/Riyadh)
NEWSROOM_UNVERIFIED_DAYS  days after which the desk flags a claim still unverified (14)
NEWSROOM_TIMELINE_TAG  the slug of the tag whose figures the claims page charts when the
                      reader chose none (north-korean-troops-in-russia; empty: no chart)

A bad value stops the start with ImproperlyConfigured naming the variable.
"""

import os
import zoneinfo
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import pgtrigger
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_bool(name, default=False):
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (1/0, yes/no, on/off), not {raw!r}")


def env_list(name, default):
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    items = [item.strip() for item in raw.split(",") if item.strip()]
    for item in items:
        if "://" in item or "/" in item or " " in item:
            raise ImproperlyConfigured(
                f"{name} takes host names separated by commas (e.g. news.example.org,.example.org),"
                f" "
                f"not {item!r}"
            )
    if not items:
        raise ImproperlyConfigured(f"{name} is set but names no host")
    return items


def env_int(name, default, minimum=0):
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {raw!r}")
    return value


def env_time_zone(name, default):
    """An IANA time zone name (Asia/Riyadh, Africa/Cairo), checked against the zone database."""
    raw = os.environ.get(name)
    value = default if raw is None else raw.strip()
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # unknown, a path, a folder
        raise ImproperlyConfigured(
            f"{name} must be a time zone name of the IANA database (e.g. Asia/Riyadh,"
            f" Africa/Cairo, UTC), not {raw!r}"
        ) from None
    return value


def env_slug(name, default):
    """A slug as the archive's URLs take it: no slash and no space; empty for none."""
    raw = os.environ.get(name)
    value = default if raw is None else raw.strip()
    if "/" in value or any(character.isspace() for character in value):
        raise ImproperlyConfigured(f"{name} must be a slug (no slash, no space), not {raw!r}")
    return value


def env_origins(name):
    """Origins as a browser sends them: scheme and host (and port), no path."""
    raw = os.environ.get(name)
    if raw is None:
        return []
    items = [item.strip() for item in raw.split(",") if item.strip()]
    for item in items:
        parts = urlsplit(item)
        if (
            parts.scheme not in {"http", "https"}
            or not parts.netloc
            or parts.path not in {"", "/"}
            or parts.query
            or parts.fragment
            or " " in item
        ):
            raise ImproperlyConfigured(
                f"{name} takes origins separated by commas (e.g. https://news.example.org),"
                f" not {item!r}"
            )
    if not items:
        raise ImproperlyConfigured(f"{name} is set but names no origin")
    return [item.rstrip("/") for item in items]


def database_from_url(url, name="DATABASE_URL"):
    """Django's DATABASES entry for a postgres:// URL. A unix socket folder is given as
    ?host=/path, other query parameters become connection options (sslmode, ...)."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(
            f"{name} must be a postgres:// URL (this project runs on PostgreSQL only), not {url!r}"
        )
    options = dict(parse_qsl(parts.query))
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured(f"{name} has an invalid port: {url!r}") from None
    database = unquote(parts.path.lstrip("/"))
    if not database or "/" in database:
        raise ImproperlyConfigured(f"{name} must name one database after the host, not {url!r}")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": database,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": options.pop("host", None) or parts.hostname or "",
        "PORT": str(port or ""),
        "OPTIONS": options,
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }


def embedded_database_url():
    from newsroom.embedded_db import database_url

    return database_url()


DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false "
            '(e.g. python -c "import secrets; print(secrets.token_urlsafe(50))")'
        )
    SECRET_KEY = "insecure-development-key-only-used-with-DJANGO_DEBUG-true"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)

CSRF_TRUSTED_ORIGINS = env_origins("DJANGO_CSRF_TRUSTED_ORIGINS")

# HTTPS, on by default in production. DJANGO_HTTPS=false serves plain HTTP, for a private
# network only: cookies then travel unencrypted.
HTTPS = env_bool("DJANGO_HTTPS", default=not DEBUG)
if HTTPS:
    SECURE_SSL_REDIRECT = True
    # Load balancers probe /healthz over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The TLS-terminating proxy says which scheme the reader used.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 365 * 24 * 3600, minimum=1)

SILENCED_SYSTEM_CHECKS = [
    # HSTS covers this host only: other hosts of the newsroom's domain may still serve
    # plain HTTP, and includeSubDomains would cut them off for a year.
    "security.W005",
    # Preloading into browsers cannot be undone quickly; it is the domain owner's choice.
    "security.W021",
]

# How many proxies append to X-Forwarded-For: the client is the address the outermost trusted
# one saw. With 0 the header is ignored, so that a reader cannot choose the address of the
# login throttle (newsroom/client_ip.py).
TRUSTED_PROXIES = env_int("DJANGO_TRUSTED_PROXIES", 0)

DATABASES = {
    "default": database_from_url(os.environ.get("DATABASE_URL") or embedded_database_url()),
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django_filters",
    "procrastinate.contrib.django",
    "axes",
    "pgtrigger",
    "pghistory",
    "archive",
]

# History (archive/history.py): one trigger run per statement, not per row, so that an
# import's bulk_create records its rows in one insert of the history.
PGHISTORY_LEVEL = pgtrigger.Statement
# The triggers of tables Django makes itself (the many-to-many links, auth's users and groups)
# are not in migrations: `migrate` installs them after it runs.
PGTRIGGER_INSTALL_ON_MIGRATE = True
# Requests that write: a reader's GET writes nothing, and is not wrapped.
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# The history tables refuse UPDATE and DELETE (a trigger on each): only a purge for a legal
# takedown (archive.versions.purge) removes events, past those triggers.
PGHISTORY_APPEND_ONLY = True

MIDDLEWARE = [
    "newsroom.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "newsroom.middleware.ArabicFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every write a request makes is recorded with its user and URL (archive/history.py).
    "archive.history.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "newsroom.statement_timeout.StatementTimeoutMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Set on the connections of web processes only (newsroom.wsgi; see newsroom.statement_timeout).
NEWSROOM_STATEMENT_TIMEOUT_MS = env_int("NEWSROOM_STATEMENT_TIMEOUT_MS", 5000, minimum=0)

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Arabic first, English second.
LANGUAGE_CODE = "ar"
LANGUAGES = [("ar", _("Arabic")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Arabic numbers grouped with the Arabic separators (newsroom/formats/ar/formats.py).
FORMAT_MODULE_PATH = ["newsroom.formats"]
FIXTURE_DIRS = [BASE_DIR / "fixtures"]
# Times are stored in UTC (USE_TZ) and shown and entered in the newsroom's zone. Asia/Riyadh
# by default: UTC+3 all year, the time of the Gulf, Iraq, Jordan, Syria and Yemen, and with no
# daylight saving, so that no scheduled time is skipped or repeated.
TIME_ZONE = env_time_zone("NEWSROOM_TIME_ZONE", "Asia/Riyadh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "admin:login"

# The tag whose figures the claims page charts when the reader chose none: the seed's story by
# default, empty for no chart.
NEWSROOM_TIMELINE_TAG = env_slug("NEWSROOM_TIMELINE_TAG", "north-korean-troops-in-russia")

# Content-Security-Policy (django-csp): scripts and styles from our own origin only, nothing
# inline. The JSON-LD data block is not a script the browser runs, so it needs no exception.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Admin login throttling (django-axes): the 10th failure for one account from one address
# locks that pair out for an hour; a success resets the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 10
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = 1  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "newsroom.client_ip.client_ip"

# One JSON line per request on standard output (newsroom.middleware.RequestLogMiddleware).
REQUEST_LOG = env_bool("DJANGO_REQUEST_LOG", default=not DEBUG)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"bare": {"format": "%(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "requests": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "bare",
        },
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "newsroom.requests": {"handlers": ["requests"], "level": "INFO", "propagate": False},
    },
}


# Admin imports run in the background, in a job queue kept in PostgreSQL (procrastinate; its
# worker: `make run` or `manage.py procrastinate worker`). Uploads and rejects stay in
# NEWSROOM_IMPORTS_DIR for NEWSROOM_IMPORT_RETENTION_DAYS, then go (newsroom/backup.py saves it).
NEWSROOM_IMPORTS_DIR = Path(os.environ.get("NEWSROOM_IMPORTS_DIR") or BASE_DIR / "var" / "imports")
NEWSROOM_IMPORT_RETENTION_DAYS = env_int("NEWSROOM_IMPORT_RETENTION_DAYS", 30, minimum=1)
NEWSROOM_IMPORT_MAX_TEXT_MB = env_int("NEWSROOM_IMPORT_MAX_TEXT_MB", 50, minimum=1)
# The editors' desk (archive/desk.py) flags a claim still unverified after this many days.
NEWSROOM_UNVERIFIED_DAYS = env_int("NEWSROOM_UNVERIFIED_DAYS", 14, minimum=1)
# Two jobs at once, so that the maintenance jobs run beside an import (imports share a lock
# and run one at a time). A stopping worker gives a running import a few seconds, then asks
# it to stop after its current batch.
PROCRASTINATE_WORKER_DEFAULTS = {"concurrency": 2, "shutdown_graceful_timeout": 5}
