"""Each post's approved comments, rendered once per change and kept in memory.

A page asks for its thread's state (version, closed) by the post's slug: one
primary-key query, remembered by this process for TTL seconds and forgotten at
once when this process changes the thread. So
every worker and host sees a change within those seconds, and a busy post costs
at most one tiny query per TTL per process. The rendered list is kept until the
version moves on (every visible change gives a new one, see `models.comments`).

`comments_version(slug)` is that state as one string: part of a post page's ETag.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from flask import Flask, current_app, render_template
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..database import short_read
from ..extensions import db
from ..models import Comment, CommentStatus, CommentThread

EXTENSION = "comments"
TTL = 2.0


@dataclass(frozen=True)
class ThreadState:
    version: str  # "" while the post has no thread row yet
    closed: bool


@dataclass(frozen=True)
class Rendered:
    """A post's approved comments as HTML, and how many there are."""

    version: str
    html: Markup
    count: int


def read_state(slug: str) -> ThreadState:
    row = db.session.execute(
        select(CommentThread.version, CommentThread.closed).where(
            CommentThread.slug == slug
        )
    ).first()
    return ThreadState(row.version, row.closed) if row else ThreadState("", False)


def approved_comments(slug: str) -> list[Comment]:
    """The shown comments of a post, oldest first, with their replies loaded."""
    return list(
        db.session.scalars(
            select(Comment)
            .where(
                Comment.slug == slug,
                Comment.status == CommentStatus.APPROVED,
                Comment.parent_id.is_(None),
            )
            .order_by(Comment.created_at, Comment.id)
            .options(selectinload(Comment.replies))
        )
    )


class CommentCache:
    """One process's thread states and rendered lists, shared by its threads."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self.lock = threading.Lock()
        self.states: dict[str, tuple[float, ThreadState]] = {}
        self.lists: dict[str, Rendered] = {}

    def state(self, slug: str) -> ThreadState:
        now = time.monotonic()
        with self.lock:
            kept = self.states.get(slug)
        if kept and now - kept[0] < self.ttl:
            return kept[1]
        with short_read():
            state = read_state(slug)
        with self.lock:
            self.states[slug] = (now, state)
        return state

    def forget(self, slug: str) -> None:
        """This process changed the thread: read its state afresh next time."""
        with self.lock:
            self.states.pop(slug, None)

    def rendered(self, slug: str, state: ThreadState | None = None) -> Rendered:
        """The post's approved comments as HTML, rendered again only when the
        version (`state`'s, if given) has changed. Reading after the version means
        the list is never older than the version it is kept under."""
        state = state or self.state(slug)
        with self.lock:
            kept = self.lists.get(slug)
        if kept and kept.version == state.version:
            return kept
        with short_read():
            comments = approved_comments(slug)
            count = sum(1 + sum(r.shown for r in c.replies) for c in comments)
            html = render_template("public/_comments_list.html", comments=comments)
        rendered = Rendered(state.version, Markup(html), count)
        with self.lock:
            self.lists[slug] = rendered
        return rendered


def cache() -> CommentCache:
    return current_app.extensions[EXTENSION]


def comments_version(slug: str) -> str:
    """A string that changes whenever the post's shown comments change or its
    comments are closed or opened; "" for a post nobody has commented on yet."""
    return cache().state(slug).version


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = CommentCache(TTL)
