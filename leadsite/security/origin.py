"""Cross-site request forgery on the public forms, refused without a session.

A public form is open to anyone, so its defence is not a secret tied to a session
(that would make every page set a cookie, and no page could be served from the
page cache as the same bytes for everyone). What a forged POST would achieve is
submissions from many visitors' browsers, each with their own address, past the
per-client limit. Browsers say where a POST came from: `Sec-Fetch-Site` (every
current browser), else `Origin`. A POST that another site made is refused; one
with neither header did not come from a browser's page on another site.

The admin's forms keep Flask-WTF's session-bound CSRF tokens: they act for the
signed-in owner.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request

SAME = ("same-origin", "none")  # "none": typed, bookmarked, or from the browser
MESSAGE = (
    "This form was sent from another website, so we did not accept it. If you "
    "meant to send it, please check it here and press the button again."
)


def from_another_site() -> bool:
    """Whether the browser says this request was made by another site's page."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site not in SAME
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    # The host only: behind a proxy the scheme the app sees may differ.
    return urlsplit(origin).netloc.lower() != request.host.lower()
