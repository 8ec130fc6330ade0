"""The rules of lead capture, as plain functions the views and tests call.

- One person per canonical address; one subscription per person and purpose.
- A visitor sees the same answer whatever the address's state, and a repeated
  submission creates nothing new.
- An unconfirmed address gets few mails, whichever forms name it and how often:
  the outbox's per-address cooldown (`outbox.cooldown`) holds back the rest. What
  was asked for meanwhile is still recorded, and not lost: confirming any one
  sign-up confirms every sign-up pending for the address (`confirm`), and the
  confirmed page offers the download links of the resources it asked for
  (`pending_resources`).
- The lead, its consent record, its mail (queued in the outbox) and the form's
  rate-limit count are one transaction, in the visitor's own request: the lead is
  in the admin the moment the visitor sees the thank-you page. The rows it is made
  of are found or inserted by `records`. Its mail is rendered before the
  transaction begins (`lead_mail.prepare_*`), so the transaction only writes rows:
  on SQLite it holds the write lock for its statements alone.
"""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import (
    ContactMessage,
    Download,
    Purpose,
    Subscription,
    SubscriptionStatus,
)
from ..outbox import cancel_queued
from ..privacy import lift_suppression
from . import mail as lead_mail
from .records import (
    Source,
    committed,
    confirmation_sent,
    new_lead,
    person_and_whether_new,
    person_for,
    record_consent,
)

__all__ = [
    "Source",
    "committed",
    "confirm",
    "opt_in",
    "pending_for",
    "pending_resources",
    "person_for",  # with `committed`, also what comments are stored with
    "record_download",
    "request_resource",
    "send_message",
    "unsubscribe",
]


def opt_in(
    email: str, name: str, purpose: Purpose, topic: str, source: Source
) -> Subscription:
    """Start (or restart) a double opt-in; queue a confirmation mail when allowed."""
    prepared = lead_mail.prepare_confirmation(purpose, topic)

    def work():
        subscription, consented, new_person = new_lead(email, name, purpose, topic)
        if subscription.status == SubscriptionStatus.CONFIRMED:
            return subscription
        if subscription.status == SubscriptionStatus.UNSUBSCRIBED:
            subscription.status = SubscriptionStatus.PENDING
            record_consent(subscription, source, purpose.value)
        elif not consented:
            record_consent(subscription, source, purpose.value)
        if lead_mail.send_confirmation(subscription, new_person, prepared):
            confirmation_sent(subscription)
        return subscription

    return committed(work)


def request_resource(
    email: str, name: str, slug: str, newsletter: bool, source: Source
) -> Subscription:
    """Mail a free resource's download link; optionally start a newsletter opt-in."""
    prepared = lead_mail.prepare_resource_link(slug)

    def work():
        subscription, consented, new_person = new_lead(
            email, name, Purpose.RESOURCE, slug
        )
        if not consented:
            record_consent(subscription, source, "resource")
        if lead_mail.send_resource_link(subscription, new_person, prepared):
            confirmation_sent(subscription)
        return subscription

    subscription = committed(work)
    if newsletter:
        opt_in(email, name, Purpose.NEWSLETTER, "", source)
    return subscription


def pending_for(subscription: Subscription) -> list[Subscription]:
    """The person's other newsletter and waitlist sign-ups still pending: one
    confirmation link confirms them too (their own mail may have been held back)."""
    return list(
        db.session.scalars(
            select(Subscription)
            .where(
                Subscription.person_id == subscription.person_id,
                Subscription.id != subscription.id,
                Subscription.status == SubscriptionStatus.PENDING,
                Subscription.purpose != Purpose.RESOURCE,
            )
            .order_by(Subscription.id)
            .with_for_update()
        )
    )


def pending_resources(subscription: Subscription) -> list[Subscription]:
    """The resources this person asked for and has not downloaded yet: the page a
    confirmation link opens offers their links, the address being proven."""
    return [
        s
        for s in subscription.person.subscriptions
        if s.purpose == Purpose.RESOURCE and s.status == SubscriptionStatus.PENDING
    ]


def confirm(subscription: Subscription) -> list[Subscription]:
    """Confirm a pending subscription and every other one pending for the address
    (from the confirm page's POST only); return those confirmed now.

    One welcome goes out, for the sign-up whose link was pressed; a confirmed, fresh
    opt-in also lifts an earlier erasure's suppression.
    """
    db.session.refresh(subscription, with_for_update=True)
    confirmed = [s for s in [subscription, *pending_for(subscription)] if s.confirm()]
    if confirmed:
        lift_suppression(subscription.person.email)
    if subscription in confirmed:
        lead_mail.send_welcome(subscription)
    db.session.commit()
    return confirmed


def unsubscribe(subscription: Subscription) -> None:
    """Unsubscribe, and cancel mail still queued for that list."""
    db.session.refresh(subscription, with_for_update=True)
    subscription.unsubscribe()
    cancel_queued(subscription.id)
    db.session.commit()


def record_download(subscription: Subscription) -> None:
    """Record a download; the first one also confirms the address was real."""
    db.session.add(
        Download(person_id=subscription.person_id, resource=subscription.topic)
    )
    if subscription.status == SubscriptionStatus.PENDING:
        subscription.confirm()
    db.session.commit()


def send_message(email: str, name: str, body: str, source: Source) -> ContactMessage:
    """Store a contact message, notify the owner and send the visitor an auto-reply."""

    def work():
        person, new_person = person_and_whether_new(email, name)
        message = ContactMessage(person=person, name=name, body=body, page=source.page)
        db.session.add(message)
        db.session.flush()
        lead_mail.send_contact_notice(message)
        if new_person or lead_mail.may_auto_reply(person):
            lead_mail.send_contact_reply(message, new_person)
        return message

    return committed(work)
