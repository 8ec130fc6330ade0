"""In a real browser: the Content-Security-Policy blocks nothing the site itself
uses (styles, JSON-LD, the admin's style block), and the honeypot is out of sight
and out of the keyboard's way."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser


def csp_messages(page) -> list[str]:
    messages: list[str] = []
    page.on(
        "console",
        lambda m: (
            messages.append(m.text) if "Content Security Policy" in m.text else None
        ),
    )
    return messages


@pytest.mark.parametrize("path", ["/blog/meeting-notes", "/contact", "/admin/sign-in"])
def test_the_policy_blocks_nothing_the_site_uses(live_server, page, path):
    blocked = csp_messages(page)
    response = page.goto(live_server.url + path)
    page.wait_for_load_state("networkidle")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert blocked == []
    # The stylesheet applied: the skip link sits off screen until focused.
    position = page.evaluate(
        "getComputedStyle(document.querySelector('.skip-link')).position"
    )
    assert position == "absolute"


def test_json_ld_is_readable_under_the_policy(live_server, page):
    page.goto(live_server.url + "/blog/meeting-notes")
    data = page.evaluate(
        "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]')"
        ".textContent)"
    )
    assert data["@type"] in ("BlogPosting", "Article")


def test_the_honeypot_is_hidden_and_skipped_by_the_keyboard(live_server, page):
    page.goto(live_server.url + "/contact")
    wrapper = page.locator(
        "main div[aria-hidden='true']:has(input[name='leave_blank'])"
    )
    box = wrapper.bounding_box()
    assert box["width"] <= 1 and box["height"] <= 1  # clipped to one pixel
    assert wrapper.evaluate("e => getComputedStyle(e).overflow") == "hidden"
    page.get_by_label("Your name").focus()
    focused = []
    for _ in range(6):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.name || ''"))
    assert "leave_blank" not in focused and "footer-leave_blank" not in focused
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    # The accessibility tree has no trace of it.
    snapshot = page.accessibility.snapshot() if hasattr(page, "accessibility") else None
    if snapshot is not None:
        assert "Leave this field empty" not in str(snapshot)
