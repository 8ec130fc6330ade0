"""One kept page: its text cut at each per-request slot, the request's own values
put in, and its ETag. Works on the WSGI environ alone, so the same code answers in
Flask and in the front layer (`front`) that answers before Flask.

The slots: the hidden "where from" fields (referrer and utm_* tags, clipped as
`leads.fill_source` clips them) and the bot-trap token (`security.bottrap`), a new
one for each form on each answer.
"""

from __future__ import annotations

import functools
import hashlib
import re
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl

from markupsafe import escape
from werkzeug.http import parse_etags

from ..security.bottrap import PLACEHOLDER, FormTokens

UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign")
REFERRER = "referrer"
TOKEN = "token"


def slot(name: str) -> str:
    """The placeholder for one per-request value: letters and dashes only, so it
    comes through HTML escaping, URL encoding and clipping unchanged."""
    return f"pagecache-{name}-slot"


SLOT_PATTERN = re.compile(
    "(?:pagecache-("
    + "|".join((REFERRER, *UTM_KEYS))
    + ")-slot|("
    + re.escape(PLACEHOLDER)
    + "))"
)


def query_pairs(environ) -> list[tuple[str, str]]:
    query = environ.get("QUERY_STRING", "")
    return parse_qsl(query, keep_blank_values=True) if query else []


def cache_key(environ) -> tuple:
    """The page's address without utm tags (their values go into slots)."""
    query = tuple(sorted(p for p in query_pairs(environ) if p[0] not in UTM_KEYS))
    return (
        environ["wsgi.url_scheme"],
        environ.get("HTTP_HOST"),
        environ.get("SCRIPT_NAME", ""),
        environ.get("PATH_INFO", ""),
        query,
    )


NO_VALUES = {name: b"" for name in (REFERRER, *UTM_KEYS)}


def slot_values(environ) -> dict[str, bytes]:
    """This request's referrer and utm tags, clipped and escaped for HTML."""
    if not environ.get("HTTP_REFERER") and not environ.get("QUERY_STRING"):
        return NO_VALUES
    values = {key: "" for key in UTM_KEYS}
    for key, value in query_pairs(environ):
        if key in values and not values[key]:
            values[key] = value[:200]
    values[REFERRER] = environ.get("HTTP_REFERER", "")[:500]
    return {name: str(escape(value)).encode() for name, value in values.items()}


@functools.lru_cache(maxsize=1024)
def etag_of(digest: str, bucket: int) -> str:
    return hashlib.sha256(f"{digest}\n{bucket}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class CachedPage:
    """A rendered page: its text cut at each slot, and what its ETag depends on."""

    parts: tuple[bytes | str, ...]  # text, slot name, text, ..., text
    content_type: str
    digest: str
    has_token: bool

    @classmethod
    def from_text(cls, text: str, content_type: str) -> CachedPage:
        pieces: list[bytes | str] = []
        position = 0
        for match in SLOT_PATTERN.finditer(text):
            pieces += [text[position : match.start()].encode(), match[1] or TOKEN]
            position = match.end()
        pieces.append(text[position:].encode())
        return cls(
            parts=tuple(pieces),
            content_type=content_type,
            digest=hashlib.sha256(text.encode()).hexdigest(),
            has_token=TOKEN in pieces[1::2],
        )

    def fill(self, environ, tokens: FormTokens) -> bytes:
        """The page with this request's values in its slots."""
        parts = self.parts
        if len(parts) == 1:
            return parts[0]
        values = slot_values(environ)
        out = list(parts)
        for index in range(1, len(parts), 2):
            name = parts[index]
            out[index] = tokens.new().encode() if name == TOKEN else values[name]
        return b"".join(out)

    def etag(self, max_seconds: int) -> str:
        """The page's (weak) ETag: the kept text, and for a page with a form token
        the current half of the token's life, so a copy a browser reuses never holds
        a token too old to send (FORM_MAX_SECONDS)."""
        bucket = int(time.time() // max(1, max_seconds // 2)) if self.has_token else 0
        return etag_of(self.digest, bucket)

    def answer(
        self, environ, tokens: FormTokens, max_seconds: int
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """Status, headers and body: a 304 when the browser's copy still works."""
        etag = self.etag(max_seconds)
        headers = [
            ("ETag", f'W/"{etag}"'),
            ("Cache-Control", "no-cache, private" if self.has_token else "no-cache"),
        ]
        asked = environ.get("HTTP_IF_NONE_MATCH")
        if asked and parse_etags(asked).contains_weak(etag):
            return 304, headers, b""
        body = self.fill(environ, tokens)
        headers += [
            ("Content-Type", self.content_type),
            ("Content-Length", str(len(body))),
        ]
        return 200, headers, body
