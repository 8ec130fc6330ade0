"""Bounces and complaints: addresses that cannot or will not take mail.

- A permanent refusal while sending (a 5xx for the recipient) marks the address at
  once (`mark_refused`, called by `delivery`).
- Reports that come back later are read from the mailbox in BOUNCE_MAILBOX_URL
  (POP3 or IMAP) and recognised by flufl.bounce (every common server's format);
  a complaint (an ARF feedback report) marks the address too. Recognised reports
  are deleted from the mailbox, anything else is left for a person to read.
- A marked address gets no list mail (`LISTED` kinds are cancelled when claimed)
  until the owner clears it in the admin; other mail is still tried.
"""

from __future__ import annotations

import email
import email.utils
import imaplib
import logging
import poplib
import smtplib
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from urllib.parse import unquote, urlsplit

from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from ..models import BouncingAddress, utcnow
from ..security.logs import mask_address

log = logging.getLogger(__name__)

SMTP = "smtp"  # refused while sending
REPORT = "report"  # a bounce report in the mailbox
COMPLAINT = "complaint"  # a feedback (abuse) report in the mailbox
MAILBOX_TIMEOUT = 30


def mark(address: str, reason: str, detail: str = "") -> BouncingAddress:
    """Record a bounce or complaint for the address; joins the caller's commit."""
    address = address.strip().lower()
    row = db.session.scalar(
        select(BouncingAddress).where(BouncingAddress.email == address)
    )
    if row is None:
        row = BouncingAddress(email=address, reason=reason, detail=detail[:500])
        db.session.add(row)
    else:
        row.count += 1
        row.last_at = utcnow()
        row.reason, row.detail = reason, detail[:500]
    log.warning("Address %s marked as bouncing (%s)", mask_address(address), reason)
    return row


def is_permanent_refusal(error: Exception) -> bool:
    """A 5xx answer about the recipient: the mailbox does not exist or takes no
    mail. (Other permanent failures, say a message too large, say nothing of it.)"""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPDataError) and error.smtp_code in (550, 553)


def bouncing_among(addresses: list[str]) -> set[str]:
    """Those of `addresses` (any case) that are marked."""
    if not addresses:
        return set()
    lowered = {a.lower(): a for a in addresses}
    found = db.session.scalars(
        select(BouncingAddress.email).where(BouncingAddress.email.in_(list(lowered)))
    )
    return {lowered[address] for address in found}


def bouncing_count() -> int:
    return db.session.scalar(select(func.count(BouncingAddress.id)))


def clear(address_id: int) -> BouncingAddress | None:
    """Forget a mark (the owner fixed the address, or it works again)."""
    row = db.session.get(BouncingAddress, address_id)
    if row is not None:
        db.session.delete(row)
    return row


@dataclass(frozen=True)
class Finding:
    reason: str
    addresses: frozenset[str]


def read_report(raw: bytes) -> Finding | None:
    """What a message in the bounce mailbox says: permanent failures (REPORT), a
    complaint (COMPLAINT), or None for anything else (temporary delays included)."""
    message = email.message_from_bytes(raw)
    complained = complaint_addresses(message)
    if complained:
        return Finding(COMPLAINT, complained)
    from flufl.bounce import all_failures  # 20 ms to import, for bounce checks only

    _temporary, permanent = all_failures(message)
    addresses = frozenset(
        (a.decode(errors="replace") if isinstance(a, bytes) else a).strip("<> ")
        for a in permanent
    )
    addresses = frozenset(a for a in addresses if "@" in a)
    return Finding(REPORT, addresses) if addresses else None


def complaint_addresses(message: Message) -> frozenset[str]:
    """The recipients named in an ARF feedback report (RFC 5965), if it is one."""
    if message.get_content_type() != "multipart/report":
        return frozenset()
    if message.get_param("report-type", "").lower() != "feedback-report":
        return frozenset()
    found = set()
    for part in message.walk():
        if part.get_content_type() == "message/feedback-report":
            payload = part.get_payload()
            fields = payload[0] if isinstance(payload, list) else None
            text = fields.as_string() if fields is not None else str(payload)
            for line in text.splitlines():
                name, _, value = line.partition(":")
                if name.strip().lower() == "original-rcpt-to":
                    found.add(value.strip().strip("<>"))
        elif part.get_content_type() in ("message/rfc822", "text/rfc822-headers"):
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) else None
            if not found and inner is not None and inner["To"]:
                found.add(email.utils.parseaddr(inner["To"])[1])
    return frozenset(a for a in found if "@" in a)


def mailbox_messages(url: str) -> Iterator[tuple[bytes, callable]]:
    """Each message in the mailbox, with a function that deletes it; POP3(S) or
    IMAP(S), from a URL like pop3s://user:password@host:port or imaps://.../INBOX."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    user, password = unquote(parts.username or ""), unquote(parts.password or "")
    if scheme in ("pop3", "pop3s"):
        cls = poplib.POP3_SSL if scheme == "pop3s" else poplib.POP3
        port = parts.port or (995 if scheme == "pop3s" else 110)
        box = cls(parts.hostname, port, timeout=MAILBOX_TIMEOUT)
        try:
            box.user(user)
            box.pass_(password)
            count, _size = box.stat()
            for number in range(1, count + 1):
                _resp, lines, _octets = box.retr(number)
                yield b"\r\n".join(lines), lambda n=number: box.dele(n)
        finally:
            box.quit()  # POP3 deletes only on a clean QUIT
    elif scheme in ("imap", "imaps"):
        cls = imaplib.IMAP4_SSL if scheme == "imaps" else imaplib.IMAP4
        port = parts.port or (993 if scheme == "imaps" else 143)
        box = cls(parts.hostname, port, timeout=MAILBOX_TIMEOUT)
        try:
            box.login(user, password)
            box.select(parts.path.strip("/") or "INBOX")
            _status, data = box.uid("SEARCH", None, "ALL")
            for uid in data[0].split():
                _status, fetched = box.uid("FETCH", uid, "(RFC822)")
                raw = next(p[1] for p in fetched if isinstance(p, tuple))
                yield raw, lambda u=uid: box.uid("STORE", u, "+FLAGS", r"(\Deleted)")
            box.expunge()
        finally:
            box.logout()
    else:
        raise ValueError(f"BOUNCE_MAILBOX_URL: unknown scheme {parts.scheme!r}")


def check_bounces() -> dict[str, int]:
    """Read the bounce mailbox once: mark what the reports name, delete those
    reports, leave the rest. Returns counts: reports, complaints, addresses, other."""
    url = current_app.config.get("BOUNCE_MAILBOX_URL")
    counts = {REPORT: 0, COMPLAINT: 0, "addresses": 0, "other": 0}
    if not url:
        return counts
    for raw, delete in mailbox_messages(url):
        finding = read_report(raw)
        if finding is None:
            counts["other"] += 1
            continue
        for address in sorted(finding.addresses):
            mark(address, finding.reason, f"{finding.reason} from the bounce mailbox")
            counts["addresses"] += 1
        db.session.commit()  # marked before the report is deleted
        delete()
        counts[finding.reason] += 1
    return counts
