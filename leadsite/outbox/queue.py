"""Putting mail in the outbox, in the caller's transaction (the caller commits with
the lead, so neither exists without the other), and taking it back out."""

from __future__ import annotations

from sqlalchemy import update

from ..database import NewRow
from ..extensions import db
from ..models import OutboxMessage, OutboxStatus, utcnow
from .kinds import MailKind

NEW_MAIL = NewRow(OutboxMessage)
HEADERS = {
    name.lower(): name
    for name in ("Reply-To", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post")
}


def refuse_line_break(name: str, value: str) -> None:
    if "\r" in value or "\n" in value:
        raise ValueError(f"{name} must not contain a line break: {value!r}")


def queue_mail(
    *,
    kind: MailKind,
    to,
    subject,
    text,
    html="",
    headers=None,
    person=None,
    subscription=None,
) -> OutboxMessage:
    """Insert a mail, uncommitted, so it is committed with the lead (one INSERT,
    `NEW_MAIL`).

    Only the header names in `HEADERS` are allowed, and no header, subject or
    address may hold a line break (header injection): ValueError otherwise.
    """
    kind = MailKind(kind)  # an unknown kind fails here, before the hourly cap
    refuse_line_break("To", to)
    refuse_line_break("Subject", subject)
    clean = {}
    for name, value in (headers or {}).items():
        if name.lower() not in HEADERS:
            raise ValueError(f"header {name!r} is not allowed here")
        refuse_line_break(name, value)
        clean[HEADERS[name.lower()]] = value
    for row in (person, subscription):
        if row is not None and row.id is None:
            db.session.add(row)
            db.session.flush()  # gives the new row its id
    return NEW_MAIL.insert(
        kind=kind,
        to_address=to,
        subject=subject,
        body_text=text,
        body_html=html,
        headers=clean,
        person_id=person.id if person else None,
        subscription_id=subscription.id if subscription else None,
        status=OutboxStatus.QUEUED,
        next_attempt_at=utcnow(),
    )


def cancel_queued(subscription_id: int) -> int:
    """Cancel the mail still waiting for this subscription (on unsubscribe)."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.subscription_id == subscription_id,
            OutboxMessage.status == OutboxStatus.QUEUED,
        )
        .values(status=OutboxStatus.CANCELLED)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount


def retry(message_id: int) -> OutboxMessage:
    """Queue a failed or kept message again, due now, with its attempts reset."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise LookupError(f"There is no message {message_id}.")
    if message.status not in (OutboxStatus.FAILED, OutboxStatus.KEPT):
        raise ValueError(
            f"Message {message_id} is {message.status}; only failed or kept mail "
            "can be sent again."
        )
    message.status = OutboxStatus.QUEUED
    message.attempts = 0
    message.next_attempt_at = utcnow()
    return message
