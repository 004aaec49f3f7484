"""The Content-Security-Policy in a real Chromium: an editor logs in through the form, lists
articles, opens a change form, uses its widgets and the import page, and a reader uses the
public pages; the browser reports no violation of the policy."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from archive import search
from archive.tests.conftest import require_chromium, served

require_chromium()


pytestmark = pytest.mark.browser

PASSWORD = "a-long-editor-password"


@pytest.fixture
def site(transactional_db, settings):
    call_command("loaddata", "seed", verbosity=0)
    search.refresh_vocabulary()
    # A superuser: every admin page, including user management, is opened.
    User.objects.create_superuser("layla", password=PASSWORD)
    with served(settings) as url:
        yield url


@pytest.fixture
def violations(page):
    """What the browser reports against the policy: console errors and the DOM's
    securitypolicyviolation events, gathered on every page the test opens."""
    found = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    return found


def test_the_admin_works_under_the_policy(site, page, violations):
    page.goto(site + "/admin/")
    page.fill("#id_username", "layla")
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_selector("#user-tools")

    page.goto(site + "/admin/archive/article/")
    assert page.locator("#result_list tbody tr").count() > 0
    # The actions bar's "select all" is driven by the admin's scripts.
    page.locator("#action-toggle").check()
    assert page.locator(".action-counter").inner_text().strip() != ""

    page.locator("#result_list tbody tr th a").first.click()
    page.wait_for_selector("#article_form")
    # Scripts of the change form: the date shortcuts and the filtered tag selector.
    assert page.locator(".datetimeshortcuts").count() > 0
    assert page.locator(".selector-filter input, select[multiple]").count() > 0

    page.goto(site + "/admin/archive/article/import/")
    assert page.locator("form input[type=file]").count() == 1

    page.goto(site + "/admin/archive/claim/add/")
    page.wait_for_selector("#claim_form")
    page.goto(site + "/admin/auth/user/")
    page.locator("#result_list tbody tr th a").first.click()
    page.wait_for_selector("#user_form")
    assert violations == []


def test_public_pages_work_under_the_policy(site, page, violations):
    for path in ("/", "/?q=كورسك", "/claims/", "/no-such-page/"):
        page.goto(site + path)
    page.goto(site + "/")
    page.locator(".results .card h3 a").first.click()
    page.wait_for_selector("article.article h1")
    assert violations == []
    # The watch itself sees a violation: an inline style set from a script is refused.
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        page.evaluate("document.body.setAttribute('style', 'color: red')")
    assert any("style-src" in text for text in violations)
