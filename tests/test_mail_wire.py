"""Mail as the SMTP server receives it, read from the raw bytes: List-Unsubscribe in
plain ASCII and unbroken however long the link, List-Id on list mail, a Message-ID
on the sender's domain, both ways of writing the sender, a separate list sender,
and a DKIM signature that verifies."""

from __future__ import annotations

import base64
import shutil
import subprocess

import dkim
import pytest
from conftest import build_app, close_app, missing
from mail_samples import SITE_URL, queue_every_kind

from leadsite.extensions import db
from leadsite.models import OutboxMessage
from leadsite.outbox import MailKind, deliver_due

LISTED = [MailKind.WELCOME, MailKind.ANNOUNCEMENT, MailKind.STATE_LAUNCH, MailKind.POST]
# tests/site/settings.toml's sender_name, quoted on the wire for its "." (RFC 5322)
SENDER_NAME = '"Alexandra at Compliant Content Co."'
HOST = "parent-iep-help-by-compliant-content.example.org"


@pytest.fixture
def app_config(app_config, smtp_server):
    return {
        **app_config,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_server.port,
        "SITE_URL": SITE_URL,
        "MAIL_DEFAULT_SENDER": "hello@example.org",
    }


@pytest.fixture
def make_app(app_config):
    """Apps on this module's settings plus the test's own, closed at the end."""
    made = []

    def make(**overrides):
        made.append(build_app({**app_config, **overrides}))
        return made[-1]

    yield make
    for app in made:
        close_app(app)


def send_every_kind(app, smtp_server) -> dict[MailKind, tuple[bytes, OutboxMessage]]:
    """Queue and deliver one mail of each kind: {kind: (raw bytes, outbox row)}."""
    with app.app_context():
        ids = queue_every_kind()
        assert sum(deliver_due().values()) == len(MailKind)
        rows = {kind: db.session.get(OutboxMessage, ids[kind]) for kind in MailKind}
        db.session.expunge_all()
    received = {}
    for envelope in smtp_server.recorder.envelopes:
        head = envelope.content.split(b"\r\n\r\n", 1)[0]
        received[message_id_of(head)] = envelope.content
    assert len(received) == len(MailKind)
    return {kind: (received[row.id], row) for kind, row in rows.items()}


def message_id_of(head: bytes) -> int:
    line = next(x for x in head.split(b"\r\n") if x.startswith(b"Message-ID: "))
    return int(line.split(b".")[1])


def header_lines(raw: bytes) -> list[str]:
    """The header block as the lines on the wire (continuations kept apart)."""
    return raw.split(b"\r\n\r\n", 1)[0].decode("ascii").split("\r\n")


@pytest.mark.parametrize(
    ("setting", "from_line"),
    [
        ("hello@example.org", f"From: {SENDER_NAME} <hello@example.org>"),
        (
            "Alexandra Charnin <hello@example.org>",
            "From: Alexandra Charnin <hello@example.org>",
        ),
    ],
)
def test_headers_on_the_wire(make_app, smtp_server, setting, from_line):
    mails = send_every_kind(make_app(MAIL_DEFAULT_SENDER=setting), smtp_server)
    for kind, (raw, row) in mails.items():
        lines = header_lines(raw)
        assert from_line in lines, kind
        created = f"{row.created_at:%Y%m%d%H%M%S}"
        assert f"Message-ID: <outbox.{row.id}.{created}@example.org>" in lines
        # Nothing is RFC 2047-encoded but a subject with curly quotes.
        encoded = [x for x in lines if "=?" in x and not x.startswith(" ")]
        assert encoded == ([] if row.subject.isascii() else [encoded[0]]), kind
        assert encoded == [] or encoded[0].startswith("Subject: "), kind
        assert all(len(line) <= 998 for line in lines)
        one_click = row.headers.get("List-Unsubscribe", "")
        if kind not in LISTED:
            assert not [x for x in lines if x.startswith("List-")], kind
            continue
        url = one_click.strip("<>")
        assert url.startswith(f"{SITE_URL}/unsubscribe/") and url.endswith("/one-click")
        line = f"List-Unsubscribe: <{url}>"
        assert len(line) > 78  # a line the email policy would have folded
        assert line in lines, kind
        assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in lines
        waitlist = "California guide waitlist <waitlist-ca"
        assert (
            f"List-Id: Compliant Content Co. {waitlist}.{HOST}>"
            if kind == MailKind.STATE_LAUNCH
            else f"List-Id: Compliant Content Co. newsletter <newsletter.{HOST}>"
        ) in lines, kind


def test_list_mail_has_its_own_sender(make_app, smtp_server):
    app = make_app(MAIL_LIST_SENDER="Alexandra Charnin <news@lists.example.org>")
    mails = send_every_kind(app, smtp_server)
    for kind, (raw, _row) in mails.items():
        lines = header_lines(raw)
        if kind in LISTED:
            assert "From: Alexandra Charnin <news@lists.example.org>" in lines
            assert any(
                x.startswith("Message-ID: <") and x.endswith("@lists.example.org>")
                for x in lines
            )
        else:
            assert f"From: {SENDER_NAME} <hello@example.org>" in lines
    envelopes = smtp_server.recorder.envelopes
    assert {e.mail_from for e in envelopes} == {
        "hello@example.org",
        "news@lists.example.org",
    }


@pytest.fixture
def dkim_key(tmp_path) -> tuple[str, bytes]:
    """A fresh RSA key pair: (private key file, the DNS TXT record's text)."""
    if not shutil.which("openssl"):
        missing("the DKIM test makes its key with openssl")
    private = tmp_path / "dkim.pem"
    subprocess.run(
        ["openssl", "genrsa", "-out", str(private), "2048"],
        check=True,
        capture_output=True,
    )
    public = subprocess.run(
        ["openssl", "rsa", "-in", str(private), "-pubout", "-outform", "DER"],
        check=True,
        capture_output=True,
    ).stdout
    return str(private), b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


def test_dkim_signs_the_bytes_sent(make_app, smtp_server, dkim_key):
    key_file, record = dkim_key
    app = make_app(
        DKIM_SELECTOR="site2026",
        DKIM_DOMAIN="example.org",
        DKIM_PRIVATE_KEY_FILE=key_file,
    )
    mails = send_every_kind(app, smtp_server)
    asked = []

    def dns(name, timeout=5):
        asked.append(name)
        return record if name == b"site2026._domainkey.example.org." else None

    for kind, (raw, _row) in mails.items():
        assert raw.startswith(b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;")
        assert dkim.verify(raw, dnsfunc=dns), kind
        # A changed byte in the body, or a changed header, breaks it.
        assert not dkim.verify(
            raw.replace(b"Compliant Content Co.", b"Compliant Content Inc."),
            dnsfunc=dns,
        )
        assert not dkim.verify(raw.replace(b"To: ", b"To: x"), dnsfunc=dns)
    assert set(asked) == {b"site2026._domainkey.example.org."}


def test_no_dkim_signature_without_the_settings(make_app, smtp_server):
    mails = send_every_kind(make_app(), smtp_server)
    assert not any(b"DKIM-Signature" in raw for raw, _row in mails.values())
