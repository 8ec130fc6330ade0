"""Addresses that must never be contacted or imported again, kept only as a hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class SuppressedAddress(db.Model):
    """An erased person's address, as a keyed hash (see `leadsite.privacy`).

    The hash lets the site recognise the address again without keeping it.
    """

    __tablename__ = "suppressed_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    address_hash: Mapped[str] = mapped_column(String(64), unique=True)
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<SuppressedAddress {self.id} {self.address_hash[:8]}… {self.reason}>"
