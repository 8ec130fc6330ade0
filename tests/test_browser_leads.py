"""Each lead flow walked in a real browser, with axe-core checking every page."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from conftest import assert_accessible

from leadsite.outbox import deliver_due

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(mailing_browser_config):
    return mailing_browser_config


def delivered_link(app, smtp_server, path_start: str) -> str:
    with app.app_context():
        deliver_due()
    text = smtp_server.messages[-1].get_body(preferencelist=("plain",)).get_content()
    for url in re.findall(r"https?://\S+", text):
        if urlsplit(url).path.startswith(path_start):
            return url
    raise AssertionError(f"no {path_start} link in:\n{text}")


def test_subscribe_in_the_footer_then_confirm(app, live_server, page, smtp_server):
    page.goto(live_server.url + "/")
    footer = page.locator("footer form")
    footer.get_by_label("Email address").fill("not an address")
    footer.get_by_role("button", name="Subscribe").click()
    assert "complete email address" in page.locator(".form-errors").inner_text()
    assert page.get_by_label("Email address").input_value() == "not an address"
    assert_accessible(page)

    page.get_by_label("Email address").fill("browser@example.com")
    page.locator("main").get_by_role("button", name="Subscribe").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Almost done")
    assert_accessible(page)

    page.goto(delivered_link(app, smtp_server, "/confirm/"))
    assert_accessible(page)
    page.get_by_role("button", name="Confirm").click()
    assert "You're confirmed" in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page)

    page.goto(delivered_link(app, smtp_server, "/unsubscribe/"))
    page.get_by_role("button", name="Unsubscribe").click()
    assert "unsubscribed" in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page)


def test_free_resource_request_and_download(app, live_server, page, smtp_server):
    page.goto(live_server.url + "/free-resource")
    assert_accessible(page)
    page.locator("main").get_by_label("Email address").fill("reader@example.com")
    page.get_by_role("button", name="Email me the download link").click()
    assert "Check your email" in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page)

    link = delivered_link(app, smtp_server, "/download/")
    with page.expect_download() as info:
        page.evaluate("url => { window.location.href = url; }", link)
    assert info.value.suggested_filename.endswith(".pdf")


def test_state_waitlist(app, live_server, page, smtp_server):
    page.goto(live_server.url + "/state-guides")
    assert_accessible(page)
    page.get_by_role("button", name="Join the waitlist").click()
    assert "Please choose your state" in page.locator(".form-errors").inner_text()
    assert_accessible(page)
    page.get_by_label("Your state").select_option("OR")
    page.locator("main").get_by_label("Email address").fill("wait@example.com")
    page.get_by_role("button", name="Join the waitlist").click()
    assert "Oregon" in page.locator("main").inner_text()
    assert_accessible(page)


def test_contact(app, live_server, page, smtp_server):
    page.goto(live_server.url + "/contact")
    assert_accessible(page)
    page.get_by_label("Your name").fill("Alex")
    page.get_by_label("Your email address").fill("alex@example.com")
    page.get_by_label("Your message").fill("When is the Texas guide coming?")
    page.get_by_role("button", name="Send message").click()
    assert "Thank you" in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page)
    with app.app_context():
        deliver_due()
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "alex@example.com",
        "owner@site.test",
    ]


def test_a_quick_person_is_a_lead_at_once_and_gets_the_mail(
    app, live_server, page, smtp_server
):
    """A browser that fills the address for her: she presses the button a second
    after the page loads. Nothing makes her wait or drops her."""
    from sqlalchemy import select

    from leadsite.extensions import db
    from leadsite.models import Person

    page.goto(live_server.url + "/free-resource")
    page.wait_for_timeout(1000)
    page.locator("main").get_by_label("Email address").fill("quick@example.com")
    page.get_by_role("button", name="Email me the download link").click()
    assert "Check your email" in page.get_by_role("heading", level=1).inner_text()
    with app.app_context():  # a lead the moment she sees the thank-you page
        assert db.session.scalars(select(Person.email)).all() == ["quick@example.com"]
    link = delivered_link(app, smtp_server, "/download/")
    assert smtp_server.messages[-1]["To"] == "quick@example.com"
    assert link.startswith(live_server.url + "/download/")
