"""The owner's admin: her account and sessions, sign-in throttling, the audit log,
post-view counters and the announcements she sends."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow


class AdminUser(db.Model):
    """An account that may sign in to the admin; created from the command line."""

    __tablename__ = "admin_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two-step sign-in (optional): the authenticator app's shared secret, and the
    # last 30-second time step whose code was used, so no code works twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # A key shown on the Account page while two-step sign-in is being set up; it
    # becomes `totp_secret` only after one correct code from the app.
    totp_pending_secret: Mapped[str | None] = mapped_column(String(64))

    sessions: Mapped[list[AdminSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<AdminUser {self.id} {self.email}>"


class AdminSession(db.Model):
    """One signed-in browser. The cookie holds a random id; only its hash is stored,
    and deleting the row (sign-out) makes a copied cookie worthless."""

    __tablename__ = "admin_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("admin_users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")

    user: Mapped[AdminUser] = relationship(back_populates="sessions")

    def __repr__(self) -> str:
        return f"<AdminSession {self.id} user {self.user_id}>"


class PasswordReset(db.Model):
    """A password-reset link sent by mail. Only the hash of its random token is
    stored; it works once (`used_at`) and only until `expires_at`."""

    __tablename__ = "admin_password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("admin_users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ip: Mapped[str] = mapped_column(String(45), default="")

    user: Mapped[AdminUser] = relationship()

    def __repr__(self) -> str:
        return f"<PasswordReset {self.id} user {self.user_id}>"


class SignInThrottle(db.Model):
    """Failed sign-ins for one key (`ip:<address>` or `account:<email>`), kept in
    the database so every web worker sees the same count."""

    __tablename__ = "admin_sign_in_throttle"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<SignInThrottle {self.key} {self.failures}>"


class AuditEvent(db.Model):
    """Something done in the admin (or its commands): what, when, by whom, from where.
    Never a password, token or an erased person's address."""

    __tablename__ = "admin_audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(254), default="")
    ip: Mapped[str] = mapped_column(String(45), default="")
    detail: Mapped[str] = mapped_column(String(1000), default="")

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action}>"


class PostViewDay(db.Model):
    """Views of one post on one day (UTC), added to in batches by each process."""

    __tablename__ = "post_views_daily"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), primary_key=True)
    views: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<PostViewDay {self.day} {self.slug} {self.views}>"


class Announcement(db.Model):
    """One mail-out to a list. `key` is unique (`launch:CA`, `newsletter:<nonce>`),
    so the same announcement can never be sent twice."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # state_launch | newsletter
    state: Mapped[str] = mapped_column(String(2), default="")
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Announcement {self.id} {self.key}>"


class AnnouncementMail(db.Model):
    """Which outbox message carried an announcement to which subscription; at most
    one per subscription and announcement."""

    __tablename__ = "announcement_mails"

    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), primary_key=True
    )
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="CASCADE"), primary_key=True
    )
    message_id: Mapped[int] = mapped_column(
        ForeignKey("outbox.id", ondelete="CASCADE"), unique=True
    )

    def __repr__(self) -> str:
        return f"<AnnouncementMail {self.announcement_id} -> {self.message_id}>"


class StateGuide(db.Model):
    """A published state guide and where it lives; one row per state, ever."""

    __tablename__ = "state_guides"

    state: Mapped[str] = mapped_column(String(2), primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    announcement_id: Mapped[int | None] = mapped_column(
        ForeignKey("announcements.id", ondelete="SET NULL")
    )

    def __repr__(self) -> str:
        return f"<StateGuide {self.state} {self.url}>"
