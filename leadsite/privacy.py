"""The suppression list: addresses of people who asked to be erased.

Only a keyed hash (HMAC-SHA256) of each address is stored, so the list cannot be read
back as addresses, yet an import or a form can still tell that an address is on it.
The address is canonicalised and case-folded first, so any spelling of it matches.

The key is the `SUPPRESSION_KEY` setting. If it is unset, a key is derived from
`SECRET_KEY`; then rotating `SECRET_KEY` silently empties the list (no stored hash
matches any more). Set `SUPPRESSION_KEY` once in production and never change it.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from sqlalchemy import delete, select

from .addresses import AddressError, canonical_email
from .extensions import db
from .models.privacy import SuppressedAddress


def suppression_key() -> bytes:
    """`SUPPRESSION_KEY`, or a key derived from `SECRET_KEY` for this one purpose."""
    configured = current_app.config.get("SUPPRESSION_KEY")
    if configured:
        return configured.encode("utf-8")
    secret = current_app.config["SECRET_KEY"].encode("utf-8")
    return hmac.new(secret, b"leadsite suppression list", hashlib.sha256).digest()


def address_hash(email: str) -> str:
    """The keyed hash of an address; raises AddressError for an unusable address."""
    folded = canonical_email(email).casefold()
    return hmac.new(
        suppression_key(), folded.encode("utf-8"), hashlib.sha256
    ).hexdigest()


def is_suppressed(email: str) -> bool:
    """True if the address was erased and must not be contacted or imported again."""
    try:
        digest = address_hash(email)
    except AddressError:
        return False
    found = db.session.scalar(
        select(SuppressedAddress.id).where(SuppressedAddress.address_hash == digest)
    )
    return found is not None


def suppress(email: str, reason: str) -> SuppressedAddress:
    """Put an address on the list (once); the caller commits, together with the
    erasure itself, so the two happen or fail as one."""
    digest = address_hash(email)
    entry = db.session.scalar(
        select(SuppressedAddress).where(SuppressedAddress.address_hash == digest)
    )
    if entry is None:
        entry = SuppressedAddress(address_hash=digest, reason=reason[:200])
        db.session.add(entry)
        db.session.flush()
    return entry


def lift_suppression(email: str) -> bool:
    """Take an address off the list because its owner confirmed a fresh opt-in;
    the caller commits. True if it was on the list."""
    try:
        digest = address_hash(email)
    except AddressError:
        return False
    removed = db.session.execute(
        delete(SuppressedAddress).where(SuppressedAddress.address_hash == digest)
    )
    return bool(removed.rowcount)
