"""When the database or the disk fails: a friendly 503, no stack trace, and no
mail for a lead that was not stored."""

from __future__ import annotations

import pytest
from conftest import build_app, close_app, submit_form
from flask_sqlalchemy.session import Session
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from leadsite import create_app
from leadsite.extensions import db
from leadsite.leads import links
from leadsite.models import ContactMessage, OutboxMessage, Person
from leadsite.outbox import deliver_due

CONTACT = {"name": "Pat", "email": "p@example.com", "message": "Please call me"}


def assert_friendly_503(response) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert "the site is having a problem" in response.text
    assert "no email went out" in response.text
    for detail in ("Traceback", "OperationalError", "sqlalchemy", "disk I/O"):
        assert detail not in response.text
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


@pytest.fixture
def mail_app(mail_app_config):
    app = build_app(mail_app_config)
    yield app
    close_app(app)


def test_a_failed_commit_stores_nothing_and_sends_nothing(
    mail_app, smtp_server, monkeypatch
):
    client = mail_app.test_client()
    page = client.get("/contact")  # before the disk "fills up"
    assert page.status_code == 200

    def failing_commit(self):
        """The database refuses every commit: the submission is not kept."""
        self.rollback()
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(Session, "commit", failing_commit)
    response = submit_form(client, "/contact", CONTACT)
    assert_friendly_503(response)
    monkeypatch.undo()

    with mail_app.app_context():
        for model in (Person, ContactMessage, OutboxMessage):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0
        deliver_due()
    assert smtp_server.messages == []

    # Once the disk has room again, the same visitor's second try goes through.
    assert submit_form(client, "/contact", CONTACT).status_code == 302
    with mail_app.app_context():
        deliver_due()
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "owner@site.test",
        "p@example.com",
    ]


@pytest.fixture
def unreachable_database(database_url, tmp_path) -> str:
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'no-such-folder' / 'site.db'}"
    return "postgresql://postgres@127.0.0.1:9/nothing?connect_timeout=2"


def test_a_database_that_is_down_gets_a_friendly_503(app_config, unreachable_database):
    app = create_app({**app_config, "DATABASE_URL": unreachable_database})
    client = app.test_client()
    assert client.get("/contact").status_code == 200  # pages need no database
    assert_friendly_503(submit_form(client, "/contact", CONTACT))
    assert_friendly_503(submit_form(client, "/", {"footer-email": "f@example.com"}))


def test_a_disk_error_gets_a_friendly_503(app, client, monkeypatch):
    def full_disk(_resource):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(links, "app_resource_pdf", full_disk)
    submit_form(client, "/free-resource", {"email": "r@example.com"})
    with app.app_context():
        from leadsite.leads.mail import download_url
        from leadsite.models import Subscription

        url = download_url(db.session.scalar(select(Subscription)))
        db.session.commit()  # the link's token is stored (it is random, not signed)
    response = client.get(url.removeprefix(app.config["SITE_URL"]))
    assert response.status_code == 503
    assert "No space left" not in response.text
