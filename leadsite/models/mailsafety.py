"""What keeps mailed links and list mail safe: the opaque link tokens (only their
hash is stored) and the addresses that bounce or complain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class LinkToken(db.Model):
    """One mailed link's token: the link carries 32 random bytes, the table keeps
    their SHA-256, the purpose, whom it is for (`data`) and when it was made: it
    works for its purpose's lifetime from then (`tokens.max_age`).

    A leaked database therefore gives no working link, and a link tells its reader
    nothing (no id, no count)."""

    __tablename__ = "link_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(20))
    data: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, index=True
    )

    def __repr__(self) -> str:
        return f"<LinkToken {self.id} {self.purpose}>"


class BouncingAddress(db.Model):
    """An address that bounced for good or complained: list mail to it stops until
    the owner clears it in the admin."""

    __tablename__ = "bouncing_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    reason: Mapped[str] = mapped_column(String(20))  # smtp | report | complaint
    detail: Mapped[str] = mapped_column(Text, default="")
    count: Mapped[int] = mapped_column(Integer, default=1)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<BouncingAddress {self.id} {self.email} {self.reason}>"
