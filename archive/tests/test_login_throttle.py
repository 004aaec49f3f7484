"""Admin logins are throttled per account and address (django-axes): the 10th failure locks
that account out from that address only, and behind a proxy the address is read from
X-Forwarded-For only when the proxy is trusted (DJANGO_TRUSTED_PROXIES)."""

import pytest
from django.contrib.auth.models import User
from django.test import RequestFactory
from django.urls import reverse

from newsroom.client_ip import client_ip

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-editor-password"


@pytest.fixture
def editors(settings):
    # A fast hasher: these tests check passwords dozens of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return [
        User.objects.create_user(name, password=PASSWORD, is_staff=True)
        for name in ("layla", "omar")
    ]


def log_in(client, username, password, **headers):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password}, **headers
    )


def fail(client, username, times, **headers):
    return [log_in(client, username, "wrong", **headers).status_code for _ in range(times)]


def test_the_tenth_failure_locks_out_that_account_from_that_address(client, editors):
    assert fail(client, "layla", 9, REMOTE_ADDR="198.51.100.7") == [200] * 9
    assert log_in(client, "layla", "wrong", REMOTE_ADDR="198.51.100.7").status_code == 429
    # Locked: even the right password is refused.
    locked = log_in(client, "layla", PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_speaks_arabic_and_english(client, editors):
    fail(client, "layla", 10, REMOTE_ADDR="198.51.100.7")
    html = log_in(client, "layla", PASSWORD, REMOTE_ADDR="198.51.100.7").content.decode()
    assert "الدخول مقفل" in html and "بعد 10 محاولات فاشلة" in html
    assert "Login locked" in html and "after 10 failed attempts" in html


def test_another_account_and_another_address_still_log_in(client, editors):
    fail(client, "layla", 10, REMOTE_ADDR="198.51.100.7")
    assert log_in(client, "omar", PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 302
    client.logout()
    assert log_in(client, "layla", PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 302


def test_a_success_before_the_limit_starts_the_count_again(client, editors):
    fail(client, "layla", 9, REMOTE_ADDR="198.51.100.7")
    assert log_in(client, "layla", PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 302
    client.logout()
    assert fail(client, "layla", 9, REMOTE_ADDR="198.51.100.7") == [200] * 9


def test_an_untrusted_forwarded_header_is_ignored(client, editors):
    """Without a trusted proxy a reader cannot dodge the lockout by inventing addresses."""
    for n in range(10):
        log_in(
            client, "layla", "wrong", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}"
        )
    response = log_in(
        client, "layla", PASSWORD, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="10.0.0.99"
    )
    assert response.status_code == 429


def test_behind_a_trusted_proxy_one_reader_cannot_lock_out_the_others(client, editors, settings):
    """All readers arrive from the proxy's one address: the lockout follows the reader's own
    address, which the proxy appended, not the one the reader wrote into the header."""
    settings.TRUSTED_PROXIES = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    attacker = "198.51.100.7"
    for _ in range(10):
        log_in(client, "layla", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.9, {attacker}", **proxy)
    assert (
        log_in(client, "layla", PASSWORD, HTTP_X_FORWARDED_FOR=attacker, **proxy).status_code == 429
    )
    editor = log_in(client, "layla", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)
    assert editor.status_code == 302


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, None, "10.0.0.2"),
        (0, "198.51.100.7", "10.0.0.2"),
        (1, None, "10.0.0.2"),
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "1.2.3.4, 198.51.100.7", "198.51.100.7"),
        (1, " 1.2.3.4 ,198.51.100.7 ", "198.51.100.7"),
        (2, "1.2.3.4, 198.51.100.7, 10.0.0.1", "198.51.100.7"),
        (1, "2001:db8::7", "2001:db8::7"),
        (1, "not-an-address", "10.0.0.2"),
        (1, "1.2.3.4, ", "1.2.3.4"),
    ],
)
def test_client_ip(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXIES = proxies
    headers = {"REMOTE_ADDR": "10.0.0.2"}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_ip(RequestFactory().get("/", **headers)) == expected
