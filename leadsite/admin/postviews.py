"""Post views per day, counted on the server: no cookie, no script, no other site.

Reading a post is the busiest path of the site, so a view is never written to the
database on its own. Each process adds views up in memory and writes them in one
statement (an "add to the day's counter" upsert) every `FLUSH_SECONDS` or
`FLUSH_VIEWS` views, in a writer thread of its own (no request waits for it),
and once more at exit. A process that is killed outright loses at most those few
unwritten views.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import weakref
from collections import Counter
from datetime import date

from flask import Flask, request
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..extensions import db
from ..models import utcnow
from ..models.admin import PostViewDay

log = logging.getLogger(__name__)

FLUSH_SECONDS = 5.0  # a busy worker writes a few times a minute, not per view
FLUSH_VIEWS = 1000
POST_ENDPOINT = "blog.post"
BOT_WORDS = ("bot", "spider", "crawl")

COUNTERS: weakref.WeakSet = weakref.WeakSet()


def is_bot(user_agent: str) -> bool:
    """An obvious robot: its User-Agent says bot, spider or crawl(er)."""
    agent = user_agent.lower()
    return any(word in agent for word in BOT_WORDS)


def add_views(counts: dict[tuple[date, str], int]) -> None:
    """Add counts to the daily counters in one upsert (SQLite and PostgreSQL)."""
    if not counts:
        return
    rows = [{"day": d, "slug": s, "views": n} for (d, s), n in sorted(counts.items())]
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(PostViewDay).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=["day", "slug"],
        set_={"views": PostViewDay.views + statement.excluded.views},
    )
    db.session.execute(statement)
    db.session.commit()


class PostViewCounter:
    """One process's unwritten views, shared by its threads."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.lock = threading.Lock()
        self.counts: Counter = Counter()
        self.pending = 0
        self.last_flush = time.monotonic()
        self.due = threading.Event()
        self.writer: threading.Thread | None = None
        self.writer_pid = 0

    def flush_soon(self) -> None:
        """Have this process's writer thread write the batch: no request thread
        (and so no visitor on a kept-alive connection) waits for the database."""
        with self.lock:
            if self.writer is None or self.writer_pid != os.getpid():
                # Started on first use, so each gunicorn worker (a fork) has its own.
                self.writer_pid = os.getpid()
                self.writer = threading.Thread(
                    target=self.write_when_due, name="post-views", daemon=True
                )
                self.writer.start()
        self.due.set()

    def write_when_due(self) -> None:
        while True:
            self.due.wait()
            self.due.clear()
            self.flush()

    def count(self, slug: str, day: date) -> bool:
        """Add one view; True when it is time to write the batch."""
        with self.lock:
            self.counts[(day, slug)] += 1
            self.pending += 1
            waited = time.monotonic() - self.last_flush
            return self.pending >= FLUSH_VIEWS or waited >= FLUSH_SECONDS

    def take(self) -> Counter:
        with self.lock:
            counts, self.counts = self.counts, Counter()
            self.pending = 0
            self.last_flush = time.monotonic()
        return counts

    def flush(self) -> None:
        """Write the batch; if the database is away, keep it for the next try."""
        counts = self.take()
        if not counts:
            return
        try:
            with self.app.app_context():
                try:
                    add_views(counts)
                finally:
                    db.session.remove()
        except Exception:
            log.exception(
                "Could not save %d post views; keeping them", sum(counts.values())
            )
            with self.lock:
                self.counts.update(counts)
                self.pending += sum(counts.values())


def counter() -> PostViewCounter:
    from flask import current_app

    return current_app.extensions["post_views"]


def init_app(app: Flask) -> None:
    """Count each successful GET of a post by a visitor that is not a robot, both
    in Flask and in the page cache's front layer, which answers before Flask."""
    views = PostViewCounter(app)
    app.extensions["post_views"] = views
    if not app.testing:  # a test's database is gone by the time the tests exit
        COUNTERS.add(views)

    def count_view(method: str, endpoint: str, user_agent: str, view_args) -> bool:
        """Count the view if it is one; True when the batch is due for writing."""
        if endpoint != POST_ENDPOINT or method != "GET" or is_bot(user_agent):
            return False
        slug = (view_args or {}).get("slug", "")[:200]
        return views.count(slug, utcnow().date())

    @app.after_request
    def count_post_view(response):
        if response.status_code == 200 and count_view(
            request.method,
            request.endpoint,
            request.user_agent.string,
            request.view_args,
        ):
            views.flush_soon()
        return response

    def count_front_view(environ, endpoint, view_args):
        agent = environ.get("HTTP_USER_AGENT", "")
        if count_view(environ["REQUEST_METHOD"], endpoint, agent, view_args):
            views.flush_soon()

    from ..caching import on_hit

    on_hit(app, count_front_view)


@atexit.register
def flush_all() -> None:
    """At exit (a gunicorn worker stopping), write what each counter still holds."""
    for views in list(COUNTERS):
        views.flush()
