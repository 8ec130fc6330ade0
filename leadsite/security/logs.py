"""Logs keep no secrets: mailed-link tokens are cut from logged paths, and
visitors' addresses are masked in the worker's log.

`redact_path` is what gunicorn's access log uses (`gunicorn.conf.py`); the nginx
log format in `deploy/nginx/leadsite.conf` applies the same rule with a `map`.
This module imports nothing from the app, so gunicorn can load it cheaply.
"""

from __future__ import annotations

import re

# /confirm/<token>, /unsubscribe/<token>[/one-click], /download/<token>[/renew],
# /confirm-comment/<token>: the segment after the prefix is the secret.
TOKEN_PATH = re.compile(
    r"(/(?:confirm|confirm-comment|unsubscribe|download)/)[^/?#\s]+"
)
HIDDEN = "[token]"


def redact_path(path: str) -> str:
    """A path (or request line) with every mailed-link token replaced."""
    return TOKEN_PATH.sub(r"\1" + HIDDEN, path)


ADDRESS = re.compile(r"([\w.+-])[\w.+-]*@([\w-]+(?:\.[\w-]+)+)")


def mask_addresses(text: str) -> str:
    """Every address in `text` masked, e.g. in an SMTP server's refusal."""
    return ADDRESS.sub(r"\1***@\2", text)


def mask_address(address: str) -> str:
    """`jane@example.org` as `j***@example.org`: enough to tell mails apart in a
    log, not enough to learn who wrote in."""
    local, at, domain = (address or "").rpartition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"
