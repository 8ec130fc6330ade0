"""The Account page in a real browser, CSRF on: two-step sign-in set up from the
QR page's key, the list of sign-ins, and "sign out everywhere" behind its
confirmation, with axe-core checking each state of the page."""

from __future__ import annotations

import pyotp
import pytest
from conftest import assert_accessible
from test_admin_support import PASSWORD, make_owner, sign_in_page

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


def test_account_page_two_step_and_sign_out_everywhere(app, live_server, page):
    make_owner(app)
    sign_in_page(page, live_server.url + "/admin/sign-in")

    page.get_by_role("link", name="Your account").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Your account"
    assert "(this browser)" in page.get_by_role("table").inner_text()
    assert page.locator("footer").count() == 0  # no public footer in the admin
    assert_accessible(page)

    page.get_by_role("link", name="Set up two-step sign-in").click()
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    assert qr.evaluate("img => img.complete && img.naturalWidth") > 100
    assert_accessible(page)
    secret = page.locator("#secret-key").inner_text().replace(" ", "")
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).now())
    page.get_by_label("Your current password").fill(PASSWORD)
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    assert "Two-step sign-in is on." in page.get_by_role("status").inner_text()
    assert page.get_by_role("button", name="Turn two-step sign-in off").is_visible()
    assert_accessible(page)

    confirm = page.get_by_role("button", name="Yes, sign out everywhere")
    assert not confirm.is_visible()  # a first click only opens the question
    page.get_by_text("Sign out everywhere", exact=True).click()
    assert confirm.is_visible()
    assert_accessible(page)
    confirm.click()
    assert "You are signed out on every device." in page.locator("main").inner_text()
    page.goto(live_server.url + "/admin/account")
    assert page.url.startswith(live_server.url + "/admin/sign-in")


def test_forgotten_password_pages(app, live_server, page):
    page.goto(live_server.url + "/admin/sign-in")
    page.get_by_role("link", name="Forgotten your password?").click()
    assert_accessible(page)
    page.get_by_label("Email address").fill("someone@example.com")
    page.get_by_role("button", name="Send me a link").click()
    assert "an email with a link" in page.get_by_role("status").inner_text()
    assert_accessible(page)
    page.goto(live_server.url + "/admin/reset-password/not-a-real-link")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "This link no longer works"
    )
    assert_accessible(page)
