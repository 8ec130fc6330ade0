"""The consent wording shown beside each sign-up button, with a version, and the
version of the privacy notice every form links to beside it.

A consent record stores both versions, so what a person agreed to, and the notice
they were shown, can always be told. Change the wording by adding a new version;
never edit a published one. The notice's version is `privacy.version` in
`settings.toml`, which the owner changes with the notice.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app


@dataclass(frozen=True)
class Wording:
    version: str
    text: str


CONSENT: dict[str, Wording] = {
    "newsletter": Wording(
        "newsletter-2026-11",
        "I'd like occasional emails with new articles and practical tips on IEP "
        "meetings. I'll confirm by email first, and I can unsubscribe at any time.",
    ),
    "waitlist": Wording(
        "waitlist-2026-11",
        "Email me when the guide for this state is ready. I'll confirm by email first, "
        "and I can leave the waitlist at any time.",
    ),
    "resource": Wording(
        "resource-2026-11",
        "Email me a link to download this free resource. No other mail unless I tick "
        "the newsletter box.",
    ),
}


def privacy_version() -> str:
    """The privacy notice's current version, for the consent record."""
    return current_app.extensions["site"].settings.privacy.version
