"""A mail as its bytes on the wire: who it is from, its Message-ID and headers, and
the text and HTML parts.

Built with the standard library's `EmailMessage` rather than Flask-Mail's
composer: Flask-Mail 0.10 adds `extra_headers` as plain strings and then folds the
whole message at 78 columns, and a long `List-Unsubscribe: <https://...>` has no
space to fold at, so it went out RFC 2047-encoded, which mailbox providers do not
read. Here, headers that hold a link go out exactly as written (`VERBATIM`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, parseaddr

from flask import current_app

from .kinds import MailKind

VERBATIM = {"list-unsubscribe", "list-unsubscribe-post", "list-id"}
LONGEST_LINE = 998  # RFC 5322: no header line may be longer


class WirePolicy(EmailPolicy):
    """The SMTP policy (CRLF, fold at 78, 7-bit bodies), except that the List-*
    headers are folded only past RFC 5322's 998-character limit: a link inside
    angle brackets must reach the reader unbroken and unencoded (RFC 2369, 8058)."""

    def _wide(self, name: str) -> EmailPolicy:
        if name.lower() in VERBATIM:
            return self.clone(max_line_length=LONGEST_LINE)
        return self

    def fold(self, name, value):
        return EmailPolicy.fold(self._wide(name), name, value)

    def fold_binary(self, name, value):
        return EmailPolicy.fold_binary(self._wide(name), name, value)


WIRE = WirePolicy(linesep="\r\n", cte_type="7bit")


def sender_setting(kind: MailKind | str) -> str:
    """The setting naming the From of this kind: list mail may have its own."""
    if MailKind(kind).listed and current_app.config.get("MAIL_LIST_SENDER"):
        return "MAIL_LIST_SENDER"
    return "MAIL_DEFAULT_SENDER"


def sender(kind: MailKind | str) -> Address:
    """The From of this kind of mail. The setting may be a bare address
    (`hello@example.org`, shown with `sender_name` from the site's settings) or
    carry its own name (`Alexandra <hello@example.org>`)."""
    name, address = parseaddr(current_app.config[sender_setting(kind)])
    if "@" not in address:
        raise ValueError(f"{sender_setting(kind)} has no address: {address!r}")
    name = name or current_app.extensions["site"].settings.mail.sender_name
    return Address(display_name=name, addr_spec=ascii_domain(address))


def ascii_domain(address: str) -> str:
    """The address with its domain in ASCII (IDNA), as SMTP without SMTPUTF8 needs."""
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.encode('idna').decode('ascii')}"


def message_id(letter_id: int, created_at, sender_address: Address) -> str:
    """One Message-ID for every attempt (a rare double delivery shows as one mail),
    on the sender's own domain."""
    return f"<outbox.{letter_id}.{created_at:%Y%m%d%H%M%S}@{sender_address.domain}>"


def build(letter) -> EmailMessage:
    """The message for a `smtp.Letter`: From, To, Subject, Date, Message-ID, its
    stored headers, a text part and (if any) an HTML alternative."""
    from_ = sender(letter.kind)
    message = EmailMessage(policy=WIRE)
    message["From"] = from_
    message["To"] = ascii_domain(letter.to)
    message["Subject"] = letter.subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = message_id(letter.id, letter.created_at, from_)
    for name, value in letter.headers.items():
        message[name] = value
    message.set_content(letter.text)
    if letter.html:
        message.add_alternative(letter.html, subtype="html")
    return message
