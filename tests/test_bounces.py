"""Bounces and complaints: a permanent refusal while sending marks the address, and
so do reports read later from a real POP3 mailbox (recognised by flufl.bounce);
list mail to a marked address stops; the owner sees and clears them in the admin
(real SMTP and POP3 servers, SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from conftest import free_port
from pop3_server import POP3Server
from sqlalchemy import select
from test_admin_support import signed_in_client

from leadsite.extensions import db
from leadsite.models import BouncingAddress, OutboxMessage
from leadsite.outbox import MailKind, deliver_due
from leadsite.outbox.bounces import read_report
from leadsite.outbox.queue import queue_mail

FIXTURES = Path(__file__).parent / "fixtures" / "bounces"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


class RefusingRecorder:
    """A real SMTP server that refuses one mailbox for good and keeps the rest."""

    def __init__(self) -> None:
        self.received: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address.startswith("gone@"):
            return "550 5.1.1 <gone@example.net>: Recipient address rejected"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received += envelope.rcpt_tos
        return "250 Message accepted for delivery"


@pytest.fixture
def refusing_smtp():
    recorder = RefusingRecorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, recorder
    controller.stop()


@pytest.fixture
def app_config(app_config, refusing_smtp):
    controller, _recorder = refusing_smtp
    return {**app_config, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": controller.port}


def queue(app, kind: MailKind, to: str) -> None:
    with app.app_context():
        queue_mail(kind=kind, to=to, subject="Hello", text="Hello")
        db.session.commit()


def marked(app) -> dict[str, str]:
    with app.app_context():
        rows = db.session.scalars(select(BouncingAddress))
        return {row.email: row.reason for row in rows}


def statuses(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [(m.kind, m.to_address, m.status) for m in rows]


def test_a_permanent_refusal_marks_the_address_and_stops_list_mail(
    app, refusing_smtp, caplog
):
    _controller, recorder = refusing_smtp
    queue(app, MailKind.CONFIRM, "gone@example.net")
    with app.app_context():
        deliver_due()
    assert marked(app) == {"gone@example.net": "smtp"}
    assert "gone@" not in caplog.text  # the log masks the address

    queue(app, MailKind.ANNOUNCEMENT, "Gone@example.net")  # any case
    queue(app, MailKind.ANNOUNCEMENT, "fine@example.net")
    queue(app, MailKind.CONTACT_REPLY, "gone@example.net")  # not list mail
    with app.app_context():
        deliver_due()
    assert recorder.received == ["fine@example.net"]
    assert statuses(app)[1:] == [
        ("announcement", "Gone@example.net", "cancelled"),
        ("announcement", "fine@example.net", "sent"),
        ("contact_reply", "gone@example.net", "failed"),  # tried, refused again
    ]


@pytest.mark.parametrize(
    ("name", "reason", "addresses"),
    [
        ("dsn_permanent.eml", "report", {"gone@example.net"}),
        ("qmail_permanent.eml", "report", {"left.long.ago@example.org"}),
        ("complaint_arf.eml", "complaint", {"annoyed@provider.example"}),
    ],
)
def test_reports_are_recognised(name, reason, addresses):
    finding = read_report(fixture(name))
    assert (finding.reason, set(finding.addresses)) == (reason, addresses)


@pytest.mark.parametrize("name", ["dsn_delayed.eml", "ordinary_reply.eml"])
def test_delays_and_replies_are_not_bounces(name):
    assert read_report(fixture(name)) is None


def test_the_mailbox_is_read_by_command_and_the_owner_clears_an_address(app, runner):
    names = [
        "dsn_permanent.eml",
        "ordinary_reply.eml",
        "qmail_permanent.eml",
        "dsn_delayed.eml",
        "complaint_arf.eml",
    ]
    server = POP3Server("bounces@site.test", "p@ss word", [fixture(n) for n in names])
    server.start()
    try:
        app.config["BOUNCE_MAILBOX_URL"] = (
            f"pop3://bounces%40site.test:p%40ss%20word@127.0.0.1:{server.port}"
        )
        result = runner.invoke(args=["bounces", "check"])
        assert result.exit_code == 0, result.output
        assert "Read 2 bounce reports and 1 complaints (3 addresses marked)" in (
            result.output
        )
        assert "left 2 other messages" in result.output
        # What was recognised is gone from the mailbox; the rest is left to read.
        assert server.messages == [
            fixture("ordinary_reply.eml"),
            fixture("dsn_delayed.eml"),
        ]
        assert runner.invoke(args=["bounces", "check"]).exit_code == 0
    finally:
        server.stop()
    assert marked(app) == {
        "gone@example.net": "report",
        "left.long.ago@example.org": "report",
        "annoyed@provider.example": "complaint",
    }

    owner = signed_in_client(app)
    page = owner.get("/admin/bounces").text
    assert "annoyed@provider.example" in page and "marked a mail as spam" in page
    with app.app_context():
        row_id = db.session.scalar(
            select(BouncingAddress.id).where(
                BouncingAddress.email == "gone@example.net"
            )
        )
    response = owner.post(f"/admin/bounces/{row_id}/clear", follow_redirects=True)
    assert "Cleared gone@example.net" in response.text
    assert "gone@example.net" not in marked(app)


def test_a_wrong_mailbox_login_is_reported_not_hidden(app, runner):
    server = POP3Server("bounces", "right", [fixture("dsn_permanent.eml")])
    server.start()
    try:
        app.config["BOUNCE_MAILBOX_URL"] = (
            f"pop3://bounces:wrong@127.0.0.1:{server.port}"
        )
        result = runner.invoke(args=["bounces", "check"])
    finally:
        server.stop()
    assert result.exit_code != 0
    assert marked(app) == {}


def test_erasing_a_person_forgets_their_bounce_mark(app):
    from leadsite.admin.privacy import erase_person
    from leadsite.models import Person
    from leadsite.outbox.bounces import mark

    with app.app_context():
        person = Person(email="gone@example.net")
        db.session.add(person)
        mark("gone@example.net", "smtp", "550")
        db.session.commit()
        erase_person(person)
    assert marked(app) == {}
