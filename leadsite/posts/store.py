"""Reading the stored posts for visitors: what is live now, each rendered once.

A post is live when it is not a draft and its `publish_at` has come, so a
scheduled post appears at its time on every web worker without a restart. The
rendered HTML is kept in memory per (post id, version): a page view runs one query
and never renders Markdown again until the post is saved.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import defer

from ..extensions import db
from ..models.content import Post as PostRow
from ..models.content import PostKind, PostStatus, SlugRedirect
from ..models.types import utcnow
from ..postnotes import hide_samples
from .view import Post, build

MAX_KEPT = 1000  # rendered posts kept per process


@contextmanager
def short_read():
    """End the read's transaction when it started one and the session held no
    changes: on SQLite every transaction takes the write lock (see `database`)."""
    session = db.session()
    clean = not session.in_transaction() and not (
        session.new or session.dirty or session.deleted
    )
    try:
        yield
    finally:
        if clean:
            session.rollback()


def live_clause(now: datetime):
    return (PostRow.status != PostStatus.DRAFT) & (PostRow.publish_at <= now)


class PostLibrary:
    """The stored posts and pages as template views, rendered once per version."""

    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self._rendered: dict[tuple[int, int], Post] = {}
        self._lock = threading.Lock()

    @property
    def zone(self) -> ZoneInfo:
        return current_app.extensions["site"].settings.site.zone

    def view(self, row: PostRow) -> Post:
        """The row as a template view, from memory when this version was seen."""
        key = (row.id, row.version)
        with self._lock:
            found = self._rendered.get(key)
        if found is None:
            found = build(row, self.site_dir, self.zone)
            with self._lock:
                if len(self._rendered) >= MAX_KEPT:
                    self._rendered.clear()
                self._rendered[key] = found
        return found

    def _rows(self, *where, kind: str = PostKind.POST) -> list[Post]:
        with short_read():
            rows = db.session.scalars(
                select(PostRow)
                .options(defer(PostRow.body))
                .where(PostRow.kind == kind, *where)
                .order_by(PostRow.publish_at.desc(), PostRow.title.desc())
            )
            return [self.view(row) for row in rows]

    def all_posts(self) -> list[Post]:
        """Every blog post, drafts and scheduled ones included, newest first."""
        return self._rows()

    def published(self) -> list[Post]:
        """The blog posts visitors may see now, newest first (in production, our
        sample posts never: `postnotes.hide_samples`)."""
        posts = self._rows(live_clause(utcnow()))
        return [p for p in posts if not p.sample] if hide_samples() else posts

    def get(self, slug: str) -> Post | None:
        """A live blog post by its address."""
        found = self._rows(live_clause(utcnow()), PostRow.slug == slug)
        if found and hide_samples() and found[0].sample:
            return None
        return found[0] if found else None

    def pages(self) -> list[Post]:
        """Every live page (About, Privacy ...), for the sitemap."""
        return self._rows(live_clause(utcnow()), kind=PostKind.PAGE)

    def page(self, slug: str) -> Post | None:
        """A live page (About, Privacy ...) by its address."""
        found = self._rows(
            live_clause(utcnow()), PostRow.slug == slug, kind=PostKind.PAGE
        )
        return found[0] if found else None

    def tagged(self, slug: str) -> list[Post]:
        return [p for p in self.published() if any(t.slug == slug for t in p.tags)]

    def moved_to(self, old_slug: str) -> tuple[str, str] | None:
        """(kind, current slug) of the live post that once had this address."""
        with short_read():
            row = db.session.execute(
                select(PostRow.kind, PostRow.slug)
                .join(SlugRedirect, SlugRedirect.post_id == PostRow.id)
                .where(SlugRedirect.old_slug == old_slug, live_clause(utcnow()))
            ).first()
        return (row.kind, row.slug) if row else None


def init_app(app: Flask) -> None:
    from .seed import seed_before_first_request

    app.extensions["posts"] = PostLibrary(Path(app.config["SITE_DIR"]))
    seed_before_first_request(app)


def library() -> PostLibrary:
    """The current app's posts."""
    return current_app.extensions["posts"]
