"""Comments under blog posts, and each post's thread: open or closed, and a version.

A visitor's comment waits until its writer confirms it from a mail (`unconfirmed`),
then, if the owner's settings ask for it, until she approves it (`pending`), and
only then is shown (`approved`). The owner's replies are comments with `by_owner`
set, under the comment they answer.

Every change a visitor could see (a comment shown, hidden or deleted; comments
closed or opened) gives the post's thread a new random `version` in the same
transaction, whatever made the change: the mapper events at the end see the
moderation views and an erasure's cascade alike. Caches compare versions (see
`leadsite.comments.cache`).
"""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, event, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from ..extensions import db
from .leads import Person
from .types import UTCDateTime, utcnow


class CommentStatus(StrEnum):
    UNCONFIRMED = "unconfirmed"  # waiting for its writer to confirm by mail
    PENDING = "pending"  # confirmed, waiting for the owner's approval
    APPROVED = "approved"  # shown under the post
    SPAM = "spam"  # rejected by the owner; never shown


class CommentThread(db.Model):
    """One post's comments as a whole; a row appears at the first change."""

    __tablename__ = "comment_threads"

    slug: Mapped[str] = mapped_column(String(200), primary_key=True)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<CommentThread {self.slug} {state} v{self.version}>"


class Comment(db.Model):
    """A visitor's comment on a post, or the owner's reply to one."""

    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_slug_status", "slug", "status"),
        Index("ix_comments_status_created_at", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    # SET NULL: a bulk purge of people leaves their published words in place; an
    # erasure deletes the person through the ORM, whose cascade (the backref
    # below) deletes their comments too.
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    by_owner: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default=CommentStatus.UNCONFIRMED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person | None] = relationship(
        backref=backref(
            "comments", cascade="all, delete-orphan", order_by="Comment.created_at"
        )
    )
    parent: Mapped[Comment | None] = relationship(
        remote_side=[id], back_populates="replies"
    )
    replies: Mapped[list[Comment]] = relationship(
        back_populates="parent",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Comment.created_at",
    )

    @property
    def shown(self) -> bool:
        return self.status == CommentStatus.APPROVED

    def __repr__(self) -> str:
        who = "owner" if self.by_owner else f"person {self.person_id}"
        return f"<Comment {self.id} on {self.slug} by {who} {self.status}>"


def new_version() -> str:
    return secrets.token_hex(8)


def touch_thread(connection, slug: str, **values) -> None:
    """Give the post's thread a new version (and `values`, e.g. closed=True),
    creating its row if needed; joins the connection's transaction."""
    insert = (
        postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    )
    changes = {"version": new_version(), "changed_at": utcnow(), **values}
    statement = insert(CommentThread.__table__).values(
        slug=slug, **{"closed": False, **changes}
    )
    connection.execute(
        statement.on_conflict_do_update(index_elements=["slug"], set_=changes)
    )


@event.listens_for(Comment, "after_insert")
def _comment_added(_mapper, connection, comment: Comment) -> None:
    if comment.status == CommentStatus.APPROVED:
        touch_thread(connection, comment.slug)


@event.listens_for(Comment, "after_update")
def _comment_changed(_mapper, connection, comment: Comment) -> None:
    history = inspect(comment).attrs.status.history
    if CommentStatus.APPROVED in (*history.added, *history.deleted, comment.status):
        touch_thread(connection, comment.slug)


@event.listens_for(Comment, "after_delete")
def _comment_deleted(_mapper, connection, comment: Comment) -> None:
    touch_thread(connection, comment.slug)
