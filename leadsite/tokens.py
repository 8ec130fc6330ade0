"""Signed, expiring tokens for links in mail, each bound to one purpose.

The purpose is the signing salt, so a confirm token cannot unsubscribe or download.
"""

from __future__ import annotations

from enum import StrEnum

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

DAY = 24 * 3600


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


def _serializer(purpose: TokenPurpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt=f"leadsite.{purpose}"
    )


def make_token(purpose: TokenPurpose, data: dict) -> str:
    return _serializer(purpose).dumps(data)


class TokenExpired(Exception):
    """A genuine token that has run out; `data` says whom it was for."""

    def __init__(self, data: dict | None) -> None:
        super().__init__("expired")
        self.data = data


def read_token(purpose: TokenPurpose, token: str) -> dict | None:
    """The token's data; None if altered or of another purpose; TokenExpired if old."""
    serializer = _serializer(purpose)
    try:
        data = serializer.loads(token, max_age=max_age(purpose))
    except SignatureExpired as exc:
        # The signature is genuine, only old: say whom it was for, to offer a new one.
        data = serializer.load_payload(exc.payload) if exc.payload else None
        raise TokenExpired(data if isinstance(data, dict) else None) from None
    except BadSignature:
        return None
    return data if isinstance(data, dict) else None
