"""How the admin writes times and counts: in the owner's time zone (the
`site.time_zone` setting), and "1 mail", "2 mails" rather than "mail(s)"."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from markupsafe import Markup, escape


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """`3 mails`; `plural_form` for words that do not just take an s (people)."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count} {word}"


def local_time(value: datetime, zone: ZoneInfo) -> str:
    """A stored (UTC) time as she reads it: `May 1, 2026, 10:03 AM EDT`."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(zone)
    hour = local.hour % 12 or 12
    return (
        f"{local:%b} {local.day}, {local.year}, "
        f"{hour}:{local:%M} {'AM' if local.hour < 12 else 'PM'} {local:%Z}"
    )


def admin_time(value: datetime | None) -> Markup:
    """A `<time>` element in her time zone, with the exact UTC time for machines."""
    if value is None:
        return Markup("")
    zone = current_app.extensions["site"].settings.site.zone
    stamp = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    return Markup('<time datetime="{}">{}</time>').format(
        stamp.strftime("%Y-%m-%dT%H:%M:%SZ"), escape(local_time(value, zone))
    )
