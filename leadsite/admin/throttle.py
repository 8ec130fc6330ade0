"""Sign-in throttling, kept in the database so every web worker sees the same count.

After `FREE_TRIES` failures for an address or an account, each further failure
makes the next try wait twice as long (2 s, 4 s, 8 s ...), never more than
`LONGEST_WAIT`, so nobody is ever locked out for good. A key quiet for
`FORGET_AFTER` starts afresh; `flask admin unlock` clears one at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import utcnow
from ..models.admin import SignInThrottle

FREE_TRIES = 5
LONGEST_WAIT = timedelta(minutes=15)
FORGET_AFTER = timedelta(hours=24)


def throttle_keys(ip: str, email: str) -> list[str]:
    """One key for the address the request came from, one for the account typed."""
    return [f"ip:{ip}", f"account:{email.strip().lower()[:254]}"]


def wait_after(failures: int) -> timedelta:
    """How long the next try must wait after this many failures in a row."""
    if failures < FREE_TRIES:
        return timedelta(0)
    doublings = min(failures - FREE_TRIES + 1, 20)  # 2**20 s is far past the cap
    return min(timedelta(seconds=2**doublings), LONGEST_WAIT)


def seconds_to_wait(keys: list[str], now: datetime | None = None) -> int:
    """Whole seconds before a sign-in may be tried from here for this account."""
    now = now or utcnow()
    rows = db.session.scalars(
        select(SignInThrottle).where(SignInThrottle.key.in_(keys))
    )
    waits = [(r.blocked_until - now).total_seconds() for r in rows if r.blocked_until]
    return max([0, *[int(w) + 1 for w in waits if w > 0]])


def record_failure(
    keys: list[str],
    now: datetime | None = None,
    wait: Callable[[int], timedelta] = wait_after,
) -> None:
    """Count one failure against each key; a key quiet for a day starts afresh.
    `wait` turns the count into the wait (other policies: see `resets`)."""
    now = now or utcnow()
    for key in keys:
        for _attempt in range(3):  # two first failures may race to insert the row
            try:
                row = db.session.scalar(
                    select(SignInThrottle)
                    .where(SignInThrottle.key == key)
                    .with_for_update()
                )
                if row is None:
                    row = SignInThrottle(key=key, failures=0)
                    db.session.add(row)
                elif now - row.last_failure_at > FORGET_AFTER:
                    row.failures = 0
                row.failures += 1
                row.last_failure_at = now
                row.blocked_until = now + wait(row.failures)
                db.session.commit()
                break
            except IntegrityError:
                db.session.rollback()


def clear_throttle(keys: list[str]) -> int:
    """Forget the failures of these keys; the number of keys that had any."""
    result = db.session.execute(
        delete(SignInThrottle).where(SignInThrottle.key.in_(keys))
    )
    db.session.commit()
    return result.rowcount
