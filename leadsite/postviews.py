"""Post views per day, counted on the server: no cookie, no script, no other site.

A post page carries a 1×1 counting image (`pixel`) that is never cached, so a view
counts even when nginx or another shared cache served the page itself, and robots
that load no images are left out (as are those whose User-Agent says bot).

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

from flask import Blueprint, Flask, current_app, request
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .extensions import db
from .models import utcnow
from .models.admin import PostViewDay

log = logging.getLogger(__name__)

FLUSH_SECONDS = 5.0  # a busy worker writes a few times a minute, not per view
FLUSH_VIEWS = 1000
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
        # One write at a time: a flush (the dashboard's) waits for one under way,
        # so what it reads afterwards includes every view counted before it.
        self.writing = threading.Lock()
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
        with self.writing:
            self.write(self.take())

    def write(self, counts: Counter) -> None:
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


# A transparent 1×1 GIF.
PIXEL = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c000000000100010000020144003b"
)
bp = Blueprint("postviews", __name__)


def counter() -> PostViewCounter:
    return current_app.extensions["post_views"]


@bp.get("/blog/<slug>/seen.gif")
def pixel(slug: str):
    """Count one view of a published post by a visitor that is not a robot."""
    from .posts import library

    visitor = request.method == "GET" and not is_bot(request.user_agent.string)
    if visitor and library().get(slug) and counter().count(slug, utcnow().date()):
        counter().flush_soon()
    headers = {"Cache-Control": "no-store", "Content-Type": "image/gif"}
    return PIXEL, 200, headers


def init_app(app: Flask) -> None:
    """Start this app's counter and serve the counting image."""
    views = PostViewCounter(app)
    app.extensions["post_views"] = views
    if not app.testing:  # a test's database is gone by the time the tests exit
        COUNTERS.add(views)
    app.register_blueprint(bp)


@atexit.register
def flush_all() -> None:
    """At exit (a gunicorn worker stopping), write what each counter still holds."""
    for views in list(COUNTERS):
        views.flush()
