"""Settings come from the environment; a bad value stops the start and names the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from newsroom.settings import database_from_url, env_bool, env_list, env_slug

BASE_DIR = Path(__file__).resolve().parents[2]


def start_django(**env):
    """Import the settings in a fresh interpreter, as `manage.py` or gunicorn would."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update({"DJANGO_SETTINGS_MODULE": "newsroom.settings", **env})
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG"),
        ({"DJANGO_DEBUG": "false"}, "DJANGO_SECRET_KEY"),
        (
            {"DJANGO_DEBUG": "true", "DJANGO_ALLOWED_HOSTS": "https://news.example.org"},
            "DJANGO_ALLOWED_HOSTS",
        ),
        ({"DJANGO_DEBUG": "true", "DJANGO_ALLOWED_HOSTS": " , "}, "DJANGO_ALLOWED_HOSTS"),
        ({"DJANGO_DEBUG": "true", "DATABASE_URL": "mysql://root@localhost/news"}, "DATABASE_URL"),
        (
            {"DJANGO_DEBUG": "true", "DATABASE_URL": "postgres://localhost:99999/news"},
            "DATABASE_URL",
        ),
        ({"DJANGO_DEBUG": "true", "DATABASE_URL": "postgres://localhost/"}, "DATABASE_URL"),
        ({"DJANGO_DEBUG": "true", "DJANGO_HTTPS": "sometimes"}, "DJANGO_HTTPS"),
        ({"DJANGO_DEBUG": "true", "DJANGO_HTTPS": "on", "DJANGO_HSTS_SECONDS": "0"}, "HSTS"),
        ({"DJANGO_DEBUG": "true", "DJANGO_HTTPS": "on", "DJANGO_HSTS_SECONDS": "1y"}, "HSTS"),
        ({"DJANGO_DEBUG": "true", "DJANGO_TRUSTED_PROXIES": "-1"}, "DJANGO_TRUSTED_PROXIES"),
        ({"DJANGO_DEBUG": "true", "DJANGO_TRUSTED_PROXIES": "nginx"}, "DJANGO_TRUSTED_PROXIES"),
        ({"DJANGO_DEBUG": "true", "DJANGO_REQUEST_LOG": "loud"}, "DJANGO_REQUEST_LOG"),
        (
            {"DJANGO_DEBUG": "true", "DJANGO_CSRF_TRUSTED_ORIGINS": "news.example.org"},
            "DJANGO_CSRF_TRUSTED_ORIGINS",
        ),
        (
            {"DJANGO_DEBUG": "true", "DJANGO_CSRF_TRUSTED_ORIGINS": "https://x.org/admin/"},
            "DJANGO_CSRF_TRUSTED_ORIGINS",
        ),
        (
            {"DJANGO_DEBUG": "true", "DJANGO_CSRF_TRUSTED_ORIGINS": "ftp://x.org"},
            "DJANGO_CSRF_TRUSTED_ORIGINS",
        ),
        (
            {"DJANGO_DEBUG": "true", "DJANGO_CSRF_TRUSTED_ORIGINS": ","},
            "DJANGO_CSRF_TRUSTED_ORIGINS",
        ),
        (
            {"DJANGO_DEBUG": "true", "NEWSROOM_TIMELINE_TAG": "north korea/troops"},
            "NEWSROOM_TIMELINE_TAG",
        ),
    ],
)
def test_bad_value_stops_the_start_naming_the_variable(env, variable):
    result = start_django(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    assert variable in last_line


def test_good_values_start():
    result = start_django(
        DJANGO_DEBUG="off",
        DJANGO_SECRET_KEY="s3cret-for-this-test",
        DJANGO_ALLOWED_HOSTS="news.example.org,.example.org",
        DATABASE_URL="postgresql://u:p%40ss@db.example.org:6543/news?sslmode=require",
    )
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("TRUE", True), ("yes", True), ("off", False), ("0", False), ("", False)],
)
def test_env_bool(monkeypatch, raw, expected):
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG") is expected


def test_env_bool_default_when_unset(monkeypatch):
    monkeypatch.delenv("X_FLAG", raising=False)
    assert env_bool("X_FLAG", default=True) is True


@pytest.mark.parametrize(
    ("raw", "expected"), [(None, "demo-tag"), (" other-tag ", "other-tag"), ("", "")]
)
def test_env_slug(monkeypatch, raw, expected):
    if raw is None:
        monkeypatch.delenv("X_SLUG", raising=False)
    else:
        monkeypatch.setenv("X_SLUG", raw)
    assert env_slug("X_SLUG", "demo-tag") == expected


def test_env_list(monkeypatch):
    monkeypatch.setenv("X_HOSTS", " a.example.org, ,b.example.org ")
    assert env_list("X_HOSTS", []) == ["a.example.org", "b.example.org"]


def test_database_url_is_parsed():
    db = database_from_url("postgresql://u:p%40ss@db.example.org:6543/news?sslmode=require")
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "u",
        "p@ss",
        "db.example.org",
        "6543",
        "news",
    )
    assert db["OPTIONS"] == {"sslmode": "require"}


def test_database_url_with_a_unix_socket():
    db = database_from_url("postgres://postgres@/newsroom?host=/srv/app/.pgdata")
    assert db["HOST"] == "/srv/app/.pgdata" and db["NAME"] == "newsroom" and db["OPTIONS"] == {}


def test_database_url_must_be_postgres():
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        database_from_url("mysql://root@localhost/news")


def test_the_wsgi_worker_loads_its_views_and_freezes_them():
    """gunicorn's worker has the URLconf and views loaded before its first request, and
    what was loaded is out of the garbage collector's sight (gc.freeze)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update({"DJANGO_SECRET_KEY": "wsgi-test", "DJANGO_DEBUG": "false"})
    code = (
        "import gc, sys; before = gc.get_freeze_count(); import newsroom.wsgi; "
        "print(before, gc.get_freeze_count(), 'archive.views' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    before, after, views_loaded = result.stdout.split()
    assert before == "0" and int(after) > 10_000 and views_loaded == "True"
