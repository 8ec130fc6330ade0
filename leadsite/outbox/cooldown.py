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
from sqlalchemy import and_, bindparam, select

from ..extensions import db
from ..models import OutboxMessage, OutboxStatus, Person, utcnow
from .kinds import CAPPED

# The person's capped mail since `since`, in one statement that also locks the
# person's row (on PostgreSQL): one row with None when there was none.
RECENT = (
    select(OutboxMessage.created_at)
    .select_from(Person)
    .outerjoin(
        OutboxMessage,
        and_(
            OutboxMessage.person_id == Person.id,
            OutboxMessage.kind.in_([kind.value for kind in CAPPED]),
            OutboxMessage.status != OutboxStatus.CANCELLED,
            OutboxMessage.created_at >= bindparam("since"),
        ),
    )
    .where(Person.id == bindparam("person_id"))
    .with_for_update(of=Person)
)


def may_mail_unconfirmed(person: Person | None, now: datetime | None = None) -> bool:
    """Whether one more capped mail may be queued for this person now.

    The person's row is locked for the rest of the transaction (on PostgreSQL), so
    two requests for one address cannot both find room for the last mail.
    """
    if person is None or person.id is None:
        return True  # a new person has had no mail yet
    now = now or utcnow()
    config = current_app.config
    gap = timedelta(minutes=config["UNCONFIRMED_MAIL_GAP_MINUTES"])
    found = db.session.scalars(
        RECENT, {"person_id": person.id, "since": now - timedelta(days=1)}
    )
    times = [at for at in found if at is not None]
    if len(times) >= config["UNCONFIRMED_MAIL_PER_DAY"]:
        return False
    return not any(at >= now - gap for at in times)
