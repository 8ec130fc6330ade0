"""Wix's contacts export (or a plain email, name, status, created CSV) imported as
people and newsletter subscriptions.

Rules, in order of precedence:
- an address on the suppression list (someone erased) is skipped, never stored;
- an unsubscribed or bouncing address is never made a subscriber again;
- addresses are matched in any letter case: one row saying no (unsubscribed,
  bouncing) keeps every spelling of that address from being subscribed;
- "Subscribed" becomes a confirmed newsletter subscription with a consent record;
  "Unsubscribed" an unsubscribed one (an active subscription here is unsubscribed
  too: when in doubt, do not mail); any other status records the person only.
No mail is queued or sent, and a second run of the same file changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from ..addresses import AddressError, canonical_email, same_address
from ..extensions import db
from ..models import Consent, Person, Purpose, Subscription, SubscriptionStatus
from ..models.types import utcnow
from ..privacy import is_suppressed
from .csvfile import Row, parse_datetime, read_rows

EMAIL = ("Email", "Email 1", "E-mail", "Email Address")
STATUS = (
    "Email subscriber status",
    "Email Subscription Status",
    "Subscription Status",
    "Status",
)
CREATED = (
    "Created At (UTC+0)",
    "Created At (UTC)",
    "Created At",
    "Created Date",
    "Creation Date",
    "Created",
    "Date Created",
)
# Wix's deliverability column: an address that bounces is never subscribed.
DELIVERABILITY = (
    "Email Deliverability Status",
    "Email Deliverability",
    "Deliverability",
)
BOUNCING = {"bounced", "bouncing", "invalid", "inactive", "spam complaint"}
REQUIRED = {"Email": EMAIL}

SUBSCRIBED = {"subscribed", "confirmed"}
UNSUBSCRIBED = {"unsubscribed"}
NOT_SUBSCRIBED = {"", "not set", "never subscribed", "not subscribed"}
FORM = "wix-import"


@dataclass
class ContactReport:
    """What an import did; `skipped` holds (row, address as written, reason)."""

    subscribed: int = 0
    recorded: int = 0
    unsubscribed: int = 0
    unchanged: int = 0
    skipped: list[tuple[int, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Importer:
    """Imports the rows of one file; the file's name is the consent's `page`."""

    page: str
    wording_version: str
    report: ContactReport = field(default_factory=ContactReport)
    seen: dict[str, int] = field(default_factory=dict)
    said_no: set[str] = field(default_factory=set)  # lowercased addresses

    def read_refusals(self, rows: list[Row]) -> None:
        """Every address (any spelling) the file marks unsubscribed or bouncing."""
        for row in rows:
            if status_of(row) in UNSUBSCRIBED or bouncing(row):
                self.said_no.add(row.get(*EMAIL).strip().lower())

    def row(self, row: Row) -> None:
        """Import one row, or report why it was skipped."""
        email = self.usable_address(row)
        if email is None:
            return
        created = self.created_date(row)
        person = db.session.scalar(
            select(Person).where(same_address(Person.email, email)).order_by(Person.id)
        )
        subscription = newsletter_of(person)
        status = status_of(row)
        if status in SUBSCRIBED and email.lower() in self.said_no:
            self.report.notes.append(
                f"row {row.number}: this address (in some spelling) is unsubscribed "
                "or bouncing elsewhere in the file; recorded as unsubscribed"
            )
            status = "unsubscribed"
        if status in SUBSCRIBED:
            self.subscribe(row, email, person, subscription, created)
        elif status in UNSUBSCRIBED:
            self.unsubscribe(row, email, person, subscription, created)
        else:
            if status not in NOT_SUBSCRIBED:
                self.report.notes.append(
                    f"row {row.number}: the status {row.get(*STATUS)!r} was not "
                    "understood; recorded the person without a subscription"
                )
            self.record(row, email, person, created)

    def usable_address(self, row: Row) -> str | None:
        """The canonical address, unless the row must be skipped (reported here)."""
        written = row.get(*EMAIL)
        try:
            email = canonical_email(written)
        except AddressError:
            self.skip(
                row, "not a usable email address" if written else "no email address"
            )
            return None
        if is_suppressed(email):
            self.skip(row, "erased at the person's request (suppressed)", hide=True)
            return None
        key = email.lower()
        if key in self.seen:
            self.skip(row, f"duplicate row (same address as row {self.seen[key]})")
            return None
        self.seen[key] = row.number
        return email

    def created_date(self, row: Row) -> datetime | None:
        created = parse_datetime(row.get(*CREATED))
        if row.get(*CREATED) and created is None:
            self.report.notes.append(
                f"row {row.number}: the date {row.get(*CREATED)!r} was not understood; "
                "used today's date"
            )
        return created

    def record(
        self, row: Row, email: str, person: Person | None, created: datetime | None
    ) -> None:
        """The person only: no subscription is created or changed."""
        if person is None:
            self.add_person(row, email, created)
            self.report.recorded += 1
        else:
            self.fill_name(person, row)
            self.report.unchanged += 1

    def subscribe(
        self,
        row: Row,
        email: str,
        person: Person | None,
        subscription: Subscription | None,
        created: datetime | None,
    ) -> None:
        """A confirmed subscription, unless the address unsubscribed before."""
        if subscription and subscription.status == SubscriptionStatus.UNSUBSCRIBED:
            self.skip(row, "already unsubscribed here; left unsubscribed")
            return
        if subscription and subscription.status == SubscriptionStatus.CONFIRMED:
            self.fill_name(person, row)
            self.report.unchanged += 1
            return
        person = person or self.add_person(row, email, created)
        self.fill_name(person, row)
        when = created or utcnow()
        if subscription is None:
            subscription = Subscription(
                person=person, purpose=Purpose.NEWSLETTER, topic="", created_at=when
            )
            db.session.add(subscription)
        subscription.status = SubscriptionStatus.CONFIRMED
        subscription.confirmed_at = when
        subscription.unsubscribed_at = None
        db.session.add(
            Consent(
                subscription=subscription,
                given_at=when,
                form=FORM,
                page=self.page,
                wording_version=self.wording_version,
            )
        )
        self.report.subscribed += 1

    def unsubscribe(
        self,
        row: Row,
        email: str,
        person: Person | None,
        subscription: Subscription | None,
        created: datetime | None,
    ) -> None:
        """Remember the opt-out, so no later import or form mails this person."""
        person = person or self.add_person(row, email, created)
        self.fill_name(person, row)
        if subscription is None:
            db.session.add(
                Subscription(
                    person=person,
                    purpose=Purpose.NEWSLETTER,
                    topic="",
                    status=SubscriptionStatus.UNSUBSCRIBED,
                    created_at=created or utcnow(),
                    unsubscribed_at=utcnow(),
                )
            )
            self.report.unsubscribed += 1
        elif subscription.unsubscribe():
            self.report.unsubscribed += 1
        else:
            self.report.unchanged += 1

    def add_person(self, row: Row, email: str, created: datetime | None) -> Person:
        person = Person(email=email, name=name_of(row), created_at=created or utcnow())
        db.session.add(person)
        return person

    def fill_name(self, person: Person, row: Row) -> None:
        """A name from the file is only used where we have none."""
        if not person.name:
            person.name = name_of(row)

    def skip(self, row: Row, reason: str, hide: bool = False) -> None:
        """Report a skipped row; `hide` leaves out the address of an erased person."""
        written = "(hidden)" if hide else row.get(*EMAIL)
        self.report.skipped.append((row.number, written, reason))


def newsletter_of(person: Person | None) -> Subscription | None:
    """The person's newsletter subscription (purpose newsletter, no topic), if any."""
    if person is None:
        return None
    return next(
        (
            s
            for s in person.subscriptions
            if s.purpose == Purpose.NEWSLETTER and s.topic == ""
        ),
        None,
    )


def status_of(row: Row) -> str:
    return " ".join(row.get(*STATUS).lower().replace("_", " ").split())


def bouncing(row: Row) -> bool:
    return " ".join(row.get(*DELIVERABILITY).lower().split()) in BOUNCING


def name_of(row: Row) -> str:
    full = row.get("Name", "Full Name")
    if not full:
        full = " ".join(filter(None, [row.get("First Name"), row.get("Last Name")]))
    return " ".join(full.split())[:100]


def import_contacts(csv_path: Path, today: date | None = None) -> ContactReport:
    """Import the file in one transaction: all of it, or (on an error) none of it."""
    today = today or utcnow().date()
    importer = Importer(page=csv_path.name[:500], wording_version=f"{FORM}-{today}")
    try:
        rows = list(read_rows(csv_path, REQUIRED))
        importer.read_refusals(rows)
        for row in rows:
            importer.row(row)
            db.session.flush()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return importer.report
