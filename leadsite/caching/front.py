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
from werkzeug.wsgi import ClosingIterator

from ..security.bottrap import form_tokens
from .page import cache_key
from .store import PageCache

HOOKS = "page_cache.hooks"
STATUS = {code: f"{code} {HTTPStatus(code).phrase}" for code in (200, 304)}

# hook(environ, endpoint, view_args) -> a callable to run once the page is sent, or None
Hook = Callable[[dict, str, dict], Callable[[], None] | None]


def on_hit(app: Flask, hook: Hook) -> None:
    """Have `hook` called for each page this layer answers with a 200 (in Flask,
    an after-request step sees the same page)."""
    app.extensions.setdefault(HOOKS, []).append(hook)


def run_hooks(app: Flask, environ, endpoint: str, view_args: dict) -> list:
    hooks = app.extensions.get(HOOKS, ())
    return [c for hook in hooks if (c := hook(environ, endpoint, view_args))]


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
        ):
            fresh = self.cache.fresh.get(cache_key(environ))
            if fresh is not None and fresh.until > time.monotonic():
                return self.answer(fresh, environ, start_response)
        return self.wsgi_app(environ, start_response)

    def answer(self, fresh, environ, start_response):
        config = self.app.config
        if not config["PAGE_CACHE"]:
            return self.wsgi_app(environ, start_response)
        status, headers, body = fresh.page.answer(
            environ, form_tokens(self.app), config["FORM_MAX_SECONDS"]
        )
        start_response(STATUS[status], headers)
        if environ["REQUEST_METHOD"] == "HEAD":
            body = b""
        closers = []
        if status == 200:
            closers = run_hooks(self.app, environ, fresh.endpoint, fresh.view_args)
        return ClosingIterator([body], closers) if closers else [body]
