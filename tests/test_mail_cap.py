"""When the hourly cap holds mail to unconfirmed addresses back, the owner hears of
it: a warning in the log, at most one notice an hour, the count on the dashboard
(real SMTP server, SQLite and PostgreSQL)."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from conftest import submit_form
from sqlalchemy import select
from test_admin_support import signed_in_client

from leadsite.extensions import db
from leadsite.models import OutboxMessage
from leadsite.outbox import deliver_due


@pytest.fixture
def app_config(app_config, smtp_server):
    return {
        **app_config,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_server.port,
        "CONFIRM_MAIL_PER_HOUR": 2,
    }


def deliver(app) -> None:
    with app.app_context():
        while deliver_due():
            pass


def test_the_owner_is_told_once_an_hour_and_the_dashboard_shows_what_waits(
    app, smtp_server, caplog
):
    client = app.test_client()
    for number in range(5):
        submit_form(client, "/subscribe", {"email": f"new{number}@example.com"})
    with caplog.at_level(logging.WARNING, logger="leadsite.outbox"):
        deliver(app)
    recipients = sorted(m["To"] for m in smtp_server.messages)
    assert recipients == ["new0@example.com", "new1@example.com", "owner@site.test"]
    notice = next(m for m in smtp_server.messages if m["To"] == "owner@site.test")
    assert "waiting for the hourly limit" in notice["Subject"]
    assert "3 such emails are waiting" in notice.get_body(("plain",)).get_content()
    assert "holds 3 mails to unconfirmed addresses back" in caplog.text

    page = signed_in_client(app).get("/admin/").text
    assert "3 emails to new visitors are waiting for the hourly limit" in page

    submit_form(client, "/subscribe", {"email": "new5@example.com"})
    deliver(app)
    assert len(smtp_server.messages) == 3  # no second notice within the hour

    with app.app_context():  # an hour later: room for two, four waiting
        for message in db.session.scalars(select(OutboxMessage)):
            message.created_at -= timedelta(hours=1, minutes=1)
            if message.sent_at:
                message.sent_at -= timedelta(hours=1, minutes=1)
        db.session.commit()
    deliver(app)
    kinds = [m["Subject"] for m in smtp_server.messages[3:]]
    assert len(kinds) == 3 and sum("hourly limit" in k for k in kinds) == 1
