"""Pictures the owner uploads, kept in the database so every web host serves the
same ones and `flask backup` holds them.

The uploaded file itself is not kept (it may carry the camera's GPS position):
only what was learnt from it (name, format, size) and the resized copies made from
it, upright and without metadata (see `leadsite.media.images`). A picture never
changes after upload, except its description (alt text).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow


class Picture(db.Model):
    """One uploaded picture: its description and what the upload was."""

    __tablename__ = "pictures"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The first 12 hex digits of a SHA-256 over the variants' bytes: part of every
    # address, so a browser may keep a variant for a year.
    digest: Mapped[str] = mapped_column(String(12))
    alt: Mapped[str] = mapped_column(Text, default="")
    original_name: Mapped[str] = mapped_column(String(255), default="")
    original_format: Mapped[str] = mapped_column(String(10))
    original_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)  # upright, before resizing
    height: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    variants: Mapped[list[PictureVariant]] = relationship(
        back_populates="picture",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="PictureVariant.width",
        lazy="selectin",
    )

    @property
    def largest(self) -> PictureVariant:
        return self.variants[-1]

    @property
    def smallest(self) -> PictureVariant:
        return self.variants[0]

    def __repr__(self) -> str:
        return f"<Picture {self.id} {self.original_name!r} {self.width}x{self.height}>"


class PictureVariant(db.Model):
    """One resized copy of a picture, as served (its bytes load only on demand)."""

    __tablename__ = "picture_variants"
    __table_args__ = (UniqueConstraint("picture_id", "width"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The unique constraint's index, led by picture_id, serves lookups by picture.
    picture_id: Mapped[int] = mapped_column(
        ForeignKey("pictures.id", ondelete="CASCADE")
    )
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(40))
    byte_size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)

    picture: Mapped[Picture] = relationship(back_populates="variants")

    def __repr__(self) -> str:
        return f"<PictureVariant {self.picture_id} {self.width}w {self.byte_size} B>"
