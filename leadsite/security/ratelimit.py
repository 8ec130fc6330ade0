"""Rate limits that hold across every gunicorn worker and host: fixed-window
counters in the database (one atomic upsert per hit), or in Redis when
RATELIMIT_STORAGE_URL is set.

- Per client: FORM_RATE_LIMIT valid submissions per FORM_RATE_WINDOW seconds,
  shared by every public form (`GuardedForm.verdict()` checks it). An IPv6 client
  counts by its /64, since one household or phone gets a whole /64.
- Per address: the confirmation cooldown in `leads.rules`.
- Site-wide: CONFIRM_MAIL_PER_HOUR, applied by the outbox (`outbox.cap`).
"""

from __future__ import annotations

import ipaddress
import math
import time
from datetime import UTC, datetime

from flask import current_app, request
from sqlalchemy import bindparam, delete, text
from werkzeug.exceptions import TooManyRequests

from ..extensions import db
from ..models import RateLimitCounter, UTCDateTime, utcnow

EXTENSION = "leadsite.ratelimit"


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

    # One statement, written once (every form sends it; SQLite 3.35+ and
    # PostgreSQL both have ON CONFLICT and RETURNING).
    HIT = text(
        f"INSERT INTO {RateLimitCounter.__tablename__} (key, hits, expires_at) "
        "VALUES (:key, 1, :expires_at) ON CONFLICT (key) DO UPDATE "
        f"SET hits = {RateLimitCounter.__tablename__}.hits + 1 RETURNING hits"
    ).bindparams(bindparam("expires_at", type_=UTCDateTime))

    def hit(self, key: str) -> tuple[int, float]:
        """Count one hit in the current transaction; return the hits in this window
        and when it ends (epoch)."""
        index, ends, expires = window_now()
        hits = db.session.scalar(
            self.HIT, {"key": f"{key}:{index}", "expires_at": expires}
        )
        self.purge()
        return hits, ends

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

    def hit(self, key: str) -> tuple[int, float]:
        index, ends, _expires = window_now()
        name = f"leadsite:{key}:{index}"
        pipe = self.client.pipeline()
        pipe.incr(name)
        pipe.expireat(name, int(ends) + 1)
        hits, _ = pipe.execute()
        return int(hits), ends


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
    hits, ends = current_app.extensions[EXTENSION].hit(client_key(scope))
    if commit:
        db.session.commit()
    refuse_if_over(hits, ends, form)


def refuse_if_over(hits: int, ends: float, form=None) -> None:
    """Over FORM_RATE_LIMIT: keep the count (commit) and raise TooManySubmissions."""
    if hits <= current_app.config["FORM_RATE_LIMIT"]:
        return
    db.session.commit()
    retry_after = max(1, math.ceil(ends - time.time()))
    current_app.logger.info(
        "Rate limit: %s over %s submissions", client_network(), hits - 1
    )
    raise TooManySubmissions(retry_after, form)


def window_now() -> tuple[int, float, datetime]:
    """The current window's number, when it ends (epoch) and as a UTC time."""
    window = current_app.config["FORM_RATE_WINDOW"]
    index = int(time.time() // window)
    ends = (index + 1) * window
    return index, ends, datetime.fromtimestamp(ends, UTC)
