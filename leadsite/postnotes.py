"""The front-matter keys that make a post hers: what law it covers, when she last
reviewed it, how it ends, and whether it is one of our samples.

- `sample: true` marks a post we wrote to show the layout: shown in development
  only, hidden from visitors (and from the feed and sitemap) in production.
- `reviewed: 2026-05-01` the day she last checked it against the law.
- `law: IDEA` (federal law) or a state's two-letter code such as `CA`.
- `cta: resource | waitlist | contact` what the post ends with; the default is
  `posts.call_to_action` in `settings.toml`.
"""

from __future__ import annotations

from datetime import date

from flask import current_app, has_app_context
from pydantic import BaseModel, ConfigDict, field_validator

from .content import CallToAction
from .states import US_STATES

FEDERAL = "IDEA"


class PostNotes(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    sample: bool = False
    reviewed: date | None = None
    law: str | None = None
    cta: CallToAction | None = None

    @field_validator("law")
    @classmethod
    def known_law(cls, value: str | None) -> str | None:
        if value is None:
            return None
        code = value.strip().upper()
        if code != FEDERAL and code not in US_STATES:
            raise ValueError(
                "should be IDEA (federal law) or a state's two-letter code, e.g. CA"
            )
        return code


def law_name(code: str | None) -> str:
    """`IDEA` -> "Federal law (IDEA)"; `CA` -> "California law"; none -> ""."""
    if not code:
        return ""
    return "Federal law (IDEA)" if code == FEDERAL else f"{US_STATES[code]} law"


def hide_samples() -> bool:
    """Sample posts are ours, not hers: visitors of the live site never see them."""
    return has_app_context() and current_app.config["APP_ENV"] == "production"


def call_to_action(post) -> str:
    """The post's own call to action, or the site's default."""
    settings = current_app.extensions["site"].settings
    return getattr(post, "cta", None) or settings.posts.call_to_action


def notes_line(post) -> str:
    """ "Covers: California law · Last reviewed May 1, 2026", for pages and the feed."""
    parts = []
    if getattr(post, "law", None):
        parts.append(f"Covers: {law_name(post.law)}")
    if getattr(post, "reviewed", None):
        day: date = post.reviewed
        parts.append(f"Last reviewed {day:%B} {day.day}, {day.year}")
    return " · ".join(parts)


TEMPLATE_HELPERS = {"notes_line": notes_line, "call_to_action": call_to_action}
