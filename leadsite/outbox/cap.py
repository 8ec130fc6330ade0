"""The site-wide hourly cap on mail to unconfirmed addresses (CONFIRM_MAIL_PER_HOUR):
the forms cannot be used to flood strangers' inboxes faster than this."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select

from ..extensions import db
from ..models import OutboxMessage, OutboxStatus
from .kinds import CAPPED


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
