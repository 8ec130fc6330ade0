"""The rows a lead is made of: the person, the subscription and the consent record,
found or inserted with statements built once, and `retrying`, which runs a lead's
work in the open transaction and commits it.

A sign-up runs few statements, none it cannot need: a new address's person is
inserted without looking for its subscription, its consent records or its mail
(it has none), and new rows go in as single INSERTs rather than through the
session's unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, exists, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from ..consent import CONSENT, privacy_version
from ..extensions import db
from ..models import Consent, Person, Purpose, Subscription

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
