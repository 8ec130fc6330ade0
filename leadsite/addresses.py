"""The one rule for telling whether two email addresses belong to the same person,
what to tell a visitor whose address cannot be right, and the likely fix for a
mistyped mail provider.

Canonical form: surrounding white space trimmed and the domain lowercased (domains are
case-insensitive; the local part may legally be case-sensitive, so it is kept as typed).
No other rewriting: dots and "+tags" stay, since not every provider ignores them.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

INCOMPLETE = (
    "That doesn't look like a complete email address, for example name@example.com."
)
# The mail providers most visitors use: a domain a letter or two away from one of
# these is probably a typo (gmail.con, hotmial.com). A hint only, never a refusal.
COMMON_DOMAINS = (
    "gmail.com", "googlemail.com", "yahoo.com", "ymail.com", "hotmail.com",
    "outlook.com", "live.com", "msn.com", "icloud.com", "me.com", "mac.com",
    "aol.com", "comcast.net", "att.net", "sbcglobal.net", "verizon.net",
    "bellsouth.net", "charter.net", "cox.net", "proton.me", "protonmail.com",
    "mail.com", "gmx.com", "zoho.com", "fastmail.com",
)  # fmt: skip


class AddressError(ValueError):
    """An address that cannot be used, with a message fit to show the visitor."""


def address_problem(text: str) -> str:
    """What is wrong with an address email-validator refused, in the visitor's words."""
    ats = text.count("@")
    local, _, domain = text.rpartition("@")
    if ats == 0:
        return (
            "That doesn't look like a complete email address: it needs an @ sign, "
            "as in name@example.com."
        )
    if ats > 1:
        return (
            f"An email address has just one @ sign, and this one has {ats}. "
            "Please check the address."
        )
    if re.search(r"\s", text):
        return "An email address has no spaces. Please check the address."
    if not local:
        return "Please add the part before the @, as in name@example.com."
    if not domain:
        return "Please add the part after the @, such as gmail.com."
    if "." not in domain:
        return (
            "That doesn't look like a complete email address: the part after the @ "
            "needs a dot, as in gmail.com."
        )
    if ".." in text or domain.startswith(".") or domain.endswith("."):
        return "An email address can't have two dots in a row or a dot at either end."
    return INCOMPLETE


def canonical_email(raw: str) -> str:
    """Return the canonical form of an address, or raise AddressError."""
    text = (raw or "").strip()
    if not text:
        raise AddressError("Please enter your email address.")
    # Imported here: 30 ms (dnspython) that a `flask` command would pay for nothing.
    from email_validator import EmailNotValidError, validate_email

    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise AddressError(address_problem(text)) from exc
    local, _, domain = result.normalized.rpartition("@")
    return f"{local}@{domain.lower()}"


@lru_cache(maxsize=4096)
def likely_domain(domain: str) -> str | None:
    """The common provider `domain` is probably a typo of (gmail.con -> gmail.com),
    or None when it is one of them or close to none. Kept per domain: visitors'
    domains repeat, and each new one costs a fuzzy match against the list."""
    domain = domain.strip().lower()
    if not domain or domain in COMMON_DOMAINS:
        return None
    found = difflib.get_close_matches(domain, COMMON_DOMAINS, n=1, cutoff=0.8)
    return found[0] if found else None


def same_address(column, email: str):
    """A SQL condition: `column` holds `email` in any letter case. Used wherever an
    address is looked up, so an opt-out under one spelling covers every spelling."""
    from sqlalchemy import func

    return func.lower(column) == email.lower()
