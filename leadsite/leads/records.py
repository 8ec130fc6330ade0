"""The rows a lead is made of: the person, the subscription and the consent record,
found or inserted with statements built once, and `committed`, which runs a lead's
work after the form's rate-limit count and commits it all as one write.

A sign-up runs few statements, none it cannot need: a new address's person is
inserted without looking for its subscription, its consent records or its mail
(it has none). Rows go in as single INSERTs (`database.NewRow` where the request
uses the object), not through the session's unit of work.

Two requests for one new address can both find no row and both insert: the
second INSERT does nothing (ON CONFLICT DO NOTHING) and reads the first one's row
instead, once that has committed. Nothing is undone and nothing runs twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, exists, func, insert, select, update
from sqlalchemy.orm.attributes import set_committed_value

from ..consent import CONSENT, privacy_version
from ..database import NewRow
from ..extensions import db
from ..models import Consent, Person, Purpose, Subscription, utcnow
from ..security.ratelimit import count_pending

# The statements every sign-up runs, built once. `PERSON_BY_ADDRESS` is
# `addresses.same_address` with the lowercased address bound at run time.
PERSON_BY_ADDRESS = (
    select(Person)
    .where(func.lower(Person.email) == bindparam("address"))
    .order_by(Person.id)
    .limit(1)
)
NEW_PERSON = NewRow(Person, unique=("email",))
NEW_SUBSCRIPTION = NewRow(Subscription, unique=("person_id", "purpose", "topic"))
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
CONFIRMATION_SENT = (
    update(Subscription.__table__)
    .where(Subscription.__table__.c.id == bindparam("subscription_id"))
    .values(confirmation_sent_at=bindparam("sent_at"))
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


def committed(work):
    """Take the form's rate-limit count (`count_pending`, the transaction's first
    statement), run `work()` and commit it all: one write, and its result."""
    count_pending()
    result = work()
    db.session.commit()
    return result


def person_for(email: str, name: str = "") -> Person:
    """The person with this address in any letter case (the first recorded), created
    if new; a name fills a gap."""
    return person_and_whether_new(email, name)[0]


def person_and_whether_new(email: str, name: str = "") -> tuple[Person, bool]:
    """`person_for`, and whether this transaction made the person's row (then
    nothing was ever mailed to them, and they have no subscription yet)."""
    person = db.session.scalar(PERSON_BY_ADDRESS, {"address": email.lower()})
    if person is None:
        person = NEW_PERSON.insert(email=email, name=name)
        if person is not None:
            return person, True
        # Another request inserted it meanwhile, and has committed.
        person = db.session.scalar(PERSON_BY_ADDRESS, {"address": email.lower()})
    if name and not person.name:
        person.name = name
    return person, False


def lead_for(
    person: Person, purpose: Purpose, topic: str, new_person: bool = False
) -> tuple[Subscription, bool]:
    """The person's subscription for this purpose, locked for this transaction, and
    whether it has a consent record yet (read with it, not loaded as a list).

    A person made in this transaction has no subscription to look for.
    """
    key = {"person_id": person.id, "purpose": purpose, "topic": topic}
    if not new_person:
        found = db.session.execute(SUBSCRIPTION_FOR, key).first()
        if found is not None:
            # Its person is this one: no lazy load when the mail names them.
            set_committed_value(found[0], "person", person)
            return found[0], found[1]
    subscription = NEW_SUBSCRIPTION.insert(**key)
    if subscription is None:  # another request made it meanwhile, and committed
        return lead_for(person, purpose, topic)
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


def confirmation_sent(subscription: Subscription) -> None:
    """Note that a confirmation (or download link) went out now: one UPDATE."""
    now = utcnow()
    db.session.execute(
        CONFIRMATION_SENT, {"subscription_id": subscription.id, "sent_at": now}
    )
    set_committed_value(subscription, "confirmation_sent_at", now)
