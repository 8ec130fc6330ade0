"""Rate limits that hold across every gunicorn worker and host: counters in the
database (one atomic upsert per hit), or in Redis when RATELIMIT_STORAGE_URL is set.

The window slides: the count is this fixed window's hits plus the previous
window's, weighted by how much of it still lies within one window length of now.
So nobody gets twice the limit through by sending at the end of one window and
again at the start of the next, and each hit still costs one counter write.

- Per client: FORM_RATE_LIMIT valid submissions per FORM_RATE_WINDOW seconds,
  shared by every public form (`GuardedForm.verdict()` has it counted with the
  lead, `count_with_lead`). An IPv6 client counts by its /64, since one
  household or phone gets a whole /64.
- Per address: the cooldown on mail to unconfirmed addresses (`outbox.cooldown`).
- Site-wide: CONFIRM_MAIL_PER_HOUR, applied by the outbox (`outbox.cap`).
"""

from __future__ import annotations

import ipaddress
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app, g, request
from sqlalchemy import bindparam, delete, text
from werkzeug.exceptions import TooManyRequests

from ..extensions import db
from ..models import RateLimitCounter, UTCDateTime, utcnow

EXTENSION = "leadsite.ratelimit"
TABLE = RateLimitCounter.__tablename__


class TooManySubmissions(TooManyRequests):
    """Over the limit: a 429 whose page says when to try again and shows the
    visitor what they typed (`form`), so nothing is lost."""

    def __init__(self, retry_after: int, form=None) -> None:
        super().__init__(retry_after=retry_after)
        self.form = form


def client_network(address: str | None = None) -> str:
    """The client's address as a counting key: IPv4 as is, IPv6 as its /64."""
    raw = address if address is not None else (request.remote_addr or "")
    try:
        ip = ipaddress.ip_address(raw)
    except ValueError:
        return raw[:64]
    if ip.version == 6 and ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


PURGE_EVERY_SECONDS = 60


def due_for_purge(table: str) -> bool:
    """True at most once a minute per process and table. Expired rows do no harm
    (old windows are never counted again; old held entries are only kept too long), so
    deleting them on every request would only slow every form down."""
    stamps = current_app.extensions.setdefault("leadsite.purged", {})
    now = time.monotonic()
    last = stamps.get(table)
    if last is not None and now - last < PURGE_EVERY_SECONDS:
        return False
    stamps[table] = now
    return True


class DatabaseCounters:
    """Counters in the `rate_limit_counters` table, shared by every worker."""

    # One statement, written once, that counts this hit and reads the previous
    # window's count (every form sends it; SQLite 3.35+ and PostgreSQL both have
    # ON CONFLICT, and RETURNING with a subquery).
    HIT = text(
        f"INSERT INTO {TABLE} (key, hits, expires_at) "
        "VALUES (:key, 1, :expires_at) ON CONFLICT (key) DO UPDATE "
        f"SET hits = {TABLE}.hits + 1 "
        f"RETURNING hits, (SELECT p.hits FROM {TABLE} AS p WHERE p.key = :previous)"
    ).bindparams(bindparam("expires_at", type_=UTCDateTime))

    def hit(self, key: str, window: Window) -> tuple[int, int]:
        """Count one hit in the current transaction; return the previous window's
        hits and this one's (this hit included)."""
        hits, previous = db.session.execute(
            self.HIT,
            {
                "key": f"{key}:{window.index}",
                "previous": f"{key}:{window.index - 1}",
                "expires_at": window.keep_until,
            },
        ).one()
        self.purge()
        return previous or 0, hits

    @staticmethod
    def purge() -> None:
        if due_for_purge("rate_limit_counters"):
            db.session.execute(
                delete(RateLimitCounter).where(RateLimitCounter.expires_at < utcnow())
            )


class RedisCounters:
    """The same counters in Redis (INCR with an expiry), for several hosts."""

    def __init__(self, url: str) -> None:
        import redis  # only needed when RATELIMIT_STORAGE_URL is set

        self.client = redis.Redis.from_url(url)

    def hit(self, key: str, window: Window) -> tuple[int, int]:
        name = f"leadsite:{key}:{window.index}"
        pipe = self.client.pipeline()
        pipe.incr(name)
        pipe.expireat(name, int(window.keep_until.timestamp()) + 1)
        pipe.get(f"leadsite:{key}:{window.index - 1}")
        hits, _, previous = pipe.execute()
        return int(previous or 0), int(hits)


def init_app(app) -> None:
    url = app.config.get("RATELIMIT_STORAGE_URL")
    app.extensions[EXTENSION] = RedisCounters(url) if url else DatabaseCounters()


def client_key(scope: str = "forms") -> str:
    return f"{scope}:ip:{client_network()}"


def check_submission(form=None, scope: str = "forms", commit: bool = True) -> None:
    """Count a form submission from this client; raise TooManySubmissions when over
    FORM_RATE_LIMIT in the current window. With `commit=False` the count waits for
    the caller's commit (one write for the count and the submission), unless over.
    """
    window = window_now()
    previous, hits = current_app.extensions[EXTENSION].hit(client_key(scope), window)
    if commit:
        db.session.commit()
    refuse_if_over(window, previous, hits, form)


def count_with_lead(form, scope: str = "forms") -> None:
    """Count this valid submission in the transaction that stores what it asked
    for, as its first statement (`count_pending`, which `leads.committed` runs):
    the count and the lead are one write, and what the form does before its
    transaction (rendering its mail) holds no lock. Kept for this request only."""
    g.uncounted_submission = (form, scope)


def count_pending() -> None:
    """Take the count `count_with_lead` left for this request, if any, uncommitted;
    TooManySubmissions (the count kept) when over the limit."""
    pending = g.pop("uncounted_submission", None)
    if pending is not None:
        check_submission(*pending, commit=False)


def refuse_if_over(window: Window, previous: int, hits: int, form=None) -> None:
    """Over FORM_RATE_LIMIT in the sliding window: keep the count (commit) and
    raise TooManySubmissions, saying when one more submission will fit."""
    limit = current_app.config["FORM_RATE_LIMIT"]
    if window.estimate(previous, hits) <= limit:
        return
    db.session.commit()
    current_app.logger.info(
        "Rate limit: %s over %s submissions", client_network(), limit
    )
    raise TooManySubmissions(window.seconds_until_room(previous, hits, limit), form)


@dataclass(frozen=True)
class Window:
    """The fixed window `now` falls in: its number, start (epoch) and length."""

    index: int
    start: float
    length: int
    now: float

    @property
    def keep_until(self) -> datetime:
        """A window's count is read until the next window ends."""
        return datetime.fromtimestamp(self.start + 2 * self.length, UTC)

    def estimate(self, previous: int, hits: int) -> float:
        """The hits in the last `length` seconds, the previous window's spread
        evenly over it."""
        return previous * (1 - (self.now - self.start) / self.length) + hits

    def seconds_until_room(self, previous: int, hits: int, limit: int) -> int:
        """How long until the estimate is back at `limit - 1`, so one more fits."""
        room = limit - 1
        if hits <= room and previous:  # within this window, as `previous` fades
            at = self.start + (1 - (room - hits) / previous) * self.length
        else:  # in the next window, as this one's hits fade
            at = self.start + self.length * (2 - room / max(hits, 1))
        return max(1, math.ceil(at - self.now))


def window_now() -> Window:
    length = current_app.config["FORM_RATE_WINDOW"]
    now = time.time()
    index = int(now // length)
    return Window(index, index * length, length, now)
