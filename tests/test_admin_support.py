"""Helpers the admin tests share (an owner account, signing in, adding leads), and
the tests of those helpers' own assumptions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from leadsite.admin import accounts
from leadsite.extensions import db
from leadsite.models import Consent, ContactMessage, Person, Subscription, utcnow

OWNER = "owner@example.com"
PASSWORD = "correct horse battery staple"


def make_owner(app, email: str = OWNER, password: str = PASSWORD) -> None:
    with app.app_context():
        accounts.create_user(email, password)


def sign_in(client, email: str = OWNER, password: str = PASSWORD, **extra):
    return client.post(
        "/admin/sign-in", data={"email": email, "password": password, **extra}
    )


def sign_in_page(page, url: str, password: str = PASSWORD) -> None:
    """In a real browser: open `url` (an admin page asks to sign in first) and
    sign in as the owner, as she does."""
    page.goto(url)
    page.get_by_label("Email address").fill(OWNER)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def signed_in_client(app):
    """A test client with the owner signed in (the account is created first)."""
    make_owner(app)
    client = app.test_client()
    response = sign_in(client)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def add_lead(
    app,
    email: str,
    purpose: str = "newsletter",
    topic: str = "",
    status: str = "confirmed",
    name: str = "",
    created_at: datetime | None = None,
    confirmed_at: datetime | None = None,
    consent: dict | None = None,
) -> int:
    """A person (created if new) with one subscription and a consent record; its id."""
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.email == email))
        if person is None:
            person = Person(email=email, name=name)
            db.session.add(person)
        created = created_at or utcnow()
        subscription = Subscription(
            person=person,
            purpose=purpose,
            topic=topic,
            status=status,
            created_at=created,
            confirmed_at=confirmed_at or (created if status == "confirmed" else None),
        )
        db.session.add(subscription)
        db.session.add(
            Consent(
                subscription=subscription,
                given_at=created,
                wording_version=f"{purpose}-2026-11",
                **{"form": purpose, **(consent or {})},
            )
        )
        db.session.commit()
        return subscription.id


def add_message(app, email: str, body: str, name: str = "Pat", **fields) -> int:
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.email == email))
        if person is None:
            person = Person(email=email, name=name)
            db.session.add(person)
        message = ContactMessage(person=person, name=name, body=body, **fields)
        db.session.add(message)
        db.session.commit()
        return message.id


def test_signed_in_client_reaches_the_dashboard(app):
    client = signed_in_client(app)
    page = client.get("/admin/").get_data(as_text=True)
    assert "<h1>Dashboard</h1>" in page


def test_add_lead_stores_what_it_is_given(app):
    add_lead(app, "a@example.com", "waitlist", "CA", "pending", name="Ann")
    with app.app_context():
        [sub] = db.session.scalars(select(Subscription))
        assert (sub.person.email, sub.purpose, sub.topic, sub.status) == (
            "a@example.com",
            "waitlist",
            "CA",
            "pending",
        )
        assert sub.confirmed_at is None
        assert [c.form for c in sub.consents] == ["waitlist"]
