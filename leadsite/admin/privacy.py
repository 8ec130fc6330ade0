"""Erasing a person on request, and purging what was never confirmed.

Erasure removes every row about the person (sign-ups, consent records, downloads,
messages, every mail to or about them) and keeps only a keyed hash of the address
(`leadsite.privacy.suppress`), so the address is never mailed again.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta

from flask import abort, flash, redirect, render_template, url_for
from sqlalchemy import delete, func, or_, select

from .. import privacy
from ..addresses import AddressError
from ..extensions import db
from ..models import (
    BouncingAddress,
    ContactMessage,
    HeldSubmission,
    OutboxMessage,
    OutboxStatus,
    Person,
    Subscription,
    SubscriptionStatus,
    utcnow,
)
from ..security.bottrap import HOLD_DAYS
from . import audit
from .blueprint import bp
from .forms import ButtonForm
from .words import plural

FINISHED = (
    OutboxStatus.SENT,
    OutboxStatus.FAILED,
    OutboxStatus.KEPT,
    OutboxStatus.CANCELLED,
)


def mail_about(person: Person) -> list[OutboxMessage]:
    """Mail linked to the person, sent to their address, or telling the owner about
    their message (the notice carries their address as Reply-To)."""
    candidates = db.session.scalars(
        select(OutboxMessage).where(
            or_(
                OutboxMessage.person_id == person.id,
                func.lower(OutboxMessage.to_address) == person.email.lower(),
                OutboxMessage.body_text.contains(person.email, autoescape=True),
            )
        )
    )
    email = person.email.lower()
    return [
        m
        for m in candidates
        if m.person_id == person.id
        or m.to_address.lower() == email
        or str((m.headers or {}).get("Reply-To", "")).lower() == email
    ]


@dataclass(frozen=True)
class Erased:
    subscriptions: int
    messages: int
    mails: int

    def __str__(self) -> str:
        return (
            f"{plural(self.subscriptions, 'sign-up')}, "
            f"{plural(self.messages, 'message')}, {plural(self.mails, 'mail')}"
        )


def erase_person(
    person: Person, reason: str = "erased at the person's request"
) -> Erased:
    """Delete everything about the person and suppress the address, in one commit."""
    mails = mail_about(person)
    counts = Erased(len(person.subscriptions), len(person.messages), len(mails))
    # An address that was never usable cannot be mailed anyway: nothing to keep.
    with suppress(AddressError):
        privacy.suppress(person.email, reason)
    for message in mails:
        db.session.delete(message)
    db.session.execute(  # the bounce mark holds the address too
        delete(BouncingAddress).where(BouncingAddress.email == person.email.lower())
    )
    person_id = person.id
    db.session.delete(person)
    db.session.flush()
    audit.record("erase", f"person {person_id}: {counts}")
    db.session.commit()
    return counts


def purge_unconfirmed(days: int, actor: str | None = None) -> dict[str, int]:
    """Remove sign-ups never confirmed and contact messages older than `days` days,
    the owner's copies of those messages, and people left with nothing."""
    cutoff = utcnow() - timedelta(days=days)
    removed = {}
    removed["subscriptions"] = db.session.execute(
        delete(Subscription).where(
            Subscription.status == SubscriptionStatus.PENDING,
            Subscription.created_at < cutoff,
        )
    ).rowcount
    removed["messages"] = db.session.execute(
        delete(ContactMessage).where(ContactMessage.created_at < cutoff)
    ).rowcount
    removed["held"] = db.session.execute(  # suspected spam has its own, shorter life
        delete(HeldSubmission).where(
            HeldSubmission.received_at < utcnow() - timedelta(days=HOLD_DAYS)
        )
    ).rowcount
    removed["notices"] = db.session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.kind == "contact_notice",
            OutboxMessage.status.in_(FINISHED),
            OutboxMessage.created_at < cutoff,
        )
    ).rowcount
    has_subscription = select(Subscription.id).where(
        Subscription.person_id == Person.id
    )
    has_message = select(ContactMessage.id).where(ContactMessage.person_id == Person.id)
    removed["people"] = db.session.execute(
        delete(Person).where(
            Person.created_at < cutoff,
            ~has_subscription.exists(),
            ~has_message.exists(),
        )
    ).rowcount
    audit.record(
        "purge",
        f"older than {days} days: "
        f"{plural(removed['subscriptions'], 'unconfirmed sign-up')}, "
        f"{plural(removed['messages'], 'message')}, "
        f"{plural(removed['held'], 'held form')}, "
        f"{plural(removed['people'], 'person', 'people')}",
        actor=actor,
    )
    db.session.commit()
    return removed


@bp.route("/people/<int:person_id>/erase", methods=["GET", "POST"])
def erase(person_id: int):
    """GET asks "are you sure?" and lists what goes; POST erases, for good."""
    person = db.session.get(Person, person_id) or abort(404)
    form = ButtonForm()
    if form.validate_on_submit():
        counts = erase_person(person)
        flash(
            f"Erased: {counts}. The address is kept only as a code, so it is never "
            "emailed again unless the person signs up afresh.",
            "ok",
        )
        return redirect(url_for("admin.leads"))
    return render_template(
        "admin/erase.html", person=person, form=form, mails=len(mail_about(person))
    )
