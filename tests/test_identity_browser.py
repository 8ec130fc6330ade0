"""What a visitor sees in a real browser, on a phone (390 px) and a desktop (1280 px):
no axe-core violation on any public page, headings clear of the header, a compact
header on a phone, and the footer form's mistakes handled with the focus and a way
back to the article. Also the admin's activity log, reachable by keyboard."""

from __future__ import annotations

import pytest
from conftest import assert_accessible
from test_admin_support import OWNER, PASSWORD, make_owner

pytestmark = pytest.mark.browser

WIDTHS = {"phone": 390, "desktop": 1280}
PUBLIC_PAGES = [
    "/",
    "/blog/",
    "/blog/meeting-notes",
    "/blog/tag/records",
    "/about",
    "/privacy",
    "/accessibility",
    "/contact",
    "/subscribe",
    "/free-resource",
    "/state-guides",
    "/thanks/subscribe?domain=gmail.con",
    "/thanks/waitlist?state=CA",
    "/thanks/contact",
    "/no/such/page",
]


def open_at(page, url: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(url)


def gap_below_header(page) -> float:
    first = page.locator("main h1, main h2, main .notice").first.bounding_box()
    header = page.locator(".site-header").bounding_box()
    return first["y"] - (header["y"] + header["height"])


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_is_accessible_and_hers(live_server, page, path):
    """On a phone, then on a desktop: the page is opened once and the window
    resized, as when a phone is turned, and each layout is checked."""
    open_at(page, live_server.url + path, WIDTHS["phone"])
    footer = page.locator("footer.site-footer").inner_text()
    assert "Alexandra Charnin" in footer and "Compliant Content Co." in footer
    for width, pixels in WIDTHS.items():
        page.set_viewport_size({"width": pixels, "height": 900})
        assert_accessible(page)
        # The first heading or notice stands clear of the header: main's padding.
        assert gap_below_header(page) >= 16, width
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= pixels, width


@pytest.mark.parametrize("width", WIDTHS)
def test_header_is_compact(live_server, page, width):
    open_at(page, live_server.url + "/", WIDTHS[width])
    height = page.locator(".site-header").bounding_box()["height"]
    assert height <= (100 if width == "phone" else 70)
    tops = [
        round(link.bounding_box()["y"])
        for link in page.locator("nav[aria-label=Main] a").all()
    ]
    assert len(tops) == 4 and len(set(tops)) == 1  # "Contact" is not on a line alone


@pytest.mark.parametrize("width", WIDTHS)
def test_footer_form_mistake_focuses_the_summary_and_leads_back(
    live_server, page, width
):
    open_at(page, live_server.url + "/blog/meeting-notes", WIDTHS[width])
    footer = page.locator(".footer-signup")
    footer.get_by_label("Email address").fill("maria@@example")
    footer.get_by_role("button", name="Subscribe").click()
    summary = page.locator(".form-errors")
    assert "has just one @ sign" in summary.inner_text()
    assert summary.evaluate("element => element === document.activeElement")
    back = page.get_by_role("link", name="Back to “Taking notes in an IEP meeting”")
    assert_accessible(page)
    back.click()
    assert page.url == live_server.url + "/blog/meeting-notes"


def test_activity_log_table_scrolls_by_keyboard(app, live_server, page):
    make_owner(app)
    open_at(page, live_server.url + "/admin/sign-in", WIDTHS["phone"])
    page.get_by_label("Email address").fill(OWNER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server.url + "/admin/audit")
    region = page.get_by_role("region", name="Activity log table")
    assert region.get_attribute("tabindex") == "0"
    region.focus()
    page.keyboard.press("ArrowRight")
    assert region.evaluate("element => element.scrollLeft") > 0
    assert_accessible(page)
