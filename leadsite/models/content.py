"""The owner's writing: posts and pages, their saved revisions, the old addresses
that still lead to them, and the mark that the sample content was added once."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow


class PostKind(StrEnum):
    POST = "post"  # in the blog, the feed and the sitemap
    PAGE = "page"  # About, Privacy ...: its own address, not in the blog or feed


class PostStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"  # shows from `publish_at` on
    PUBLISHED = "published"


class Post(db.Model):
    """One post or page. `version` goes up with every save (SQLAlchemy checks it in
    the UPDATE), so a save started from an older version is refused."""

    __tablename__ = "posts"
    __table_args__ = {"sqlite_autoincrement": True}  # an id is never used twice

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), default=PostKind.POST)
    title: Mapped[str] = mapped_column(String(300))
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list] = mapped_column(JSON, default=list)
    cover_src: Mapped[str] = mapped_column(String(500), default="")
    cover_alt: Mapped[str] = mapped_column(String(500), default="")
    author: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=PostStatus.DRAFT)
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    updated_on: Mapped[date | None] = mapped_column(Date)  # "Updated" on the page
    # `postnotes.PostNotes`: sample, reviewed, law, cta (as front matter keys).
    notes: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow
    )
    version: Mapped[int] = mapped_column(Integer, default=1)

    revisions: Mapped[list[PostRevision]] = relationship(
        back_populates="post",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="PostRevision.id.desc()",
    )

    __mapper_args__ = {"version_id_col": version}

    def is_live(self, now: datetime) -> bool:
        """Visitors see it: not a draft, and its time has come."""
        return (
            self.status != PostStatus.DRAFT
            and self.publish_at is not None
            and self.publish_at <= now
        )

    def shown_status(self, now: datetime) -> str:
        """draft, scheduled (time still to come) or published."""
        if self.status == PostStatus.DRAFT:
            return PostStatus.DRAFT
        return PostStatus.PUBLISHED if self.is_live(now) else PostStatus.SCHEDULED

    def __repr__(self) -> str:
        return f"<Post {self.id} {self.kind} {self.slug} v{self.version}>"


class PostRevision(db.Model):
    """The text of a post as one save left it, to compare and restore."""

    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    saved_by: Mapped[str] = mapped_column(String(254), default="")

    post: Mapped[Post] = relationship(back_populates="revisions")

    def __repr__(self) -> str:
        return f"<PostRevision {self.id} post {self.post_id} v{self.version}>"


class SlugRedirect(db.Model):
    """An address a post had: it now leads (301) to the post's current address.
    Pointing at the post, not at the next slug, means chains never form."""

    __tablename__ = "slug_redirects"

    old_slug: Mapped[str] = mapped_column(String(200), primary_key=True)
    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<SlugRedirect {self.old_slug} -> post {self.post_id}>"


class ContentSeed(db.Model):
    """One row once the sample posts were offered to this database; its primary key
    lets only one web worker add them."""

    __tablename__ = "content_seeds"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<ContentSeed {self.name}>"
