"""The outbox's side of SMTP: a message as it is sent, a connection with a timeout,
and the rule that sorts a failure into "try again later" or "give up"."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_mail import Connection, Message

from ..models import OutboxMessage
from . import signing, wire

TEMPORARY = "temporary"
PERMANENT = "permanent"


@dataclass(frozen=True)
class Letter:
    """A claimed message, read before SMTP is touched, so that no transaction (on
    SQLite: the write lock every form needs) stays open during the exchange."""

    id: int
    to: str
    subject: str
    text: str
    html: str
    headers: dict
    created_at: datetime
    claimed_until: datetime
    kind: str = ""

    @classmethod
    def of(cls, row: OutboxMessage) -> Letter:
        return cls(
            row.id,
            row.to_address,
            row.subject,
            row.body_text,
            row.body_html,
            dict(row.headers or {}),
            row.created_at,
            row.claimed_until,
            row.kind,
        )

    def as_text(self) -> str:
        lines = [f"To: {self.to}", f"Subject: {self.subject}"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        return "\n".join(lines) + "\n\n" + self.text

    def as_message(self) -> WireMessage:
        """The message as it goes to the server: see `wire` and `signing`."""
        return WireMessage(self)


class WireMessage(Message):
    """Flask-Mail's message, for its connection's `send`, carrying bytes built by
    `wire.build` and signed once: what the server receives is what was signed."""

    def __init__(self, letter: Letter) -> None:
        built = wire.build(letter)
        super().__init__(
            subject=letter.subject,
            recipients=[letter.to],
            sender=built["From"].addresses[0].addr_spec,
            reply_to=letter.headers.get("Reply-To"),
        )
        self.msgId = built["Message-ID"]
        self.wire = signing.sign(built.as_bytes(), built["From"].addresses[0].domain)

    def as_bytes(self) -> bytes:
        return self.wire

    def as_string(self) -> str:
        return self.wire.decode("ascii")


class CouldNotConnect(Exception):
    """Connecting, TLS or login failed: a problem of the server, not of a message."""


class TimeoutConnection(Connection):
    """Flask-Mail's connection, with a timeout and certificate checks.

    Flask-Mail 0.10 opens `smtplib.SMTP(host, port)` with no timeout, so a silent
    server would hang the worker, and starts TLS without verifying the certificate.
    """

    def configure_host(self) -> smtplib.SMTP:
        timeout = current_app.config["MAIL_TIMEOUT"]
        context = ssl.create_default_context()
        if self.mail.use_ssl:
            host = smtplib.SMTP_SSL(
                self.mail.server, self.mail.port, timeout=timeout, context=context
            )
        else:
            host = smtplib.SMTP(self.mail.server, self.mail.port, timeout=timeout)
        host.set_debuglevel(int(self.mail.debug))
        if self.mail.use_tls:
            host.starttls(context=context)
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host

    def close(self) -> None:
        """Say goodbye if the server still listens; just drop the socket if not."""
        if self.host is None:
            return
        try:
            self.host.quit()
        except (smtplib.SMTPException, OSError):
            self.host.close()
        self.host = None


def open_connection() -> TimeoutConnection:
    """Connect (and log in) with the app's MAIL_* settings; CouldNotConnect if not."""
    connection = TimeoutConnection(current_app.extensions["mail"])
    try:
        return connection.__enter__()
    except Exception as error:
        raise CouldNotConnect(
            f"could not reach the mail server: {describe(error)}"
        ) from error


def classify(error: Exception) -> tuple[str, str]:
    """(TEMPORARY or PERMANENT, detail): a 5xx reply about the message is final.

    Failures that are not the message's fault (server down, wrong login, sender not
    allowed) are temporary, so fixing the settings sends everything that waited.
    """
    if isinstance(error, CouldNotConnect | smtplib.SMTPSenderRefused):
        return TEMPORARY, describe(error)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(error.recipients.values()))
        return by_code(code), f"{code} {decode(reply)}"
    if isinstance(error, smtplib.SMTPResponseException):
        return by_code(error.smtp_code), describe(error)
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return PERMANENT, describe(error)  # e.g. a non-ASCII address, no SMTPUTF8
    if isinstance(error, smtplib.SMTPException | OSError):
        return TEMPORARY, describe(error)  # dropped or timed-out connection
    return PERMANENT, describe(error)  # the message itself could not be built


def by_code(code: int) -> str:
    return PERMANENT if 500 <= code < 600 else TEMPORARY


def decode(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


def describe(error: BaseException) -> str:
    if isinstance(error, CouldNotConnect):
        return str(error)
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {decode(error.smtp_error)}"
    return f"{type(error).__name__}: {error}".removesuffix(": ")
