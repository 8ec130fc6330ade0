"""Erasing a person (every row and mail gone, only the keyed hash kept) and purging
old unconfirmed sign-ups and messages."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from test_admin_support import add_lead, add_message, signed_in_client

from leadsite import privacy
from leadsite.extensions import db
from leadsite.models import (
    Consent,
    ContactMessage,
    DeliveryAttempt,
    Download,
    OutboxMessage,
    Person,
    Subscription,
    utcnow,
)
from leadsite.models.admin import AuditEvent
from leadsite.models.privacy import SuppressedAddress
from leadsite.outbox import queue_email

ERASE_ME = "erase.me@example.com"


def count(app, model, *where) -> int:
    with app.app_context():
        query = select(func.count()).select_from(model)
        return db.session.scalar(query.where(*where) if where else query)


def person_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Person.id).where(Person.email == email))


def fill_history(app) -> None:
    """The person signed up twice, downloaded, wrote, and got mail (some of it
    still queued, one with a delivery attempt); the owner got a notice."""
    add_lead(app, ERASE_ME, "newsletter", "", "confirmed", name="Erin")
    add_lead(app, ERASE_ME, "resource", "first-iep-meeting-checklist", "pending")
    add_message(app, ERASE_ME, "Please call me about my son.", name="Erin")
    add_lead(app, "keep@example.com", "newsletter", "", "confirmed")
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.email == ERASE_ME))
        db.session.add(Download(person=person, resource="first-iep-meeting-checklist"))
        sent = queue_email("welcome", ERASE_ME, "Welcome", person=person, name="Erin")
        sent.status = "sent"
        db.session.flush()
        db.session.add(DeliveryAttempt(message_id=sent.id, outcome="sent"))
        queue_email(
            "confirm",
            ERASE_ME,
            "Please confirm",
            subscription=person.subscriptions[1],
            confirm_url="http://site.test/confirm/x",
            what="the newsletter",
        )
        message = person.messages[0]
        queue_email(  # the owner's notice names the person only in Reply-To
            "contact_notice",
            "owner@site.test",
            "New message from your website",
            reply_to=ERASE_ME,
            message=message,
            email=ERASE_ME,
        )
        queue_email("welcome", "keep@example.com", "Welcome", name="")
        db.session.commit()


def test_erase_removes_every_row_and_mail_and_keeps_only_the_hash(app):
    fill_history(app)
    client = signed_in_client(app)
    pid = person_id(app, ERASE_ME)

    page = client.get(f"/admin/people/{pid}/erase").get_data(as_text=True)
    assert "2 sign-ups" in page and "3 mails" in page
    assert count(app, Person) == 2  # asking changes nothing

    response = client.post(f"/admin/people/{pid}/erase")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Erased: 2 sign-ups, 1 message, 3 mails" in page

    assert count(app, Person, Person.email == ERASE_ME) == 0
    assert count(app, Subscription) == 1  # keep@example.com's
    assert count(app, Consent) == 1
    assert count(app, ContactMessage) == 0
    assert count(app, Download) == 0
    assert count(app, DeliveryAttempt) == 0
    with app.app_context():
        left = db.session.scalars(select(OutboxMessage.to_address)).all()
        assert left == ["keep@example.com"]
        stored = db.session.scalars(select(SuppressedAddress.address_hash)).all()
        assert stored == [privacy.address_hash(ERASE_ME)]
        assert privacy.is_suppressed(ERASE_ME.upper().replace("EXAMPLE", "example"))
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "erase")
        )
        assert event.detail == f"person {pid}: 2 sign-ups, 1 message, 3 mails"
        everything = " ".join(
            f"{e.actor} {e.detail}" for e in db.session.scalars(select(AuditEvent))
        )
        assert ERASE_ME not in everything
    assert client.get(f"/admin/people/{pid}").status_code == 404


def test_purge_removes_old_unconfirmed_sign_ups_and_messages(app, runner):
    old = utcnow() - timedelta(days=91)
    recent = utcnow() - timedelta(days=89)
    add_lead(
        app, "old.pending@example.com", "newsletter", "", "pending", created_at=old
    )
    add_lead(app, "old.confirmed@example.com", "waitlist", "CA", created_at=old)
    add_lead(
        app, "new.pending@example.com", "newsletter", "", "pending", created_at=recent
    )
    add_message(app, "writer@example.com", "An old message", created_at=old)
    add_message(app, "new.pending@example.com", "A recent one", created_at=recent)
    with app.app_context():
        db.session.execute(
            Person.__table__.update().values(created_at=old)
        )  # everyone has been around a while
        db.session.commit()

    result = runner.invoke(args=["leads", "purge"])
    assert result.exit_code == 0, result.output
    assert "older than 90 days: 1 unconfirmed sign-up(s), 1 contact message(s)" in (
        result.output
    )
    assert "2 person(s) left with nothing" in result.output
    with app.app_context():
        emails = db.session.scalars(select(Person.email).order_by(Person.email)).all()
        bodies = db.session.scalars(select(ContactMessage.body)).all()
    assert emails == ["new.pending@example.com", "old.confirmed@example.com"]
    assert bodies == ["A recent one"]

    result = runner.invoke(args=["leads", "purge", "--days", "30"])
    assert "older than 30 days: 1 unconfirmed sign-up(s), 1 contact message(s)" in (
        result.output
    )
    assert count(app, Subscription) == 1  # confirmed sign-ups are never purged


def test_purge_days_come_from_the_setting(app, runner):
    add_lead(
        app,
        "a@example.com",
        "newsletter",
        "",
        "pending",
        created_at=utcnow() - timedelta(days=20),
    )
    app.config["PURGE_AFTER_DAYS"] = 10
    result = runner.invoke(args=["leads", "purge"])
    assert "older than 10 days: 1 unconfirmed sign-up(s)" in result.output
    assert runner.invoke(args=["leads", "purge", "--days", "0"]).exit_code == 2
