"""Owner accounts: argon2 password hashes, the optional second step (a code from an
authenticator app) and server-side sessions, as plain functions the views, the
commands and the tests call. Sign-in throttling lives in `throttle`."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select

from ..addresses import AddressError, canonical_email
from ..extensions import db
from ..models import utcnow
from ..models.admin import AdminSession, AdminUser

PASSWORD_MIN = 12
PASSWORD_MAX = 1000
IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
SEEN_EVERY = timedelta(seconds=60)  # how often a busy session's last_seen_at moves

hasher = PasswordHasher()


@functools.cache
def dummy_hash() -> str:
    """Verified when the account does not exist, so both answers take as long.
    Made on first use: every command and worker would otherwise pay for it."""
    return hasher.hash(secrets.token_urlsafe(16))


def account_email(raw: str) -> str:
    """An owner's address as stored: canonical, lowercased; ValueError if unusable."""
    try:
        return canonical_email(raw).lower()
    except AddressError as exc:
        raise ValueError(str(exc)) from None


def check_password(password: str) -> str:
    """The password if it is long enough; ValueError with a plain reason otherwise."""
    if len(password) < PASSWORD_MIN:
        raise ValueError(f"The password needs at least {PASSWORD_MIN} characters.")
    if len(password) > PASSWORD_MAX:
        raise ValueError(f"The password may have at most {PASSWORD_MAX} characters.")
    return password


def find_user(email: str) -> AdminUser | None:
    try:
        email = account_email(email)
    except ValueError:
        return None
    return db.session.scalar(select(AdminUser).where(AdminUser.email == email))


def create_user(email: str, password: str) -> AdminUser:
    """A new owner account; ValueError if the address is taken or the password short."""
    email = account_email(email)
    if find_user(email):
        raise ValueError(f"There is already an account for {email}.")
    user = AdminUser(email=email, password_hash=hasher.hash(check_password(password)))
    db.session.add(user)
    db.session.commit()
    return user


def set_password(user: AdminUser, password: str, keep: str | None = None) -> None:
    """Change the password and end every session of the account but `keep` (the
    cookie's id of the browser that changed it), if given."""
    user.password_hash = hasher.hash(check_password(password))
    user.password_changed_at = utcnow()
    end_sessions(user, keep=keep)


def password_ok(user: AdminUser, password: str) -> bool:
    """True if `password` is the account's current one."""
    try:
        return hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify(email: str, password: str, code: str = "") -> AdminUser | None:
    """The account if the password (and, with two-step sign-in on, the code) match;
    None for a wrong password, a wrong code or no account."""
    user = find_user(email)
    try:
        hasher.verify(user.password_hash if user else dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not code_ok(user, code):
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return user


def code_ok(user: AdminUser, code: str, now: datetime | None = None) -> bool:
    """True without two-step sign-in; else True once for a code of the authenticator
    app from this 30-second step or the one either side (clocks drift)."""
    if not user.totp_secret:
        return True
    code = "".join((code or "").split())
    if len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(user.totp_secret)
    step = int((now or utcnow()).timestamp() // totp.interval)
    for candidate in (step - 1, step, step + 1):
        fresh = candidate > (user.totp_last_step or -1)
        if fresh and hmac.compare_digest(totp.at(candidate * totp.interval), code):
            user.totp_last_step = candidate
            return True
    return False


def new_totp_secret() -> str:
    return pyotp.random_base32()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(user: AdminUser, ip: str, user_agent: str = "") -> str:
    """A new session row for the account; returns the random id for the cookie.
    The browser's User-Agent is kept to name the session in her list of sign-ins."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        AdminSession(
            token_hash=token_hash(token),
            user=user,
            created_at=now,
            last_seen_at=now,
            ip=ip[:45],
            user_agent=user_agent[:300],
        )
    )
    user.last_sign_in_at = now
    db.session.commit()
    return token


def session_user(token: str | None, now: datetime | None = None):
    """(account, None) for a live session; (None, reason) otherwise, where reason is
    "idle", "expired" or "" (no session, or signed out). Ended sessions are deleted."""
    if not token:
        return None, ""
    now = now or utcnow()
    row = db.session.scalar(
        select(AdminSession).where(AdminSession.token_hash == token_hash(token))
    )
    if row is None:
        return None, ""
    reason = ""
    if now - row.created_at > ABSOLUTE_TIMEOUT:
        reason = "expired"
    elif now - row.last_seen_at > IDLE_TIMEOUT:
        reason = "idle"
    if reason:
        db.session.delete(row)
        db.session.commit()
        return None, reason
    if now - row.last_seen_at > SEEN_EVERY:
        row.last_seen_at = now
        db.session.commit()
    return row.user, None


def end_session(token: str | None) -> None:
    """Sign out: delete the row, so the cookie (or a copy of it) stops working."""
    if token:
        db.session.execute(
            delete(AdminSession).where(AdminSession.token_hash == token_hash(token))
        )
        db.session.commit()


def end_sessions(user: AdminUser, keep: str | None = None) -> int:
    """Sign the account out everywhere (but the session `keep`); how many ended."""
    query = delete(AdminSession).where(AdminSession.user_id == user.id)
    if keep:
        query = query.where(AdminSession.token_hash != token_hash(keep))
    ended = db.session.execute(query).rowcount
    db.session.commit()
    return ended
