"""The site-wide hourly cap on mail to unconfirmed addresses (CONFIRM_MAIL_PER_HOUR):
the forms cannot be used to flood strangers' inboxes faster than this.

When the cap holds mail back, the owner hears of it: a warning in the log and a
notice to OWNER_EMAIL, each at most once an hour; the dashboard shows what waits.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select

from ..extensions import db
from ..models import OutboxMessage, OutboxStatus
from .compose import queue_email
from .kinds import CAPPED, MailKind

log = logging.getLogger(__name__)
WARN_EVERY_SECONDS = 3600


def confirm_mail_budget(now: datetime) -> int:
    """How many more capped mails may go out now: those sent in the last hour, and
    those being sent (an unexpired claim), count against it."""
    used = db.session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.kind.in_([kind.value for kind in CAPPED]),
            or_(
                OutboxMessage.sent_at >= now - timedelta(hours=1),
                and_(
                    OutboxMessage.status == OutboxStatus.SENDING,
                    OutboxMessage.claimed_until >= now,
                ),
            ),
        )
    )
    return max(0, current_app.config["CONFIRM_MAIL_PER_HOUR"] - used)


def capped_waiting(now: datetime | None = None) -> int:
    """How many mails to unconfirmed addresses wait in the queue (due by `now`)."""
    query = select(func.count(OutboxMessage.id)).where(
        OutboxMessage.kind.in_([kind.value for kind in CAPPED]),
        OutboxMessage.status == OutboxStatus.QUEUED,
    )
    if now is not None:
        query = query.where(OutboxMessage.next_attempt_at <= now)
    return db.session.scalar(query)


def tell_owner_of_held_mail(now: datetime) -> None:
    """The cap is holding due mail back: warn in the log and queue a notice to
    OWNER_EMAIL, unless one went in the last hour. The caller commits."""
    waiting = capped_waiting(now)
    if not waiting:
        return
    stamps = current_app.extensions.setdefault("leadsite.cap_warned", {})
    if (
        time.monotonic() - stamps.get("logged", -WARN_EVERY_SECONDS)
        >= WARN_EVERY_SECONDS
    ):
        stamps["logged"] = time.monotonic()
        log.warning(
            "The hourly cap (CONFIRM_MAIL_PER_HOUR=%s) holds %s mails to unconfirmed "
            "addresses back; they go out as the hour allows.",
            current_app.config["CONFIRM_MAIL_PER_HOUR"],
            waiting,
        )
    owner = current_app.config.get("OWNER_EMAIL")
    noticed = db.session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.kind == MailKind.CAP_NOTICE,
            OutboxMessage.created_at >= now - timedelta(hours=1),
        )
    )
    if owner and not noticed:
        queue_email(
            MailKind.CAP_NOTICE,
            owner,
            "Mail to new visitors is waiting for the hourly limit",
            waiting=waiting,
            per_hour=current_app.config["CONFIRM_MAIL_PER_HOUR"],
        )
