"""Password reset by mail, for the owner who has forgotten hers.

Rules:
- A link works once, and only for `LINK_LIFETIME`; only a hash of its random token
  is stored, so a copy of the database holds no working link.
- Asking for a link gives the same answer whether or not the address has an
  account: the mail simply goes out only when it has one.
- Asking is throttled per typed address (`REQUESTS_PER_ACCOUNT`, then one an hour)
  and per client address (`REQUESTS_PER_CLIENT`, then one an hour), so nobody can
  flood her inbox through the form.
- A new password set through a link signs the account out everywhere, makes every
  other link of the account useless and clears its sign-in delays.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update

from ..extensions import db
from ..models import utcnow
from ..models.admin import AdminUser, PasswordReset
from ..outbox import MailKind, absolute_url, queue_email
from . import accounts, throttle

LINK_LIFETIME = timedelta(minutes=30)
REQUESTS_PER_ACCOUNT = 3
REQUESTS_PER_CLIENT = 10
BLOCKED_FOR = timedelta(hours=1)


def client_key(ip: str) -> str:
    return f"reset-ip:{ip}"


def account_key(email: str) -> str:
    return f"reset-account:{email.strip().lower()[:254]}"


def wait_after(allowed: int):
    """The throttle policy: `allowed` requests free, then one an hour."""
    return lambda requests: BLOCKED_FOR if requests >= allowed else timedelta(0)


def seconds_to_wait(email: str, ip: str) -> int:
    """Whole seconds before this client may ask for a link for this address."""
    return throttle.seconds_to_wait([client_key(ip), account_key(email)])


def request_reset(email: str, ip: str, now: datetime | None = None) -> None:
    """Count the request; if the address has an account, queue a mail with a new
    link. The caller shows the same answer either way."""
    now = now or utcnow()
    throttle.record_failure([client_key(ip)], now, wait_after(REQUESTS_PER_CLIENT))
    throttle.record_failure([account_key(email)], now, wait_after(REQUESTS_PER_ACCOUNT))
    user = accounts.find_user(email)
    if user is None:
        return
    token = secrets.token_urlsafe(32)
    db.session.add(
        PasswordReset(
            token_hash=accounts.token_hash(token),
            user=user,
            created_at=now,
            expires_at=now + LINK_LIFETIME,
            ip=ip[:45],
        )
    )
    queue_email(
        MailKind.PASSWORD_RESET,
        user.email,
        "Your link to choose a new password",
        reset_url=absolute_url("admin.reset_password", token=token),
        minutes=int(LINK_LIFETIME.total_seconds() // 60),
        ip=ip,
    )
    db.session.commit()


def usable_reset(token: str, now: datetime | None = None) -> PasswordReset | None:
    """The link's row while it is unused and not expired; None otherwise."""
    row = db.session.scalar(
        select(PasswordReset).where(
            PasswordReset.token_hash == accounts.token_hash(token)
        )
    )
    if row is None or row.used_at is not None or row.expires_at <= (now or utcnow()):
        return None
    return row


def use_reset(token: str, password: str) -> AdminUser | None:
    """Set the new password through the link, once: the account, or None if the
    link was already used or has expired. ValueError if the password is unfit."""
    accounts.check_password(password)
    now = utcnow()
    claimed = db.session.execute(
        update(PasswordReset)
        .where(
            PasswordReset.token_hash == accounts.token_hash(token),
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > now,
        )
        .values(used_at=now)
    )
    if claimed.rowcount != 1:  # used or expired, maybe a moment ago in another tab
        db.session.rollback()
        return None
    row = db.session.scalar(
        select(PasswordReset).where(
            PasswordReset.token_hash == accounts.token_hash(token)
        )
    )
    user = row.user
    db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    accounts.set_password(user, password)  # commits, and signs out everywhere
    throttle.clear_throttle([throttle.throttle_keys("", user.email)[1]])
    return user
