"""The inbox: a form's checked submission is stored in one small write and the
visitor answered at once; the mail worker turns it into a lead a moment later.

Why: a signup through the lead rules (`signups`) is a dozen statements and two
mail templates. In the request, that is the visitor's wait, and a burst of
visitors queues behind it. Here, the request stores one row in the transaction
its form's checks began (rate-limit count and used token: `security.bottrap`), so
a submission is either kept whole or, with its token, not at all.

The worker (`worker.run_worker`) calls `process_waiting`: each submission is handed
to its rule in `signups` and deleted once that has committed. The rules are
idempotent (one person per address, one subscription per purpose, a confirmation
mail at most once per cooldown), so a submission handled twice, after a crash
between the two commits, changes nothing. One that fails is kept with its error,
tried again after a while, and after MAX_ATTEMPTS left for the owner to see
(`flask outbox waiting`), never dropped.

With INBOX_AT_ONCE (the tests' setting) a POST handles its own submission before
answering, as the worker would a moment later.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta

from flask import Flask, current_app, request
from sqlalchemy import delete, insert, or_, select, update

from . import signups
from .extensions import db
from .models import Purpose, Submission, utcnow

log = logging.getLogger(__name__)

CLAIM = timedelta(minutes=2)
MAX_ATTEMPTS = 5


def accept(kind: str, source: signups.Source, **fields) -> None:
    """Store a submission and commit it with what the form's checks left in the
    transaction: one write for everything the request keeps."""
    data = {**fields, "source": dataclasses.asdict(source)}
    db.session.execute(insert(Submission.__table__).values(kind=kind, data=data))
    db.session.commit()


def opt_in(data: dict, source: signups.Source) -> None:
    signups.opt_in(
        data["email"], data["name"], Purpose(data["purpose"]), data["topic"], source
    )


def request_resource(data: dict, source: signups.Source) -> None:
    signups.request_resource(
        data["email"], data["name"], data["slug"], data["newsletter"], source
    )


def send_message(data: dict, source: signups.Source) -> None:
    signups.send_message(data["email"], data["name"], data["body"], source)


RULES = {"opt_in": opt_in, "resource": request_resource, "message": send_message}


def claim(limit: int) -> list[Submission]:
    """Mark up to `limit` waiting submissions as taken by this worker for CLAIM,
    oldest first (other workers skip them; see `outbox.claim_due`)."""
    now = utcnow()
    rows = list(
        db.session.scalars(
            select(Submission)
            .where(
                Submission.attempts < MAX_ATTEMPTS,
                or_(Submission.claimed_until.is_(None), Submission.claimed_until < now),
            )
            .order_by(Submission.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    for row in rows:
        row.claimed_until = now + CLAIM
    db.session.commit()
    return rows


def handle(submission: Submission) -> bool:
    """Run the submission's rule, then delete it; on failure keep it, with its
    error, for a later try. True when it was handled."""
    ident, kind, data = submission.id, submission.kind, dict(submission.data)
    try:
        RULES[kind](data, signups.Source(**data["source"]))
        db.session.execute(delete(Submission).where(Submission.id == ident))
        db.session.commit()
        return True
    except Exception as error:
        db.session.rollback()
        log.exception("Submission %s (%s) failed; it is kept", ident, kind)
        db.session.execute(
            update(Submission)
            .where(Submission.id == ident)
            .values(
                attempts=Submission.attempts + 1,
                last_error=f"{type(error).__name__}: {error}"[:2000],
                claimed_until=utcnow() + CLAIM * 2,  # wait a little before again
            )
        )
        db.session.commit()
        return False


def process_waiting(limit: int = 100) -> int:
    """Handle up to `limit` waiting submissions; how many were handled."""
    return sum(handle(submission) for submission in claim(limit))


def process_at_once(response):
    """With INBOX_AT_ONCE, a POST's submission is handled before its answer."""
    if (
        current_app.config["INBOX_AT_ONCE"]
        and request.method == "POST"
        and response.status_code < 400
    ):
        process_waiting()
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("INBOX_AT_ONCE", False)
    app.after_request(process_at_once)
