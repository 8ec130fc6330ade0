"""The kept pages of one app, shared by a worker process's threads.

A page is rendered once, in a clean request of its own with a slot where each
per-request value goes (`page`), and kept until the content changes: a change to
any post file empties the store; a post page is rendered again when its comments
change (`PAGE_VERSIONS`); settings, templates and code change only with a restart.

A page served in Flask is also marked fresh for PAGE_CACHE_FRESH_SECONDS: the front
layer (`front`) answers it before Flask until then, and after that the next request
goes through Flask again, which checks the content and marks it fresh again (the
others meanwhile get the page as it was: `stale_or_check`). A POST in this process
(a comment, an owner's change) unmarks every page at once.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from ..posts import library
from .page import REFERRER, UTM_KEYS, CachedPage, cache_key, slot

MAX_PAGES = 500  # addresses kept; the oldest rendered goes first
GRACE_SECONDS = 1.0


def comments_version(kept: bool) -> str:
    """A post page shows the post's comments: their version (see `comments.cache`)
    is part of the page's. Asked only for a published post: one whose page is kept
    (`kept`), or one the library has, so unknown addresses cost no query."""
    slug = (request.view_args or {}).get("slug", "")
    if "comments" not in current_app.extensions:
        return ""
    if not kept and library().get(slug) is None:
        return ""
    from ..comments import comments_version as version

    return version(slug)


# What else a page shows besides the posts, by endpoint: a kept page is rendered
# again when this changes.
PAGE_VERSIONS: dict[str, Callable[[bool], str]] = {"blog.post": comments_version}


@dataclass(frozen=True)
class Fresh:
    """A page the front layer may answer, until `until` (time.monotonic)."""

    page: CachedPage
    until: float
    endpoint: str
    view_args: dict


class PageCache:
    """One app's rendered pages, and which of them are fresh."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.views: dict[str, Callable] = {}  # the views as written, uncached
        self.pages: OrderedDict[tuple, tuple[str, CachedPage | None]] = OrderedDict()
        self.fresh: dict[tuple, Fresh] = {}
        self.version: object = None
        self.lock = threading.Lock()

    def page(self) -> CachedPage | None:
        """The current request's page, rendered now if not kept; None when the page
        is not a plain 200 (a 404, a redirect), which is then handled as usual."""
        version = library().version()
        key = cache_key(request.environ)
        with self.lock:
            if version != self.version:
                self.pages.clear()
                self.fresh.clear()
                self.version = version
            kept = self.pages.get(key)
        extra_version = PAGE_VERSIONS.get(request.endpoint)
        extra = extra_version(bool(kept and kept[1])) if extra_version else ""
        if kept is not None and kept[0] == extra:
            page = kept[1]
        else:
            page = self.render()
            with self.lock:
                if self.version == version:
                    self.pages[key] = (extra, page)
                    self.pages.move_to_end(key)
                    while len(self.pages) > MAX_PAGES:
                        self.pages.popitem(last=False)
        if page is not None:
            self.mark_fresh(key, page)
        else:
            with self.lock:
                self.fresh.pop(key, None)
        return page

    def mark_fresh(self, key: tuple, page: CachedPage) -> None:
        seconds = self.app.config["PAGE_CACHE_FRESH_SECONDS"]
        if seconds <= 0:
            return
        entry = Fresh(
            page, time.monotonic() + seconds, request.endpoint, request.view_args or {}
        )
        with self.lock:
            if len(self.fresh) >= MAX_PAGES:
                self.fresh.clear()
            self.fresh[key] = entry

    def stale_or_check(self, key: tuple, stale: Fresh) -> Fresh | None:
        """A fresh page's time is up: the first request to ask (None) goes through
        Flask to check it; until then, for at most GRACE_SECONDS, the others are
        answered with the page as it was, instead of all waiting on that check."""
        with self.lock:
            current = self.fresh.get(key)
            if current is not stale:
                return current
            grace = time.monotonic() + GRACE_SECONDS
            self.fresh[key] = dataclasses.replace(stale, until=grace)
        return None

    def forget_fresh(self) -> None:
        with self.lock:
            self.fresh.clear()

    def render(self) -> CachedPage | None:
        """Render the current request's page in a clean request of its own: same
        address, no cookie, a slot for each per-request value."""
        app = self.app
        query = MultiDict(
            [(k, v) for k, v in request.args.items(multi=True) if k not in UTM_KEYS]
        )
        for key in UTM_KEYS:
            query[key] = slot(key)
        # A new app context gives the render its own `g`.
        with (
            app.app_context(),
            app.test_request_context(
                request.path,
                base_url=request.root_url,
                query_string=query,
                headers={"Referer": slot(REFERRER)},
            ),
        ):
            try:
                view = self.views[request.endpoint]
                response = app.make_response(view(**request.view_args))
            except HTTPException:
                return None
            if response.status_code != 200 or response.is_streamed:
                return None
            text = response.get_data(as_text=True)
            return CachedPage.from_text(text, response.headers["Content-Type"])
