"""Abuse defences that must hold across every web worker and host: rate-limit
counters, and the submissions held as suspected spam, kept in the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class HeldSubmission(db.Model):
    """A valid public form whose honeypot was filled: probably a bot, possibly a
    person whose browser filled the hidden field. Kept for 30 days, never mailed;
    the owner may release it, which runs the normal flow (`admin.spam`)."""

    __tablename__ = "held_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    form: Mapped[str] = mapped_column(String(20))  # GuardedForm.held_as
    target: Mapped[str] = mapped_column(String(200), default="")  # e.g. a post slug
    fields: Mapped[list] = mapped_column(JSON)  # [[name, value], ...] as sent
    honeypot: Mapped[str] = mapped_column(String(200), default="")
    page: Mapped[str] = mapped_column(String(500), default="")
    client: Mapped[str] = mapped_column(String(64), default="")
    reason: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, index=True
    )

    def field(self, name: str) -> str:
        """The first value sent for `name` ("" if none)."""
        return next((value for key, value in self.fields if key == name), "")

    def __repr__(self) -> str:
        return f"<HeldSubmission {self.id} {self.form} {self.reason}>"


class RateLimitCounter(db.Model):
    """Hits for one key in one fixed window (the key names both), e.g.
    `forms:ip:203.0.113.9:2961234`. Purged once the window is over."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    def __repr__(self) -> str:
        return f"<RateLimitCounter {self.key} {self.hits}>"
