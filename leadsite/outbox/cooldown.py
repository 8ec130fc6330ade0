"""The per-address cooldown on mail to unconfirmed addresses: however many forms
name one address, from however many clients, it gets at most one such mail per
UNCONFIRMED_MAIL_GAP_MINUTES and UNCONFIRMED_MAIL_PER_DAY a day.

Every capped kind (confirmations of every kind, download links, contact
auto-replies) counts, together. A mail held back here is never queued: the request
is still recorded, and the next mail that goes (or the page one confirmation link
opens) covers it; see `leads.rules`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models import OutboxMessage, OutboxStatus, Person, utcnow
from .kinds import CAPPED


def may_mail_unconfirmed(person: Person | None, now: datetime | None = None) -> bool:
    """Whether one more capped mail may be queued for this person now.

    The person's row is locked for the rest of the transaction (on PostgreSQL), so
    two requests for one address cannot both find room for the last mail.
    """
    if person is None or person.id is None:
        return True  # a new person has had no mail yet
    now = now or utcnow()
    db.session.scalar(select(Person.id).where(Person.id == person.id).with_for_update())
    config = current_app.config
    gap = timedelta(minutes=config["UNCONFIRMED_MAIL_GAP_MINUTES"])
    recent = select(OutboxMessage.created_at).where(
        OutboxMessage.person_id == person.id,
        OutboxMessage.kind.in_([kind.value for kind in CAPPED]),
        OutboxMessage.status != OutboxStatus.CANCELLED,
        OutboxMessage.created_at >= now - timedelta(days=1),
    )
    times = list(db.session.scalars(recent))
    if len(times) >= config["UNCONFIRMED_MAIL_PER_DAY"]:
        return False
    return not any(at >= now - gap for at in times)
