"""Old addresses of topic pages (Wix's categories, tags and hashtags) whose name
there is not the name of the topic here, so a link to them still lands."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class TopicRedirect(db.Model):
    """`/blog/categories/getting-ready-1` now is the topic `getting-ready`: the
    visitor goes (301) to its page while a published post has it, else to the blog.
    Old post addresses are `SlugRedirect`s, which follow the post."""

    __tablename__ = "topic_redirects"

    old_path: Mapped[str] = mapped_column(String(500), primary_key=True)
    tag_slug: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<TopicRedirect {self.old_path} -> tag {self.tag_slug}>"
