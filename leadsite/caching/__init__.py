"""Whole public pages kept in memory: rendered once per content change, then each
answer only puts in its own few values (microseconds instead of a template render).

- `page`: a kept page, its slots (referrer, utm tags, bot-trap tokens) and ETag.
- `store`: the kept pages of a process, rendered on demand, and which are fresh.
- `front`: a WSGI layer that answers fresh pages before Flask.

ETags and 304s: a browser may reuse its copy of a page while the forms in it still
work. Public forms need no session (see `security.origin`), so the (weak) ETag is
the same for everyone: a hash of the kept text and, on a page with a form, the
current half of the form token's life. A copy reused after its form was sent
holds a used token: sending it again shows the form once more, with what was
typed, and a fresh token (`security.bottrap`). Every page says `Cache-Control:
no-cache` (always ask first); pages with a form add `private`, so no shared cache
keeps a token.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import Flask, Response, current_app, request

from ..security.bottrap import form_tokens
from .front import FrontLayer, on_hit
from .store import PageCache

__all__ = ["EXTENSION", "PUBLIC_PAGES", "forget_fresh", "init_app", "on_hit"]

# The pages served from the cache: public, the same for everyone, GET only.
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
    }
)
EXTENSION = "page_cache"


def respond(cache: PageCache) -> Response | None:
    """This request's page from the store, as a response; None when the page is not
    a plain 200 (the view then answers as usual)."""
    page = cache.page()
    if page is None:
        return None
    app = current_app._get_current_object()
    status, headers, body = page.answer(
        request.environ, form_tokens(app), app.config["FORM_MAX_SECONDS"]
    )
    return app.response_class(body, status=status, headers=headers)


def forget_fresh() -> None:
    """This process changed what a page may show: check every page again in Flask
    before answering it (an after-request step does this after every POST)."""
    cache = current_app.extensions.get(EXTENSION)
    if cache is not None:
        cache.forget_fresh()


def cached(view: Callable) -> Callable:
    """The view, answering GET and HEAD from the store. Wrapping the view (rather
    than a before-request step) lets every before-request step run first, in
    whatever order the factory registered them."""

    @functools.wraps(view)
    def cached_view(**values):
        if request.method in ("GET", "HEAD") and current_app.config["PAGE_CACHE"]:
            response = respond(current_app.extensions[EXTENSION])
            if response is not None:
                return response
        return view(**values)

    return cached_view


def init_app(app: Flask) -> None:
    """Wrap the public pages' views (after the blueprints are registered) and put
    the front layer just outside Flask (before WhiteNoise wraps it)."""
    app.config.setdefault("PAGE_CACHE", True)
    app.config.setdefault("PAGE_CACHE_FRESH_SECONDS", 2.0)
    cache = app.extensions[EXTENSION] = PageCache(app)
    for endpoint in PUBLIC_PAGES & set(app.view_functions):
        cache.views[endpoint] = app.view_functions[endpoint]
        app.view_functions[endpoint] = cached(app.view_functions[endpoint])

    @app.after_request
    def forget_fresh_after_post(response):
        """A POST may change what a page shows (a comment, the owner's edit)."""
        if request.method == "POST":
            cache.forget_fresh()
        return response

    app.wsgi_app = FrontLayer(app, app.wsgi_app, cache)
