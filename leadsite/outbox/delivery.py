"""Delivery: claim due mail, send it over SMTP, record each attempt.

A message stays in the table until the server takes it, refuses it for good, or it
runs out of attempts; `claim_due` and `deliver_due` commit as they go.
"""

from __future__ import annotations

import logging
import random
import threading
from collections import Counter
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update

from ..extensions import db
from ..models import DeliveryAttempt, OutboxMessage, OutboxStatus, utcnow
from ..security.logs import mask_address, mask_addresses
from . import bounces
from .cap import confirm_mail_budget, tell_owner_of_held_mail
from .kinds import CAPPED, LISTED
from .smtp import PERMANENT, CouldNotConnect, Letter, classify, open_connection

log = logging.getLogger(__name__)

FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
JITTER = 0.2  # +/- 20 %, so a backlog does not come back all at once


def per_message_budget() -> timedelta:
    """The longest one message's SMTP exchange may take: connect, MAIL, RCPT, DATA,
    end of data and QUIT, each up to MAIL_TIMEOUT."""
    return timedelta(seconds=6 * current_app.config["MAIL_TIMEOUT"])


def lease() -> timedelta:
    """How long a claim lasts; after that a crashed worker's mail is claimed again."""
    return max(timedelta(minutes=10), 10 * per_message_budget())


def claim_due(limit: int, now: datetime | None = None) -> list[OutboxMessage]:
    """Mark up to `limit` due messages `sending`, so that no other worker takes them.

    Due: queued with next_attempt_at passed, or sending with an expired claim (a
    crashed worker). PostgreSQL skips rows another claimer has locked; on SQLite,
    BEGIN IMMEDIATE (see `database.py`) lets one claimer in at a time.
    Mail to unconfirmed addresses (`CAPPED`) over CONFIRM_MAIL_PER_HOUR stays
    queued, unclaimed and with no attempt counted, until the hour has room.
    List mail (`LISTED`) to an address that bounces or complained is cancelled.
    """
    now = now or utcnow()
    budget = confirm_mail_budget(now)
    due = or_(
        and_(
            OutboxMessage.status == OutboxStatus.QUEUED,
            OutboxMessage.next_attempt_at <= now,
        ),
        and_(
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.claimed_until < now,
        ),
    )
    query = (
        select(OutboxMessage)
        .where(due)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    if budget <= 0:
        query = query.where(OutboxMessage.kind.not_in(CAPPED))
    messages = list(db.session.scalars(query))
    capped = [m for m in messages if m.kind in CAPPED]
    over = capped[max(budget, 0) :]
    messages = [m for m in messages if m not in over]
    bouncing = bounces.bouncing_among(
        [m.to_address for m in messages if m.kind in LISTED]
    )
    for message in [m for m in messages if m.to_address in bouncing]:
        message.status = OutboxStatus.CANCELLED  # list mail to a bouncing address
        message.last_error = "the address bounces or complained"
    messages = [m for m in messages if m.to_address not in bouncing]
    for message in messages:
        message.status = OutboxStatus.SENDING
        message.claimed_until = now + lease()
    if len(capped) - len(over) >= budget:  # the hour is full: does mail wait?
        tell_owner_of_held_mail(now)
    db.session.commit()
    return messages


def retry_delay(attempts: int) -> timedelta:
    """One minute after the first failure, doubling up to an hour, give or take 20 %."""
    delay = min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)
    return delay * random.uniform(1 - JITTER, 1 + JITTER)


def record(letter: Letter, outcome: str, detail: str, now: datetime) -> None:
    """Store one attempt and what it changes, committed on its own."""
    message = db.session.get(OutboxMessage, letter.id, populate_existing=True)
    message.claimed_until = None
    if outcome == "kept":
        message.status = OutboxStatus.KEPT
    elif outcome == "sent":
        message.attempts += 1
        message.status = OutboxStatus.SENT
        message.sent_at = now
        message.last_error = ""
    else:
        message.attempts += 1
        message.last_error = detail
        out_of_tries = message.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]
        if outcome == PERMANENT or out_of_tries:
            message.status = OutboxStatus.FAILED
            log.warning(
                "Mail %s to %s failed: %s",
                letter.id,
                mask_address(letter.to),
                mask_addresses(detail),
            )
        else:
            message.status = OutboxStatus.QUEUED
            message.next_attempt_at = now + retry_delay(message.attempts)
    db.session.add(DeliveryAttempt(message=message, outcome=outcome, detail=detail))
    db.session.commit()


def release(letters: list[Letter]) -> None:
    """Put claimed, unsent messages back in the queue (the worker is stopping)."""
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_([letter.id for letter in letters]),
            OutboxMessage.status == OutboxStatus.SENDING,
        )
        .values(status=OutboxStatus.QUEUED, claimed_until=None)
    )
    db.session.commit()


def deliver_due(
    limit: int = 50, now: datetime | None = None, stop: threading.Event | None = None
) -> Counter:
    """Claim due mail and send it over one SMTP connection; count the outcomes.

    Each outcome is committed on its own, so a crash mid-batch loses nothing. With
    no MAIL_SERVER the mail is KEPT and logged in full, for the owner to read.
    """
    counts: Counter = Counter()
    letters = [Letter.of(row) for row in claim_due(limit, now)]
    db.session.commit()  # end the read before any SMTP exchange
    connection, down = None, None  # after a failed connect, the rest wait too
    try:
        for index, letter in enumerate(letters):
            if stop is not None and stop.is_set():
                release(letters[index:])
                break
            if (now or utcnow()) + per_message_budget() > letter.claimed_until:
                continue  # the claim could lapse mid-send: leave it to the next claim
            if not current_app.config["MAIL_SERVER"]:
                log.info(
                    "MAIL_SERVER is not set; mail %s to %s kept: read it with "
                    "`flask outbox show --id %s`",
                    letter.id,
                    mask_address(letter.to),
                    letter.id,
                )
                outcome, detail = "kept", "MAIL_SERVER is not set"
            elif down is not None:
                outcome, detail = classify(down)
            else:
                try:
                    message = letter.as_message()
                    connection = connection or open_connection()
                    connection.send(message)
                    outcome, detail = "sent", ""
                except Exception as error:
                    if connection is not None:
                        connection.close()  # start afresh after any failure
                        connection = None
                    down = error if isinstance(error, CouldNotConnect) else None
                    outcome, detail = classify(error)
                    if outcome == PERMANENT and bounces.is_permanent_refusal(error):
                        bounces.mark(letter.to, bounces.SMTP, detail)  # with record
                    log.warning(
                        "Mail %s to %s: %s",
                        letter.id,
                        mask_address(letter.to),
                        mask_addresses(detail),
                    )
            record(letter, outcome, detail, now or utcnow())
            counts[outcome] += 1
    finally:
        if connection is not None:
            connection.close()
    return counts
