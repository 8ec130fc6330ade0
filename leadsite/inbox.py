"""The inbox: a form's checked submission is stored in one small write and the
visitor answered at once; the mail worker turns it into a lead a moment later.

Why: a signup through the lead rules (`signups`) is a dozen statements and two
mail templates. In the request, that is the visitor's wait, and a burst of
visitors queues behind it. Here, the request stores one row in the transaction
its form's checks began (rate-limit count and used token: `security.bottrap`), so
a submission is either kept whole or, with its token, not at all.

The worker (`worker.run_worker`) calls `process_waiting`: each submission is handed
to its rule in `signups` and deleted once that has committed. It starts once no
form has arrived for QUIET (a second), or the oldest has waited LONGEST_WAIT: a
burst of visitors is answered first, without the worker's writes in the way
(SQLite has one writer at a time), and its leads follow a moment later. The rules are
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
from sqlalchemy import JSON, bindparam, delete, func, or_, select, text, update

from . import signups
from .extensions import db
from .models import Purpose, Submission, UsedFormToken, UTCDateTime, utcnow
from .security.bottrap import NONCE, use_nonce
from .security.ratelimit import (
    DatabaseCounters,
    check_submission,
    client_key,
    counted_in_database,
    refuse_if_over,
    window_now,
)

log = logging.getLogger(__name__)

CLAIM = timedelta(minutes=2)
MAX_ATTEMPTS = 5
QUIET = timedelta(seconds=1)
LONGEST_WAIT = timedelta(seconds=30)


def keep_submission(counted: bool = False) -> str:
    """The INSERT that keeps a submission with its form's token, unless the token
    was used already (by a submission still waiting, or one handled since, whose
    token `handle` moved to the used tokens). `counted`: read the client's count
    from a `hit` CTE too, and keep the submission only within the limit."""
    source = " FROM hit" if counted else ""
    within = "hit.hits <= CAST(:limit AS INTEGER) AND " if counted else ""
    return (
        f"INSERT INTO {Submission.__tablename__} "
        "(kind, data, received_at, attempts, last_error, nonce) "
        f"SELECT :kind, :data, :received_at, 0, '', {NONCE}{source} "
        f"WHERE {within}NOT EXISTS "
        f"(SELECT 1 FROM {UsedFormToken.__tablename__} WHERE nonce = {NONCE}) "
        "ON CONFLICT (nonce) DO NOTHING RETURNING id"
    )


# Written once: every form a person sends runs one of them.
TYPES = (bindparam("data", type_=JSON), bindparam("received_at", type_=UTCDateTime))
ACCEPT = text(keep_submission()).bindparams(*TYPES)
# On PostgreSQL the client's rate-limit count goes in the same statement, a round
# trip fewer on every form (SQLite runs statements in-process: no need).
COUNT_AND_ACCEPT = text(
    f"WITH hit AS ({DatabaseCounters.HIT.text}), "
    f"kept AS ({keep_submission(counted=True)}) "
    "SELECT hit.hits, (SELECT id FROM kept) FROM hit"
).bindparams(*TYPES, bindparam("expires_at", type_=UTCDateTime))


def accept(form, kind: str, source: signups.Source, **fields) -> bool:
    """Count the submission towards the client's rate limit and store it, with its
    form's token, in one transaction (and on PostgreSQL one statement): one write
    for everything the request keeps. Raises TooManySubmissions when over the
    limit; False when the token was used already (the form then shows again)."""
    data = {**fields, "source": dataclasses.asdict(source)}
    values = {"kind": kind, "data": data, "received_at": utcnow(), "nonce": form.nonce}
    if db.engine.dialect.name == "postgresql" and counted_in_database():
        index, ends, expires = window_now()
        counter = {"key": f"{client_key()}:{index}", "expires_at": expires}
        limit = current_app.config["FORM_RATE_LIMIT"]
        hits, kept = db.session.execute(
            COUNT_AND_ACCEPT, {**values, **counter, "limit": limit}
        ).one()
        DatabaseCounters.purge()
        refuse_if_over(hits, ends, form)
    else:
        check_submission(form, commit=False)
        kept = db.session.scalar(ACCEPT, values)
    if kept is None:
        form.used_again()
        return False
    db.session.commit()
    return True


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
    nonce = submission.nonce
    try:
        RULES[kind](data, signups.Source(**data["source"]))
        db.session.execute(delete(Submission).where(Submission.id == ident))
        use_nonce(nonce)  # a replay of its token stays refused
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


def settled(now) -> bool:
    """Whether forms have stopped arriving for QUIET (or the oldest waiting one has
    waited LONGEST_WAIT): then the worker's writes hold up no visitor."""
    newest, oldest = db.session.execute(
        select(
            func.max(Submission.received_at), func.min(Submission.received_at)
        ).where(Submission.attempts < MAX_ATTEMPTS)
    ).one()
    db.session.commit()  # end the read (on SQLite, every transaction locks)
    if newest is None:
        return False
    return newest <= now - QUIET or oldest <= now - LONGEST_WAIT


def process_waiting(limit: int = 100, settle: bool = False) -> int:
    """Handle up to `limit` waiting submissions; how many were handled. With
    `settle` (the worker's rounds), only once they have stopped arriving."""
    if settle and not settled(utcnow()):
        return 0
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
