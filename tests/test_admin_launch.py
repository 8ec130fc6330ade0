"""Launching a state guide and announcing to the newsletter: one mail per confirmed
person through a real SMTP server, nobody pending, unsubscribed or erased, and never
a second send."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from test_admin_support import add_lead, signed_in_client

from leadsite import privacy
from leadsite.extensions import db
from leadsite.models import OutboxMessage
from leadsite.models.admin import Announcement, AuditEvent, StateGuide
from leadsite.outbox import deliver_due

GUIDE = "https://guides.example/california"


@pytest.fixture
def app_config(app_config, smtp_server):
    """Every app in this module delivers through the real SMTP server."""
    return {**app_config, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_server.port}


@pytest.fixture
def waitlist(app):
    """California: two confirmed, one pending, one unsubscribed, one erased and
    back; Texas: one confirmed; the newsletter: one confirmed."""
    add_lead(app, "ann@example.com", "waitlist", "CA", "confirmed", name="Ann")
    add_lead(app, "bo@example.com", "waitlist", "CA", "confirmed")
    add_lead(app, "pending@example.com", "waitlist", "CA", "pending")
    add_lead(app, "left@example.com", "waitlist", "CA", "unsubscribed")
    add_lead(app, "erased@example.com", "waitlist", "CA", "confirmed")
    add_lead(app, "tex@example.com", "waitlist", "TX", "confirmed")
    add_lead(app, "news@example.com", "newsletter", "", "confirmed")
    with app.app_context():
        privacy.suppress("erased@example.com", "test")
        db.session.commit()


def deliver(app) -> None:
    with app.app_context():
        deliver_due()


def recipients(smtp_server) -> list[str]:
    return sorted(message["To"] for message in smtp_server.messages)


def launch(client, state="CA", url=GUIDE, note="", confirmed="yes"):
    return client.post(
        "/admin/launch/send",
        data={"state": state, "url": url, "note": note, "confirmed": confirmed},
    )


def test_launch_mails_each_confirmed_waitlister_once(app, waitlist, smtp_server):
    client = signed_in_client(app)
    review = client.post(
        "/admin/launch/review",
        data={"state": "CA", "url": GUIDE, "note": "Print page 3 first."},
    )
    page = review.get_data(as_text=True)
    assert "Send to 2 people" in page
    assert "The California IEP guide is ready" in page
    assert smtp_server.messages == [] and count(app, OutboxMessage) == 0

    response = launch(client, note="Print page 3 first.")
    assert response.status_code == 302
    progress = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 mails are on their way" in progress
    assert re.search(r"Waiting to be sent</th><td class=\"number\">2<", progress)

    deliver(app)
    assert recipients(smtp_server) == ["ann@example.com", "bo@example.com"]
    mail = next(m for m in smtp_server.messages if m["To"] == "ann@example.com")
    assert mail["Subject"] == "The California IEP guide is ready"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["List-Unsubscribe"].startswith("<http://site.test/unsubscribe/")
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert text.startswith("Hello Ann,")
    assert GUIDE in text and "Print page 3 first." in text
    assert "http://site.test/unsubscribe/" in text
    assert "PO Box 1, Testtown" in text  # the postal address of marketing mail

    progress = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r">Sent</a></th><td class=\"number\">2<", progress)
    with app.app_context():
        guide = db.session.get(StateGuide, "CA")
        assert guide.url == GUIDE
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "launch")
        )
        assert event.detail == f"CA: 2 mails queued; link {GUIDE}"


def test_a_second_launch_is_refused(app, waitlist, smtp_server):
    client = signed_in_client(app)
    launch(client)
    again = launch(client)
    assert again.status_code == 302
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "already launched; nothing was sent again" in page
    review = client.post("/admin/launch/review", data={"state": "CA", "url": GUIDE})
    assert "A launch is sent only once." in review.get_data(as_text=True)
    deliver(app)
    assert len(smtp_server.messages) == 2
    with app.app_context():
        assert count(app, Announcement) == 1


def test_launch_needs_the_confirmation_step(app, waitlist, smtp_server):
    client = signed_in_client(app)
    response = launch(client, confirmed="")
    assert "Nothing was sent" in response.get_data(as_text=True)
    assert count(app, OutboxMessage) == 0


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("", "Please enter the link"),
        ("guides/ca", "full link"),
        ("javascript:x", "full"),
    ],
)
def test_launch_explains_a_bad_link_and_keeps_what_was_typed(app, url, problem):
    client = signed_in_client(app)
    response = client.post(
        "/admin/launch/review", data={"state": "CA", "url": url, "note": "Kept note"}
    )
    page = response.get_data(as_text=True)
    assert problem in page
    assert "Kept note" in page
    assert count(app, OutboxMessage) == 0


def test_a_site_path_becomes_a_full_link(app, waitlist, smtp_server):
    client = signed_in_client(app)
    launch(client, state="TX", url="/guides/texas")
    deliver(app)
    [mail] = smtp_server.messages
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "http://site.test/guides/texas" in text


def test_announcement_goes_once_to_confirmed_subscribers(app, waitlist, smtp_server):
    add_lead(app, "ann@example.com", "newsletter", "", "pending")
    add_lead(app, "bo@example.com", "newsletter", "", "unsubscribed")
    client = signed_in_client(app)
    form = client.get("/admin/announce").get_data(as_text=True)
    nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', form)[1]
    data = {
        "subject": "New article: the annual review",
        "body": "First paragraph.\n\nSecond <paragraph>.",
        "nonce": nonce,
    }
    review = client.post("/admin/announce/review", data=data)
    assert "Send to 1 subscriber" in review.get_data(as_text=True)
    first = client.post("/admin/announce/send", data={**data, "confirmed": "yes"})
    again = client.post("/admin/announce/send", data={**data, "confirmed": "yes"})
    assert first.status_code == again.status_code == 302
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "already sent; nothing was sent again" in page
    deliver(app)
    assert recipients(smtp_server) == ["news@example.com"]
    [mail] = smtp_server.messages
    assert mail["Subject"] == "New article: the annual review"
    assert mail["List-Unsubscribe"]
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert re.search(r"<p[^>]*>First paragraph\.</p>", html)
    # the owner's text is escaped
    assert re.search(r"<p[^>]*>Second &lt;paragraph&gt;\.</p>", html)

    # A fresh form is a new announcement, and may be sent.
    fresh = client.get("/admin/announce").get_data(as_text=True)
    assert f'value="{nonce}"' not in fresh


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))
