"""The admin in a real browser, CSRF on: sign in, look around, filter the leads and
export them, with axe-core checking every page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import assert_accessible
from test_admin_support import OWNER, PASSWORD, add_lead, add_message, make_owner

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


def test_sign_in_filter_and_export(app, live_server, page, tmp_path):
    make_owner(app)
    day = datetime(2026, 3, 2, 12, tzinfo=UTC)
    add_lead(app, "ann@example.com", "waitlist", "CA", name="Ann", created_at=day)
    add_lead(app, "bo@example.com", "waitlist", "TX", "pending", created_at=day)
    add_lead(app, "cy@example.com", "newsletter", "", name="=Cy", created_at=day)
    add_message(app, "cy@example.com", "Hello there")

    page.goto(live_server.url + "/admin/leads")
    assert page.url.startswith(live_server.url + "/admin/sign-in")
    assert_accessible(page)
    page.get_by_label("Email address").fill(OWNER)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert "don't match" in page.get_by_role("alert").first.inner_text()
    assert page.get_by_label("Email address").input_value() == OWNER
    assert_accessible(page)

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Leads"
    assert_accessible(page)

    page.get_by_label("Kind of sign-up").select_option("waitlist")
    page.get_by_label("Signed up on or after").fill("2026-03-01")
    page.get_by_role("button", name="Show").click()
    table = page.get_by_role("table")
    assert table.get_by_role("row").count() == 3  # the header and two people
    assert "cy@example.com" not in table.inner_text()
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export these 2 rows as CSV").click()
    saved = tmp_path / "leads.csv"
    download_info.value.save_as(saved)
    text = saved.read_bytes().decode("utf-8")
    assert text.startswith("\ufeffemail,name,purpose,state,")
    assert [line.split(",")[0] for line in text.splitlines()[1:]] == [
        "ann@example.com",
        "bo@example.com",
    ]

    for name in ("Dashboard", "Messages", "Mail", "Launch a guide", "Announce"):
        page.get_by_role("navigation", name="Admin").get_by_role(
            "link", name=name, exact=True
        ).click()
        assert page.get_by_role("heading", level=1).count() == 1
        assert_accessible(page)

    page.get_by_role("navigation", name="Admin").get_by_role(
        "link", name="Messages", exact=True
    ).click()
    page.get_by_role("button", name="Mark as handled").click()
    assert "No messages here." in page.locator("main").inner_text()

    page.get_by_role("button", name="Sign out").click()
    assert "You are signed out." in page.locator("main").inner_text()
    page.goto(live_server.url + "/admin/")
    assert page.url.startswith(live_server.url + "/admin/sign-in")
