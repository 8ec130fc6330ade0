"""`flask outbox ...`: run the delivery worker, read the outbox, send a mail again;
`flask bounces ...`: read the bounce mailbox, list and clear bouncing addresses."""

from __future__ import annotations

import logging
import os
import sys
from collections import Counter

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db
from ..models import BouncingAddress, OutboxMessage, OutboxStatus
from . import bounces as bounce_rules
from .delivery import deliver_due
from .queue import retry as queue_again
from .worker import run_worker

# The worker yields the CPU to the web server's requests: a burst of visitors is
# answered first, and their mail goes out as it eases.
WORKER_NICENESS = 10


@click.group("outbox", cls=AppGroup)
def outbox() -> None:
    """Mail waiting to go out: deliver it, read it, send it again."""


@outbox.command("work")
@click.option("--once", is_flag=True, help="Do what is waiting now, then exit.")
@click.option("--poll", default=1.0, show_default=True, help="Seconds between checks.")
def work(once: bool, poll: float) -> None:
    """Deliver queued mail; keeps running until stopped (Ctrl+C or SIGTERM)."""
    current_app.logger  # noqa: B018  (sets up Flask's log handler on first use)
    logging.getLogger("leadsite.outbox").setLevel(logging.INFO)
    if not once:
        os.nice(WORKER_NICENESS)
        run_worker(poll_seconds=poll)
        return
    total = Counter()
    while counts := deliver_due():
        total.update(counts)
    summary = ", ".join(f"{count} {outcome}" for outcome, count in total.items())
    click.echo(f"Delivered what was due: {summary or 'nothing was waiting'}.")


@outbox.command("show")
@click.option("--kept", is_flag=True, help="Print the full text of kept mail.")
@click.option("--id", "message_id", type=int, help="Print one message in full.")
@click.option("--status", type=click.Choice([s.value for s in OutboxStatus]))
@click.option("--limit", default=50, show_default=True, help="How many to list.")
def show(kept: bool, message_id: int | None, status: str | None, limit: int) -> None:
    """List the newest messages: id, status, kind, to, subject, attempts, error."""
    if message_id is not None:
        message = db.session.get(OutboxMessage, message_id)
        if message is None:
            click.echo(f"There is no message {message_id}.", err=True)
            sys.exit(1)
        click.echo(full_text(message))
        return
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if kept or status:
        query = query.where(
            OutboxMessage.status == (OutboxStatus.KEPT if kept else status)
        )
    messages = list(db.session.scalars(query))
    if not messages:
        click.echo("No messages.")
    elif kept:
        click.echo(("\n\n" + "=" * 72 + "\n\n").join(full_text(m) for m in messages))
    else:
        click.echo(f"{'id':>5}  {'status':9}  {'kind':15}  {'to':30}  subject")
        for m in messages:
            click.echo(
                f"{m.id:>5}  {m.status:9}  {m.kind[:15]:15}  {m.to_address[:30]:30}  "
                f"{m.subject[:50]}  ({m.attempts} attempts"
                + (f"; last error: {m.last_error}" if m.last_error else "")
                + ")"
            )


@outbox.command("retry")
@click.argument("message_id", type=int)
def retry(message_id: int) -> None:
    """Queue a failed or kept message again; the worker sends it next."""
    try:
        queue_again(message_id)
    except (LookupError, ValueError) as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Message {message_id} is queued again.")


def full_text(message: OutboxMessage) -> str:
    """One message as the owner reads it: its record, headers and text."""
    lines = [
        f"Message {message.id} ({message.kind}), {message.status}, "
        f"{message.attempts} attempts, created {message.created_at:%Y-%m-%d %H:%M} UTC",
    ]
    if message.last_error:
        lines.append(f"Last error: {message.last_error}")
    for attempt in message.delivery_attempts:
        lines.append(
            f"  {attempt.attempted_at:%Y-%m-%d %H:%M:%S} {attempt.outcome}"
            + (f": {attempt.detail}" if attempt.detail else "")
        )
    lines += ["", f"To: {message.to_address}", f"Subject: {message.subject}"]
    lines += [f"{name}: {value}" for name, value in (message.headers or {}).items()]
    return "\n".join(lines) + "\n\n" + message.body_text


@click.group("bounces", cls=AppGroup)
def bounces() -> None:
    """Addresses that bounce or complained: they get no list mail."""


@bounces.command("check")
def check() -> None:
    """Read the bounce mailbox (BOUNCE_MAILBOX_URL) now and mark what it reports."""
    if not current_app.config.get("BOUNCE_MAILBOX_URL"):
        click.echo(
            "BOUNCE_MAILBOX_URL is not set: there is no mailbox to read.", err=True
        )
        sys.exit(1)
    found = bounce_rules.check_bounces()
    click.echo(
        f"Read {found['report']} bounce reports and {found['complaint']} complaints "
        f"({found['addresses']} addresses marked); left {found['other']} other "
        "messages in the mailbox."
    )


@bounces.command("list")
def list_bouncing() -> None:
    """The marked addresses: address, why, how often, last time."""
    rows = db.session.scalars(select(BouncingAddress).order_by(BouncingAddress.email))
    for row in rows:
        click.echo(
            f"{row.email}  {row.reason}  {row.count}x  "
            f"last {row.last_at:%Y-%m-%d %H:%M}"
        )


@bounces.command("clear")
@click.argument("address")
def clear(address: str) -> None:
    """Let list mail go to ADDRESS again."""
    row = db.session.scalar(
        select(BouncingAddress).where(BouncingAddress.email == address.strip().lower())
    )
    if row is None:
        click.echo(f"{address} is not marked as bouncing.", err=True)
        sys.exit(1)
    bounce_rules.clear(row.id)
    db.session.commit()
    click.echo(f"Cleared {address}: list mail goes to it again.")
