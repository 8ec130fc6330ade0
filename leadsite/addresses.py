"""The one rule for telling whether two email addresses belong to the same person.

Canonical form: surrounding white space trimmed and the domain lowercased (domains are
case-insensitive; the local part may legally be case-sensitive, so it is kept as typed).
No other rewriting: dots and "+tags" stay, since not every provider ignores them.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email


class AddressError(ValueError):
    """An address that cannot be used, with a message fit to show the visitor."""


def canonical_email(raw: str) -> str:
    """Return the canonical form of an address, or raise AddressError."""
    text = (raw or "").strip()
    if not text:
        raise AddressError("Please enter your email address.")
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise AddressError(
            "That doesn't look like a complete email address, "
            "for example name@example.com."
        ) from exc
    local, _, domain = result.normalized.rpartition("@")
    return f"{local}@{domain.lower()}"


def same_address(column, email: str):
    """A SQL condition: `column` holds `email` in any letter case. Used wherever an
    address is looked up, so an opt-out under one spelling covers every spelling."""
    from sqlalchemy import func

    return func.lower(column) == email.lower()
