"""One address, few mails: however many forms name a stranger's address, from
however many clients, the stranger gets one mail, and what was asked for is kept
(real SMTP server, SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from conftest import submit_form
from sqlalchemy import select

from leadsite.extensions import db
from leadsite.models import OutboxMessage, Subscription
from leadsite.outbox import deliver_due

VICTIM = "victim@example.com"
STATES = ["CA", "TX", "NY", "FL", "OH", "WA", "GA", "MA"]
RESOURCE = "first-iep-meeting-checklist"


@pytest.fixture
def app_config(app_config, smtp_server):
    return {**app_config, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_server.port}


def attack_forms() -> list[tuple[str, dict]]:
    """The forms of the attack, with the victim's address: 40 in all."""
    forms = [("/subscribe", {"email": VICTIM})]
    forms += [("/state-guides", {"email": VICTIM, "state": s}) for s in STATES]
    forms += [("/free-resource", {"email": VICTIM, "resource": RESOURCE})]
    return (forms * 4)[:40]


def deliver(app) -> None:
    with app.app_context():
        while deliver_due():
            pass


def statuses(app) -> dict[str, str]:
    with app.app_context():
        return {
            f"{s.purpose}:{s.topic}": s.status
            for s in db.session.scalars(select(Subscription))
        }


def test_forty_submissions_from_twenty_clients_give_the_victim_one_mail(
    app, smtp_server
):
    answers = set()
    for index, (page, data) in enumerate(attack_forms()):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{index % 20 + 1}"
        response = submit_form(client, page, data)
        assert response.status_code == 302
        answers.add((page, response.headers["Location"].split("?")[0]))
    # The same answer as for any address: each form's usual thank-you page.
    assert {location for _, location in answers} == {
        "/thanks/subscribe",
        "/thanks/waitlist",
        "/thanks/resource",
    }
    deliver(app)
    assert [m["To"] for m in smtp_server.messages] == [VICTIM]

    # Everything asked for is recorded, pending.
    recorded = statuses(app)
    assert len(recorded) == 1 + len(STATES) + 1
    assert set(recorded.values()) == {"pending"}


def test_one_confirmation_confirms_what_waited_and_offers_the_download(
    app, smtp_server
):
    client = app.test_client()
    for page, data in attack_forms()[:10]:  # subscribe, 8 states, the resource
        submit_form(client, page, data)
    deliver(app)
    [mail] = smtp_server.messages
    text = mail.get_body(("plain",)).get_content()
    path = re.search(r"http://site\.test(/confirm/\S+)", text).group(1)
    assert "." not in path.rsplit("/", 1)[1]  # an opaque token, no readable data

    page = client.get(path).text
    assert "Texas IEP guide waitlist" in page  # the page lists what it confirms
    page = client.post(path).text
    assert "Download" in page and "/download/" in page
    recorded = statuses(app)
    assert recorded.pop(f"resource:{RESOURCE}") == "pending"  # until downloaded
    assert set(recorded.values()) == {"confirmed"}
    download = re.search(r'href="http://site\.test(/download/[^"]+)"', page).group(1)
    assert client.get(download).mimetype == "application/pdf"
    assert statuses(app)[f"resource:{RESOURCE}"] == "confirmed"

    deliver(app)
    assert len(smtp_server.messages) == 2  # one welcome, not ten


def test_the_daily_limit_holds_after_the_gap(app, smtp_server):
    client = app.test_client()
    for _ in range(5):
        submit_form(client, "/subscribe", {"email": VICTIM})
        with app.app_context():  # the gap has passed for every mail so far
            for message in db.session.scalars(select(OutboxMessage)):
                message.created_at -= timedelta(minutes=16)
            db.session.commit()
    deliver(app)
    assert len(smtp_server.messages) == 3  # UNCONFIRMED_MAIL_PER_DAY

    with app.app_context():
        for message in db.session.scalars(select(OutboxMessage)):
            message.created_at -= timedelta(days=1)
        db.session.commit()
    submit_form(client, "/subscribe", {"email": VICTIM})
    deliver(app)
    assert len(smtp_server.messages) == 4  # a new day, a new mail
