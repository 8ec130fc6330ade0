"""The public address of a stored picture, kept a year by browsers and caches:
the address holds a hash of the bytes, so it never means other bytes."""

from __future__ import annotations

import io

from flask import abort, send_file

from .store import find_variant, parse_address

YEAR = 365 * 24 * 60 * 60


def picture(name: str):
    """One variant's bytes; a wrong or old address is a 404. Never run as a page."""
    parsed = parse_address(f"/media/p/{name}")
    variant = find_variant(*parsed) if parsed else None
    if variant is None:
        abort(404)
    response = send_file(
        io.BytesIO(variant.data),
        mimetype=variant.media_type,
        etag=name,
        max_age=YEAR,
        conditional=True,
    )
    response.cache_control.public = True
    response.cache_control.immutable = True
    return never_a_page(response)


def never_a_page(response):
    """A stored file (a picture, an SVG someone slipped in) is shown, never run:
    no script, no type sniffing."""
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
