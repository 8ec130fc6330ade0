"""The front layer: a WSGI layer just outside Flask that answers a GET or HEAD for
a fresh kept page (see `store`) without entering Flask at all, the way a bare
route would answer, with the same bytes, headers and ETag Flask would send.

It answers only requests without the session cookie: public pages set none, so a
visitor never has one unless the owner signed in or a mailed link's page started
one; those go through Flask, which answers from the same store. Hooks registered
with `on_hit` (the post-view counter) see every page the layer answers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from http import HTTPStatus

from flask import Flask

from ..security.bottrap import form_tokens
from .page import cache_key
from .store import PageCache

HOOKS = "page_cache.hooks"
STATUS = {code: f"{code} {HTTPStatus(code).phrase}" for code in (200, 304)}

# hook(environ, endpoint, view_args): quick, it runs before the page is sent
Hook = Callable[[dict, str, dict], None]


def on_hit(app: Flask, hook: Hook) -> None:
    """Have `hook` called for each page this layer answers with a 200 (in Flask,
    an after-request step sees the same page)."""
    app.extensions.setdefault(HOOKS, []).append(hook)


class FrontLayer:
    def __init__(self, app: Flask, wsgi_app, cache: PageCache) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.cache = cache
        self.cookie = app.config["SESSION_COOKIE_NAME"] + "="

    def __call__(self, environ, start_response):
        if (
            environ["REQUEST_METHOD"] in ("GET", "HEAD")
            and self.cookie not in environ.get("HTTP_COOKIE", "")
            and self.cache.fresh
            and self.app.config["PAGE_CACHE"]
        ):
            key = cache_key(environ)
            fresh = self.cache.fresh.get(key)
            if fresh is not None and fresh.until <= time.monotonic():
                fresh = self.cache.stale_or_check(key, fresh)
            if fresh is not None:
                return self.answer(fresh, environ, start_response)
        return self.wsgi_app(environ, start_response)

    def answer(self, fresh, environ, start_response):
        config = self.app.config
        status, headers, body = fresh.page.answer(
            environ, form_tokens(self.app), config["FORM_MAX_SECONDS"]
        )
        if status == 200:
            for hook in self.app.extensions.get(HOOKS, ()):
                hook(environ, fresh.endpoint, fresh.view_args)
        start_response(STATUS[status], headers)
        return [b"" if environ["REQUEST_METHOD"] == "HEAD" else body]
