"""Reading the stored posts for visitors: what is live now, each rendered once.

A post is live when it is not a draft and its `publish_at` has come, so a
scheduled post appears at its time on every web worker without a restart. The
rendered HTML is kept in memory per (post id, version): a page view runs one small
query (the ids and versions of what is live, from statements built once) and never
renders Markdown again until the post is saved.
"""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from sqlalchemy import bindparam, select

from ..database import read_connection, short_read
from ..extensions import db
from ..models.content import Post as PostRow
from ..models.content import PostKind, PostStatus, SlugRedirect
from ..models.types import utcnow
from ..postnotes import hide_samples
from .view import Post, build

MAX_KEPT = 1000  # rendered posts kept per process


def live_clause(now: datetime):
    return (PostRow.status != PostStatus.DRAFT) & (PostRow.publish_at <= now)


# What a page view asks the database, built once: the id and version of each post
# of a kind, newest first; live ones only; live with a given address.
NEWEST_FIRST = (PostRow.publish_at.desc(), PostRow.title.desc())
VERSIONS = (
    select(PostRow.id, PostRow.version)
    .where(PostRow.kind == bindparam("kind"))
    .order_by(*NEWEST_FIRST)
)
LIVE_VERSIONS = VERSIONS.where(live_clause(bindparam("now")))
LIVE_AT = LIVE_VERSIONS.where(PostRow.slug == bindparam("slug"))


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
        """The row as a template view, kept for this version."""
        found = build(row, self.site_dir, self.zone)
        with self._lock:
            if len(self._rendered) >= MAX_KEPT:
                self._rendered.clear()
            self._rendered[(row.id, row.version)] = found
        return found

    def _rows(self, statement, **params) -> list[Post]:
        """The posts `statement` lists (id, version), from memory where this version
        was seen; the rows of the others are read and rendered once."""
        params.setdefault("kind", PostKind.POST)
        with read_connection() as reader:
            keys = reader.execute(statement, params).all()
        with self._lock:
            views = {id_: self._rendered.get((id_, v)) for id_, v in keys}
        missing = [id_ for id_, view in views.items() if view is None]
        if missing:
            with short_read():
                rows = db.session.scalars(
                    select(PostRow).where(PostRow.id.in_(missing))
                )
                views.update((row.id, self.view(row)) for row in rows)
        return [views[id_] for id_, _ in keys if views[id_] is not None]

    def all_posts(self) -> list[Post]:
        """Every blog post, drafts and scheduled ones included, newest first."""
        return self._rows(VERSIONS)

    def published(self) -> list[Post]:
        """The blog posts visitors may see now, newest first (in production, our
        sample posts never: `postnotes.hide_samples`)."""
        posts = self._rows(LIVE_VERSIONS, now=utcnow())
        return [p for p in posts if not p.sample] if hide_samples() else posts

    def get(self, slug: str) -> Post | None:
        """A live blog post by its address."""
        found = self._rows(LIVE_AT, now=utcnow(), slug=slug)
        if found and hide_samples() and found[0].sample:
            return None
        return found[0] if found else None

    def pages(self) -> list[Post]:
        """Every live page (About, Privacy ...), for the sitemap."""
        return self._rows(LIVE_VERSIONS, now=utcnow(), kind=PostKind.PAGE)

    def page(self, slug: str) -> Post | None:
        """A live page (About, Privacy ...) by its address."""
        found = self._rows(LIVE_AT, now=utcnow(), slug=slug, kind=PostKind.PAGE)
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
