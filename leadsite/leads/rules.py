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
  in the admin the moment the visitor sees the thank-you page.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, exists, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from ..consent import CONSENT, privacy_version
from ..extensions import db
from ..models import (
    Consent,
    ContactMessage,
    Download,
    Person,
    Purpose,
    Subscription,
    SubscriptionStatus,
    utcnow,
)
from ..outbox import cancel_queued
from ..privacy import lift_suppression
from . import mail as lead_mail

RETRIES = 5

# The statements every sign-up runs, built once. `PERSON_BY_ADDRESS` is
# `addresses.same_address` with the lowercased address bound at run time.
PERSON_BY_ADDRESS = (
    select(Person)
    .where(func.lower(Person.email) == bindparam("address"))
    .order_by(Person.id)
    .limit(1)
)
# New rows go in as plain INSERTs (RETURNING the object where the request uses
# it), not through the session's unit of work: no flush to plan for each one.
INSERT_PERSON = insert(Person).returning(Person)
INSERT_SUBSCRIPTION = insert(Subscription).returning(Subscription)
INSERT_CONSENT = insert(Consent.__table__)
# The person's subscription for a purpose, locked, and whether it has a consent
# record (read with it, rather than loading the list).
SUBSCRIPTION_FOR = (
    select(
        Subscription,
        exists().where(Consent.subscription_id == Subscription.id),
    )
    .where(
        Subscription.person_id == bindparam("person_id"),
        Subscription.purpose == bindparam("purpose"),
        Subscription.topic == bindparam("topic"),
    )
    .with_for_update(of=Subscription)
)


@dataclass(frozen=True)
class Source:
    """Where a submission came from, for the consent record."""

    form: str
    page: str = ""
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""
    referrer: str = ""


def retrying(work):
    """Run `work()` and commit it, with whatever the form's checks left in the
    transaction (its rate-limit count): one write for all of it.

    Two requests for a new address can both find no row and both insert; the loser
    gets IntegrityError, undoes its work alone (a savepoint) and runs it again,
    finding the winner's row.
    """
    for attempt in range(RETRIES):
        try:
            with db.session.begin_nested():
                result = work()
        except IntegrityError:
            if attempt == RETRIES - 1:
                db.session.rollback()
                raise
            continue
        db.session.commit()
        return result
    return None


def person_for(email: str, name: str = "") -> Person:
    """The person with this address in any letter case (the first recorded), created
    if new; a name fills a gap."""
    return person_and_whether_new(email, name)[0]


def person_and_whether_new(email: str, name: str = "") -> tuple[Person, bool]:
    """`person_for`, and whether this transaction made the person's row (then
    nothing was ever mailed to them, and they have no subscription yet)."""
    person = db.session.scalar(PERSON_BY_ADDRESS, {"address": email.lower()})
    if person is None:
        return db.session.scalars(
            INSERT_PERSON, [{"email": email, "name": name}]
        ).one(), True
    if name and not person.name:
        person.name = name
    return person, False


def subscription_for(person: Person, purpose: Purpose, topic: str = "") -> Subscription:
    """The person's subscription for this purpose, locked for this transaction."""
    return lead_for(person, purpose, topic)[0]


def lead_for(
    person: Person, purpose: Purpose, topic: str, new_person: bool = False
) -> tuple[Subscription, bool]:
    """The person's subscription for this purpose, locked for this transaction, and
    whether it has a consent record yet (read with it, not loaded as a list).

    A person made in this transaction has no subscription to look for.
    """
    if not new_person:
        found = db.session.execute(
            SUBSCRIPTION_FOR,
            {"person_id": person.id, "purpose": purpose, "topic": topic},
        ).first()
        if found is not None:
            # Its person is this one: no lazy load when the mail names them.
            set_committed_value(found[0], "person", person)
            return found[0], found[1]
    subscription = db.session.scalars(
        INSERT_SUBSCRIPTION,
        [{"person_id": person.id, "purpose": purpose, "topic": topic}],
    ).one()
    set_committed_value(subscription, "person", person)
    return subscription, False


def new_lead(
    email: str, name: str, purpose: Purpose, topic: str
) -> tuple[Subscription, bool, bool]:
    """The subscription for this address and purpose, made if new; whether it has a
    consent record; and whether the person is new in this transaction."""
    person, new_person = person_and_whether_new(email, name)
    return *lead_for(person, purpose, topic, new_person), new_person


def record_consent(subscription: Subscription, source: Source, wording: str) -> None:
    """Record what was agreed to, where and through which wording (one INSERT)."""
    db.session.execute(
        INSERT_CONSENT,
        {
            "subscription_id": subscription.id,
            "form": source.form,
            "page": source.page,
            "wording_version": CONSENT[wording].version,
            "privacy_version": privacy_version(),
            "utm_source": source.utm_source,
            "utm_medium": source.utm_medium,
            "utm_campaign": source.utm_campaign,
            "referrer": source.referrer,
        },
    )


def opt_in(
    email: str, name: str, purpose: Purpose, topic: str, source: Source
) -> Subscription:
    """Start (or restart) a double opt-in; queue a confirmation mail when allowed."""

    def work():
        subscription, consented, new_person = new_lead(email, name, purpose, topic)
        if subscription.status == SubscriptionStatus.CONFIRMED:
            return subscription
        if subscription.status == SubscriptionStatus.UNSUBSCRIBED:
            subscription.status = SubscriptionStatus.PENDING
            record_consent(subscription, source, purpose.value)
        elif not consented:
            record_consent(subscription, source, purpose.value)
        if lead_mail.send_confirmation(subscription, new_person=new_person):
            subscription.confirmation_sent_at = utcnow()
        return subscription

    return retrying(work)


def request_resource(
    email: str, name: str, slug: str, newsletter: bool, source: Source
) -> Subscription:
    """Mail a free resource's download link; optionally start a newsletter opt-in."""

    def work():
        subscription, consented, new_person = new_lead(
            email, name, Purpose.RESOURCE, slug
        )
        if not consented:
            record_consent(subscription, source, "resource")
        if lead_mail.send_resource_link(subscription, new_person=new_person):
            subscription.confirmation_sent_at = utcnow()
        return subscription

    subscription = retrying(work)
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

    return retrying(work)
