"""The leads table (filters, search, pages), a person's page, the contact inbox and
the mail view."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from test_admin_support import add_lead, add_message, signed_in_client

from leadsite.admin import leads as leads_module
from leadsite.extensions import db
from leadsite.models import ContactMessage, DeliveryAttempt, OutboxMessage, Person
from leadsite.models.admin import AuditEvent
from leadsite.outbox import queue_email


def emails_in(page: str) -> list[str]:
    """The addresses in the leads table, in order."""
    return re.findall(r'<th scope="row"><a href="/admin/people/\d+">([^<]+)</a>', page)


@pytest.fixture
def some_leads(app):
    march = lambda day: datetime(2026, 3, day, 12, tzinfo=UTC)  # noqa: E731
    add_lead(app, "ann@example.com", "waitlist", "CA", name="Ann", created_at=march(1))
    add_lead(app, "bo@example.com", "waitlist", "TX", "pending", created_at=march(2))
    add_lead(
        app, "cy@example.com", "newsletter", "", name="Cy Ann", created_at=march(3)
    )
    add_lead(
        app, "dee@example.com", "newsletter", "", "unsubscribed", created_at=march(4)
    )
    add_lead(app, "100%_real@example.com", "newsletter", "", created_at=march(5))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["100%_real@example.com", "dee@", "cy@", "bo@", "ann@"]),
        ("purpose=waitlist", ["bo@", "ann@"]),
        ("state=CA", ["ann@"]),
        ("status=pending", ["bo@"]),
        ("purpose=newsletter&status=confirmed", ["100%_real@example.com", "cy@"]),
        ("since=2026-03-02&until=2026-03-03", ["cy@", "bo@"]),
        ("until=2026-03-01", ["ann@"]),
        ("q=ann", ["cy@", "ann@"]),  # the name "Cy Ann" and the address ann@
        ("q=ANN%40EXAMPLE", ["ann@"]),
        ("q=100%25_", ["100%_real@example.com"]),  # % and _ are plain characters
        ("q=%25", ["100%_real@example.com"]),
    ],
)
def test_leads_filters_and_search(app, some_leads, query, expected):
    client = signed_in_client(app)
    page = client.get(f"/admin/leads?{query}").get_data(as_text=True)
    found = emails_in(page)
    assert len(found) == len(expected)
    for email, start in zip(found, expected, strict=True):
        assert email.startswith(start)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("since=01/03/2026", "Please enter a date as year-month-day"),
        ("since=2026-03-05&until=2026-03-01", "The end date is before the start date."),
        ("status=lost", "Please choose a status from the list."),
        ("state=ZZ", "Please choose a state from the list."),
    ],
)
def test_bad_filters_get_a_clear_message_and_keep_the_input(app, query, message):
    client = signed_in_client(app)
    response = client.get(f"/admin/leads?{query}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert '<div class="form-errors" role="alert"' in page
    value = query.split("&")[0].split("=")[1]
    if query.startswith("since"):
        assert f'value="{value}"' in page


def test_leads_come_in_pages(app, monkeypatch):
    monkeypatch.setattr(leads_module, "PER_PAGE", 2)
    for n in range(5):
        add_lead(
            app, f"p{n}@example.com", created_at=datetime(2026, 1, n + 1, tzinfo=UTC)
        )
    client = signed_in_client(app)
    page = client.get("/admin/leads?purpose=newsletter").get_data(as_text=True)
    assert emails_in(page) == ["p4@example.com", "p3@example.com"]
    assert "Showing 1 to 2 of 5, page 1 of 3." in page
    assert 'href="/admin/leads?purpose=newsletter&amp;page=2" rel="next"' in page
    page = client.get("/admin/leads?purpose=newsletter&page=3").get_data(as_text=True)
    assert emails_in(page) == ["p0@example.com"]
    assert 'rel="prev"' in page and 'rel="next"' not in page
    page = client.get("/admin/leads?page=99").get_data(as_text=True)
    assert emails_in(page) == ["p0@example.com"]  # past the end: the last page


def test_person_page_shows_consent_mail_downloads_and_messages(app):
    add_lead(
        app,
        "ann@example.com",
        "waitlist",
        "CA",
        name="Ann",
        consent={"page": "/state-guides", "utm_source": "instagram"},
    )
    add_message(app, "ann@example.com", "When is the California guide ready?")
    with app.app_context():
        person = db.session.scalar(select(Person))
        message = queue_email("welcome", person.email, "Welcome", person=person)
        message.status = "failed"
        message.last_error = "550 mailbox unavailable"
        db.session.commit()
        person_id = person.id
    client = signed_in_client(app)
    page = client.get(f"/admin/people/{person_id}").get_data(as_text=True)
    assert "<h1>Ann</h1>" in page
    assert "State guide waitlist: California" in page
    assert "waitlist on /state-guides" in page
    assert "Email me when the guide for this state is ready." in page  # the wording
    assert "instagram" in page
    assert "Failed: 550 mailbox unavailable" in page
    assert "When is the California guide ready?" in page
    assert client.get("/admin/people/999999").status_code == 404


def test_inbox_marks_messages_read_and_handled(app):
    first = add_message(app, "a@example.com", "First <b>message</b>")
    add_message(app, "b@example.com", "Second message")
    client = signed_in_client(app)
    page = client.get("/admin/messages").get_data(as_text=True)
    assert "First &lt;b&gt;message&lt;/b&gt;" in page
    assert "Unread (2)" in page and "Not handled yet (2)" in page

    response = client.post(
        f"/admin/messages/{first}/read", data={"back": "/admin/messages?show=all"}
    )
    assert response.headers["Location"] == "/admin/messages?show=all"
    client.post(f"/admin/messages/{first}/handled")
    page = client.get("/admin/messages").get_data(as_text=True)
    assert "Second message" in page and "First" not in page  # handled ones hide
    page = client.get("/admin/messages?show=all").get_data(as_text=True)
    assert "Handled " in page and "Mark as not handled" in page
    with app.app_context():
        message = db.session.get(ContactMessage, first)
        assert message.read_at and message.handled_at
    client.post(f"/admin/messages/{first}/open")
    client.post(f"/admin/messages/{first}/unread", data={"back": "//evil.example"})
    with app.app_context():
        message = db.session.get(ContactMessage, first)
        assert message.read_at is None and message.handled_at is None
    assert client.get("/admin/messages").get_data(as_text=True).count("<article") == 2


def test_mail_view_shows_attempts_and_retries_failed_mail(app):
    with app.app_context():
        kept = queue_email("welcome", "k@example.com", "Kept one")
        kept.status = "kept"
        failed = queue_email("welcome", "f@example.com", "Failed one")
        failed.status = "failed"
        failed.attempts = 30
        db.session.flush()
        db.session.add(
            DeliveryAttempt(message_id=failed.id, outcome="permanent", detail="550 no")
        )
        sent = queue_email("welcome", "s@example.com", "Sent one")
        sent.status = "sent"
        db.session.commit()
        kept_id, failed_id, sent_id = kept.id, failed.id, sent.id
    client = signed_in_client(app)
    page = client.get("/admin/mail?status=failed").get_data(as_text=True)
    assert "Failed one" in page and "Kept one" not in page
    page = client.get(f"/admin/mail/{failed_id}").get_data(as_text=True)
    assert "Refused for good" in page and "550 no" in page
    assert "Try sending it again" in page
    page = client.get(f"/admin/mail/{kept_id}").get_data(as_text=True)
    assert "Welcome, and thank you for subscribing" in page  # kept mail, in full
    assert "Try sending it again" not in client.get(f"/admin/mail/{sent_id}").get_data(
        as_text=True
    )

    response = client.post(f"/admin/mail/{failed_id}/retry")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "queued again" in page
    response = client.post(f"/admin/mail/{sent_id}/retry")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "only failed or kept mail can be sent again" in page
    with app.app_context():
        assert db.session.get(OutboxMessage, failed_id).status == "queued"
        assert db.session.get(OutboxMessage, failed_id).attempts == 0
        assert db.session.get(OutboxMessage, sent_id).status == "sent"
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("retry-mail") == 1


def test_audit_log_page_lists_sign_ins(app):
    client = signed_in_client(app)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Signed in" in page and "owner@example.com" in page and "127.0.0.1" in page
