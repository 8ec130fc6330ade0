"""Whole public pages kept in memory: rendered once per content change, then each
request only puts in its own few values.

A public page is the same for every visitor but for a few values in its forms: the
CSRF token (Flask-WTF, tied to the visitor's session), the hidden "where from"
fields (referrer and utm_* tags, see `leads.fill_source`) and the bot-trap token
(`security.bottrap`, put in by its own after-request step over a fixed placeholder).
So a page is rendered once, in a clean request of its own, with a slot where each
of the first ones goes; a request joins the cached text with its own values, which
costs microseconds instead of a template render. A change to any post file empties
the cache; a post page is rendered again when its comments change
(`PAGE_VERSIONS`); settings, templates and code change only with a restart.

ETags and 304s: a browser may reuse its copy of a page only while the forms in that
copy still work for that browser. So the (weak) ETag is a hash of
- the cached text: the same on every worker, new whenever the content changes;
- the session's CSRF secret, on a page with a CSRF token: a browser whose session
  ended, or that never had one, gets a new page with a token that works;
- the session's page generation, which every POST renews: a bot-trap token works
  once, so a browser that sent a form must not reuse a copy holding that token;
- the current half of the bot-trap token's life (FORM_MAX_SECONDS), so a reused
  copy's token can never be too old before the visitor has had half of it to send.
The referrer is left out on purpose (a reused copy keeps the referrer of the visit
that fetched it), as are utm tags (they are in the address, which browsers key
their copies by). Every page says `Cache-Control: no-cache` (always ask first);
pages with tokens add `private` and `Vary: Cookie`, so no shared cache keeps them.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, Response, current_app, g, request, session
from flask_wtf.csrf import generate_csrf
from markupsafe import escape
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from .posts import library
from .security.bottrap import PLACEHOLDER as FORM_TOKEN

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
MAX_PAGES = 500  # addresses kept; the oldest rendered goes first
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign")
GENERATION = "page_generation"  # session key, renewed by every POST
EXTENSION = "page_cache"


def utm_tag(key: str) -> Callable[[], str]:
    # Most visits have no query string: then no parsing at all.
    return lambda: request.args.get(key, "")[:200] if request.query_string else ""


# Each request's own values, clipped as `leads.fill_source` clips them.
SLOTS: dict[str, Callable[[], str]] = {
    "csrf": generate_csrf,
    "referrer": lambda: request.environ.get("HTTP_REFERER", "")[:500],
    **{key: utm_tag(key) for key in UTM_KEYS},
}
SLOT_PATTERN = re.compile(r"pagecache-(" + "|".join(SLOTS) + r")-slot")


def slot(name: str) -> str:
    """The placeholder for one per-request value: letters and dashes only, so it
    comes through HTML escaping, URL encoding and clipping unchanged."""
    return f"pagecache-{name}-slot"


@dataclass(frozen=True)
class CachedPage:
    """A rendered page: its text cut at each slot, and what its ETag depends on."""

    parts: tuple[str, ...]  # text, slot name, text, ..., text
    content_type: str
    digest: str
    has_csrf: bool
    has_form_token: bool

    @classmethod
    def from_text(cls, text: str, content_type: str) -> CachedPage:
        parts = tuple(SLOT_PATTERN.split(text))
        return cls(
            parts=parts,
            content_type=content_type,
            digest=hashlib.sha256(text.encode()).hexdigest(),
            has_csrf="csrf" in parts[1::2],
            has_form_token=FORM_TOKEN in text,
        )

    @property
    def personal(self) -> bool:
        """Whether the page holds a token that belongs to one visitor."""
        return self.has_csrf or self.has_form_token

    def fill(self) -> bytes:
        """The page with this request's values in its slots."""
        values = {name: str(escape(SLOTS[name]())) for name in set(self.parts[1::2])}
        out = list(self.parts)
        out[1::2] = [values[name] for name in self.parts[1::2]]
        return "".join(out).encode()

    def etag(self) -> str | None:
        """The ETag for this visitor (see the module's docstring); None when the
        page needs a CSRF secret the session does not have yet."""
        parts = [self.digest]
        if self.has_csrf:
            secret = session.get(current_app.config.get("WTF_CSRF_FIELD_NAME"))
            if not secret:
                return None
            parts.append(str(secret))
        if self.personal:
            parts.append(str(session.get(GENERATION, "")))
        if self.has_form_token:
            half_life = max(1, int(current_app.config["FORM_MAX_SECONDS"]) // 2)
            parts.append(str(int(time.time() // half_life)))
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def cache_key() -> tuple:
    """The page's address without utm tags (their values go into slots)."""
    environ = request.environ
    query = ()
    if environ.get("QUERY_STRING"):
        query = tuple(
            sorted(
                (key, value)
                for key, value in request.args.items(multi=True)
                if key not in UTM_KEYS
            )
        )
    return (
        request.scheme,
        environ.get("HTTP_HOST"),
        environ.get("SCRIPT_NAME"),
        environ.get("PATH_INFO"),
        query,
    )


def comments_version(kept: bool) -> str:
    """A post page shows the post's comments: their version (see `comments.cache`)
    is part of the page's. Asked only for a published post: one whose page is kept
    (`kept`), or one the library has, so unknown addresses cost no query."""
    slug = (request.view_args or {}).get("slug", "")
    if "comments" not in current_app.extensions:
        return ""
    if not kept and library().get(slug) is None:
        return ""
    from .comments import comments_version as version

    return version(slug)


# What else a page shows besides the posts, by endpoint: a cached page is rendered
# again when this changes.
PAGE_VERSIONS: dict[str, Callable[[bool], str]] = {"blog.post": comments_version}


class PageCache:
    """One app's rendered pages, shared by the threads of a worker process."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.views: dict[str, Callable] = {}  # the views as written, uncached
        self.pages: OrderedDict[tuple, tuple[str, CachedPage | None]] = OrderedDict()
        self.version: object = None
        self.lock = threading.Lock()

    def page(self) -> CachedPage | None:
        """The current request's page, rendered now if not kept; None when the page
        is not a plain 200 (a 404, a redirect), which is then handled as usual."""
        version = library().version()
        key = cache_key()
        with self.lock:
            if version != self.version:
                self.pages.clear()
                self.version = version
            kept = self.pages.get(key)
        extra_version = PAGE_VERSIONS.get(request.endpoint)
        extra = extra_version(bool(kept and kept[1])) if extra_version else ""
        if kept is not None and kept[0] == extra:
            return kept[1]
        page = self.render()
        with self.lock:
            if self.version == version:
                self.pages[key] = (extra, page)
                self.pages.move_to_end(key)
                while len(self.pages) > MAX_PAGES:
                    self.pages.popitem(last=False)
        return page

    def render(self) -> CachedPage | None:
        """Render the current request's page in a clean request of its own: same
        address, no cookie, a slot for each per-request value."""
        app = self.app
        query = MultiDict(
            [(k, v) for k, v in request.args.items(multi=True) if k not in UTM_KEYS]
        )
        for key in UTM_KEYS:
            query[key] = slot(key)
        # A new app context gives the render its own `g`; Flask-WTF takes the token
        # from `g` when it is there.
        with (
            app.app_context(),
            app.test_request_context(
                request.path,
                base_url=request.root_url,
                query_string=query,
                headers={"Referer": slot("referrer")},
            ),
        ):
            setattr(g, app.config["WTF_CSRF_FIELD_NAME"], slot("csrf"))
            try:
                view = self.views[request.endpoint]
                response = app.make_response(view(**request.view_args))
            except HTTPException:
                return None
            if response.status_code != 200 or response.is_streamed:
                return None
            return CachedPage.from_text(
                response.get_data(as_text=True), response.headers["Content-Type"]
            )


def respond(page: CachedPage) -> Response:
    """A 304 when the browser's copy still works for it, else the filled page."""
    asked = "HTTP_IF_NONE_MATCH" in request.environ
    etag = page.etag() if asked else None
    if etag and request.if_none_match.contains_weak(etag):
        response = current_app.response_class(status=304)
    else:
        response = current_app.response_class(page.fill())
        response.headers["Content-Type"] = page.content_type
        etag = page.etag()  # the fill may have started the session's CSRF secret
    headers = response.headers
    if etag:
        headers["ETag"] = f'W/"{etag}"'
    if page.personal:
        headers["Cache-Control"] = "no-cache, private"
        headers["Vary"] = "Cookie"
    else:
        headers["Cache-Control"] = "no-cache"
    return response


def cached(view: Callable) -> Callable:
    """The view, answering GET and HEAD from the cache. Wrapping the view (rather
    than a before-request step) lets every before-request step run first, in
    whatever order the factory registered them."""

    @functools.wraps(view)
    def cached_view(**values):
        if (
            request.method not in ("GET", "HEAD")
            or not current_app.config["PAGE_CACHE"]
        ):
            return view(**values)
        page = current_app.extensions[EXTENSION].page()
        return respond(page) if page else view(**values)

    return cached_view


def renew_generation(response: Response) -> Response:
    """After any POST, the pages a browser holds may carry a used token: a new
    generation in its session makes their ETags stale (an after-request step)."""
    if request.method == "POST":
        session[GENERATION] = secrets.token_urlsafe(6)
    return response


def init_app(app: Flask) -> None:
    """Wrap the public pages' views; after the blueprints are registered."""
    app.config.setdefault("PAGE_CACHE", True)
    app.config.setdefault("WTF_CSRF_FIELD_NAME", "csrf_token")
    cache = app.extensions[EXTENSION] = PageCache(app)
    for endpoint in PUBLIC_PAGES & set(app.view_functions):
        cache.views[endpoint] = app.view_functions[endpoint]
        app.view_functions[endpoint] = cached(app.view_functions[endpoint])
    app.after_request(renew_generation)
