"""Abuse defences that must hold across every web worker and host: used form
tokens and rate-limit counters, kept in the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime


class UsedFormToken(db.Model):
    """The nonce of a form token already used once; a second use is a replay.
    Kept until the token could no longer be accepted anyway, then purged."""

    __tablename__ = "used_form_tokens"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    def __repr__(self) -> str:
        return f"<UsedFormToken {self.nonce}>"


class RateLimitCounter(db.Model):
    """Hits for one key in one fixed window (the key names both), e.g.
    `forms:ip:203.0.113.9:2961234`. Purged once the window is over."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    def __repr__(self) -> str:
        return f"<RateLimitCounter {self.key} {self.hits}>"
