"""The home page and a post in a real browser, on a small phone and on a desktop:
no accessibility violations found by axe-core, and nothing loaded from elsewhere."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

WIDTHS = {"phone": (320, 640), "desktop": (1280, 900)}


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", ["/", "/blog/meeting-notes"])
def test_page_is_accessible_and_self_contained(live_server, page, path, width):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    w, h = WIDTHS[width]
    page.set_viewport_size({"width": w, "height": h})

    page.goto(live_server.url + path)
    page.wait_for_load_state("networkidle")

    assert page.locator("h1").count() == 1
    # Nothing wider than the screen: no sideways scrolling on a small phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= w
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    others = [url for url in requests if not url.startswith(live_server.url + "/")]
    assert others == []
    # The stylesheet, under its content-hashed name (see leadsite/assets.py).
    assert any(re.search(r"/static/css/site\.[0-9a-f]{12}\.css$", u) for u in requests)


@pytest.mark.browser
def test_skip_link_moves_focus_to_the_main_content(live_server, page):
    page.goto(live_server.url + "/blog/meeting-notes")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("link => link === document.activeElement")
    assert skip.is_visible()  # shown when focused
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
