"""Public pages that any cache may keep: the same bytes for every visitor (no
cookie, no session, nothing per request), an ETag, and `Cache-Control` that lets a
shared cache (nginx's micro-cache, a CDN) keep a page briefly while every browser
checks again each time, getting a 304 when its copy is still right.

Mailed-link pages, the admin, the counting image and every POST are not listed,
so they are never kept by anyone.
"""

from __future__ import annotations

from flask import Flask, request

PUBLIC_PAGES = frozenset(
    {
        "blog.home",
        "blog.index",
        "blog.post",
        "blog.tag",
        "seo.feed",
        "seo.sitemap",
        "seo.robots",
        "leads.subscribe",
        "leads.resource",
        "leads.waitlist",
        "leads.contact",
        "leads.thanks",
        "blog.page",
        "comments.sent",
    }
)
# Browsers ask every time (max-age=0); a shared cache keeps a page for a minute,
# and may answer with it for 30 s more while it fetches a fresh copy.
PUBLIC_CACHE_CONTROL = "public, max-age=0, s-maxage=60, stale-while-revalidate=30"


def shareable(response):
    """A public page's 200: mark it cacheable, give it an ETag, answer a browser's
    If-None-Match with 304 (Werkzeug's own conditional response)."""
    if (
        request.method in ("GET", "HEAD")
        and request.endpoint in PUBLIC_PAGES
        and response.status_code == 200
        and not response.is_streamed
    ):
        response.headers["Cache-Control"] = PUBLIC_CACHE_CONTROL
        response.add_etag(weak=True)
        response.make_conditional(request)
    return response


def init_app(app: Flask) -> None:
    app.after_request(shareable)
