"""People who left an address, what they signed up for, and what they sent us."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow


class SubscriptionStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    UNSUBSCRIBED = "unsubscribed"


class Purpose(StrEnum):
    """What a subscription is for; `topic` narrows it (a resource slug, a state)."""

    NEWSLETTER = "newsletter"
    RESOURCE = "resource"
    WAITLIST = "waitlist"


class Person(db.Model):
    """One person per canonical email address (see `leadsite.addresses`)."""

    __tablename__ = "people"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    subscriptions: Mapped[list[Subscription]] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )
    downloads: Mapped[list[Download]] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )
    messages: Mapped[list[ContactMessage]] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.email}>"


# Addresses are looked up in any letter case (`addresses.same_address`).
Index("ix_people_email_lower", func.lower(Person.email))


class Subscription(db.Model):
    """A person's sign-up for one purpose, with its double opt-in status."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("person_id", "purpose", "topic"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(20))
    topic: Mapped[str] = mapped_column(String(80), default="")
    status: Mapped[str] = mapped_column(String(20), default=SubscriptionStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmation_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship(back_populates="subscriptions")
    consents: Mapped[list[Consent]] = relationship(
        back_populates="subscription",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Consent.given_at",
    )

    def confirm(self) -> bool:
        """Mark confirmed; True only the first time, so a welcome goes out once."""
        if self.status == SubscriptionStatus.CONFIRMED:
            return False
        self.status = SubscriptionStatus.CONFIRMED
        self.confirmed_at = utcnow()
        self.unsubscribed_at = None
        return True

    def unsubscribe(self) -> bool:
        """Mark unsubscribed; True only if it changed anything."""
        if self.status == SubscriptionStatus.UNSUBSCRIBED:
            return False
        self.status = SubscriptionStatus.UNSUBSCRIBED
        self.unsubscribed_at = utcnow()
        return True

    def __repr__(self) -> str:
        return f"<Subscription {self.id} {self.purpose}:{self.topic} {self.status}>"


class Consent(db.Model):
    """What a person agreed to, when, where, and through which wording."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="CASCADE"), index=True
    )
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    form: Mapped[str] = mapped_column(String(40))
    page: Mapped[str] = mapped_column(String(500), default="")
    wording_version: Mapped[str] = mapped_column(String(40))
    # The privacy notice's version the form linked to ("" before it had one).
    privacy_version: Mapped[str] = mapped_column(
        String(40), default="", server_default=""
    )
    utm_source: Mapped[str] = mapped_column(String(200), default="")
    utm_medium: Mapped[str] = mapped_column(String(200), default="")
    utm_campaign: Mapped[str] = mapped_column(String(200), default="")
    referrer: Mapped[str] = mapped_column(String(500), default="")

    subscription: Mapped[Subscription] = relationship(back_populates="consents")

    def __repr__(self) -> str:
        return f"<Consent {self.id} {self.form} {self.wording_version}>"


class Download(db.Model):
    """One download of a free resource through a mailed link."""

    __tablename__ = "downloads"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    resource: Mapped[str] = mapped_column(String(80))
    downloaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[Person] = relationship(back_populates="downloads")

    def __repr__(self) -> str:
        return f"<Download {self.id} {self.resource}>"


class ContactMessage(db.Model):
    """A message sent through the contact form."""

    __tablename__ = "contact_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    page: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship(back_populates="messages")

    def __repr__(self) -> str:
        return f"<ContactMessage {self.id} from person {self.person_id}>"
