"""A production deploy is safe by default: `check --deploy` is clean, HTTPS is on unless
DJANGO_HTTPS=false, a Content-Security-Policy forbids inline script and style, /healthz answers
load balancers and every request leaves one JSON log line."""

import json
import logging
import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

BASE_DIR = Path(__file__).resolve().parents[2]


def production_env(**env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "news.example.org",
            **env,
        }
    )
    return environment


def run_python(code, **env):
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=production_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- check --deploy and DJANGO_HTTPS --------------------------------------------------------


def check_deploy(**env):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=production_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_a_real_key_and_host():
    result = check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_names_what_plain_http_gives_up():
    """DJANGO_HTTPS=false is a deliberate choice for a private network; the check says so."""
    result = check_deploy(DJANGO_HTTPS="false")
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


SHOW_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({name: getattr(s, name, None) for name in ["
    "'SECURE_SSL_REDIRECT', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
    "'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_PROXY_SSL_HEADER', "
    "'CSRF_TRUSTED_ORIGINS', 'TRUSTED_PROXIES', 'REQUEST_LOG']}))"
)


def shown_settings(**env):
    result = run_python(SHOW_SETTINGS, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_https_is_on_by_default_in_production():
    values = shown_settings()
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["TRUSTED_PROXIES"] == 0 and values["CSRF_TRUSTED_ORIGINS"] == []
    assert values["REQUEST_LOG"] is True


def test_plain_http_turns_it_all_off_and_debugging_defaults_to_it():
    for env in ({"DJANGO_HTTPS": "false"}, {"DJANGO_DEBUG": "true"}):
        values = shown_settings(**env)
        assert values["SECURE_SSL_REDIRECT"] is False
        assert values["SESSION_COOKIE_SECURE"] is False and values["CSRF_COOKIE_SECURE"] is False
        assert values["SECURE_HSTS_SECONDS"] == 0
        assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert shown_settings(DJANGO_DEBUG="true")["REQUEST_LOG"] is False


def test_proxy_settings_are_read():
    values = shown_settings(
        DJANGO_CSRF_TRUSTED_ORIGINS="https://news.example.org, https://admin.example.org:8443/",
        DJANGO_TRUSTED_PROXIES="1",
        DJANGO_HSTS_SECONDS="3600",
        DJANGO_REQUEST_LOG="false",
    )
    assert values["CSRF_TRUSTED_ORIGINS"] == [
        "https://news.example.org",
        "https://admin.example.org:8443",
    ]
    assert values["TRUSTED_PROXIES"] == 1 and values["SECURE_HSTS_SECONDS"] == 3600
    assert values["REQUEST_LOG"] is False


@pytest.fixture
def https_on(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["news.example.org"]


@pytest.mark.django_db
def test_plain_http_is_redirected_and_the_proxy_says_https(https_on, client):
    response = client.get("/claims/", HTTP_HOST="news.example.org")
    assert response.status_code == 301
    assert response["Location"] == "https://news.example.org/claims/"
    behind_proxy = client.get(
        "/claims/", HTTP_HOST="news.example.org", HTTP_X_FORWARDED_PROTO="https"
    )
    assert behind_proxy.status_code == 200
    assert behind_proxy["Strict-Transport-Security"] == "max-age=3600"


# --- Content-Security-Policy -----------------------------------------------------------------


class InlineFinder(HTMLParser):
    """Collects what a policy without 'unsafe-inline' would block: <style>, style="",
    on*="" handlers, javascript: links and <script> without src (data blocks aside)."""

    DATA_BLOCKS = {"application/ld+json", "application/json"}

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "style":
            self.found.append("<style>")
        if tag == "script" and not attributes.get("src"):
            if attributes.get("type") not in self.DATA_BLOCKS:
                self.found.append("<script> without src")
        for name, value in attrs:
            if name == "style":
                self.found.append(f'<{tag} style="{value}">')
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            if name in {"href", "src", "action"} and (value or "").startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:>")


def inline_code(html):
    finder = InlineFinder()
    finder.feed(html)
    return finder.found


def test_the_finder_sees_each_kind_of_inline_code():
    html = (
        '<style>p{}</style><p style="color:red" onclick="x()">a</p>'
        '<script>alert(1)</script><a href="javascript:x()">b</a>'
        '<script src="/s.js"></script><script type="application/ld+json">{}</script>'
    )
    assert len(inline_code(html)) == 5


def assert_policy(response):
    policy = response["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
    )
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.fixture
def public_urls(archive_db):
    from archive.models import Article, Claim, Source, Tag

    article = Article.objects.published().filter(claim_appearances__isnull=False).first()
    return [
        "/",
        "/?q=كوريا",
        "/claims/",
        article.get_absolute_url(),
        Claim.objects.published().first().get_absolute_url(),
        reverse("source", args=[Source.objects.first().slug]),
        reverse("tag", args=[Tag.objects.first().slug]),
        "/no-such-page/",
        "/admin/login/",
    ]


def test_public_pages_send_the_policy_and_hold_no_inline_code(client, public_urls):
    for url in public_urls:
        response = client.get(url)
        assert response.status_code in {200, 404}, url
        assert_policy(response)
        assert inline_code(response.content.decode()) == [], url


def test_admin_pages_send_the_policy_and_hold_no_inline_code(editor_client, archive_db):
    from archive.models import Article, Claim, Source, Tag

    article = Article.objects.first()
    urls = [reverse("admin:index"), reverse("admin:archive_article_import")]
    for model in (Article, Claim, Source, Tag):
        name = f"admin:archive_{model._meta.model_name}"
        urls += [
            reverse(f"{name}_changelist"),
            reverse(f"{name}_add"),
            reverse(f"{name}_change", args=[model.objects.first().pk]),
        ]
    urls.append(reverse("admin:archive_article_changelist") + f"?q={article.title[:5]}")
    for url in urls:
        response = editor_client.get(url)
        assert response.status_code == 200, url
        assert_policy(response)
        assert inline_code(response.content.decode()) == [], url


# --- /healthz --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_answers_200_in_json_over_plain_http(https_on, client):
    response = client.get("/healthz", HTTP_HOST="news.example.org")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}
    assert "Set-Cookie" not in response.headers and not response.cookies
    assert "no-cache" in response["Cache-Control"]
    head = client.head("/healthz", HTTP_HOST="news.example.org")
    assert head.status_code == 200 and head.content == b""


@pytest.mark.django_db
def test_healthz_refuses_other_methods(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_healthz_answers_503_naming_unapplied_migrations(client):
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM django_migrations WHERE app = 'archive' AND name = "
            "(SELECT max(name) FROM django_migrations WHERE app = 'archive')"
        )
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing" and body["checks"]["database"] == "ok"
    assert body["checks"]["migrations"].startswith("not applied: archive.")


def test_healthz_answers_503_when_the_database_is_unreachable():
    code = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/healthz', HTTP_HOST='news.example.org', secure=True); "
        "print(r.status_code, r.content.decode())"
    )
    result = run_python(
        code, DATABASE_URL="postgres://nobody@127.0.0.1:9/nothing", DJANGO_REQUEST_LOG="false"
    )
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.split(" ", 1)
    assert status == "503"
    checks = json.loads(body)["checks"]
    assert checks["database"].startswith("unreachable")
    assert checks["migrations"] == "not checked"


# --- request logs ----------------------------------------------------------------------------


class Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


@pytest.fixture
def request_log(settings):
    settings.REQUEST_LOG = True
    handler = Lines()
    logger = logging.getLogger("newsroom.requests")
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


@pytest.mark.django_db
def test_one_json_line_per_request_with_status_duration_and_user(request_log, editor):
    client = Client()
    client.get("/claims/?q=a")
    client.get("/no-such-page/")
    client.force_login(editor)
    client.get(reverse("admin:index"))
    entries = [json.loads(line) for line in request_log]
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("GET", "/claims/", 200),
        ("GET", "/no-such-page/", 404),
        ("GET", "/admin/", 200),
    ]
    assert [e["user_id"] for e in entries] == [None, None, editor.pk]
    assert all(isinstance(e["duration_ms"], float) and e["duration_ms"] >= 0 for e in entries)
    assert all("\n" not in line for line in request_log)


@pytest.mark.django_db
def test_no_request_log_when_turned_off(request_log, settings):
    settings.REQUEST_LOG = False
    Client().get("/claims/")
    assert request_log == []


def test_production_writes_the_request_log_to_standard_output():
    code = (
        "import django; django.setup(); from django.test import Client; "
        "Client().get('/healthz', HTTP_HOST='news.example.org', secure=True)"
    )
    result = run_python(code, DATABASE_URL="postgres://nobody@127.0.0.1:9/nothing")
    assert result.returncode == 0, result.stderr
    entry = json.loads(result.stdout.strip().splitlines()[-1])
    assert entry["path"] == "/healthz" and entry["status"] == 503
