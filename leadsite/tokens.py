"""Opaque, expiring tokens for links in mail, each bound to one purpose.

A link carries 32 random bytes and nothing else; the `link_tokens` table keeps
their SHA-256 with the purpose, whom the link is for and when it was made, so a
link says nothing to its reader and a leaked table opens nothing. Reading a token
changes nothing: a link works as often as needed until it expires.

Links mailed before these tokens (itsdangerous, signed with SECRET_KEY, the
purpose as salt) are still read until they expire: `legacy_read`.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from enum import StrEnum

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, insert, select

from .extensions import db
from .models import LinkToken, utcnow

DAY = 24 * 3600
KEEP_EXPIRED = timedelta(days=90)  # an expired download link may still be renewed


class TokenPurpose(StrEnum):
    CONFIRM = "confirm"
    UNSUBSCRIBE = "unsubscribe"
    DOWNLOAD = "download"
    COMMENT = "comment"  # confirms a comment on a post (14 days)


def max_age(purpose: TokenPurpose) -> int:
    """How long a link of this purpose works, in seconds."""
    if purpose is TokenPurpose.DOWNLOAD:
        return current_app.config["RESOURCE_LINK_DAYS"] * DAY
    if purpose is TokenPurpose.UNSUBSCRIBE:
        return 365 * DAY  # the rules ask for at least 30 days
    return 14 * DAY


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# A row nothing reads back in the request that makes it: one plain INSERT, no
# object for the session to track and flush.
INSERT_TOKEN = insert(LinkToken.__table__)


def new_token() -> str:
    """A new random token, not stored yet (`keep_token`): a mail can be rendered
    with its link before the transaction that stores the lead begins."""
    return secrets.token_urlsafe(32)


def keep_token(purpose: TokenPurpose, token: str, data: dict) -> None:
    """Store `token` (hashed) for `data` in the caller's transaction, so it exists
    exactly when the mail that carries it does."""
    db.session.execute(
        INSERT_TOKEN,
        {"digest": digest(token), "purpose": str(purpose), "data": data},
    )


def make_token(purpose: TokenPurpose, data: dict) -> str:
    """A new random token for `data`, stored (hashed) in the caller's transaction."""
    token = new_token()
    keep_token(purpose, token, data)
    return token


class TokenExpired(Exception):
    """A genuine token that has run out; `data` says whom it was for."""

    def __init__(self, data: dict | None) -> None:
        super().__init__("expired")
        self.data = data


def read_token(purpose: TokenPurpose, token: str) -> dict | None:
    """The token's data; None if unknown or of another purpose; TokenExpired if old."""
    if "." in token:  # random tokens have no dot; signed ones have two
        return legacy_read(purpose, token)
    row = db.session.scalar(
        select(LinkToken).where(
            LinkToken.digest == digest(token), LinkToken.purpose == str(purpose)
        )
    )
    if row is None:
        return None
    if row.created_at + timedelta(seconds=max_age(purpose)) <= utcnow():
        raise TokenExpired(dict(row.data))
    return dict(row.data)


def purge_expired() -> int:
    """Forget tokens long past their expiry (kept a while so a download link can
    still be renewed); the worker calls this now and then."""
    removed = 0
    for purpose in TokenPurpose:
        lifetime = timedelta(seconds=max_age(purpose))
        result = db.session.execute(
            delete(LinkToken).where(
                LinkToken.purpose == str(purpose),
                LinkToken.created_at < utcnow() - lifetime - KEEP_EXPIRED,
            )
        )
        removed += result.rowcount
    return removed


def legacy_read(purpose: TokenPurpose, token: str) -> dict | None:
    """A signed token from a mail sent before the opaque tokens, until it expires."""
    serializer = URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt=f"leadsite.{purpose}"
    )
    try:
        data = serializer.loads(token, max_age=max_age(purpose))
    except SignatureExpired as exc:
        data = serializer.load_payload(exc.payload) if exc.payload else None
        raise TokenExpired(data if isinstance(data, dict) else None) from None
    except BadSignature:
        return None
    return data if isinstance(data, dict) else None
