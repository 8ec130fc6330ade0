"""Friendly pages when something fails: the database or the disk (503), too many
submissions (429), a request too large (413). Never a stack trace; the details go
to the log. A lead is stored with its mail in one transaction, so when the commit
fails neither exists and nothing is sent."""

from __future__ import annotations

from flask import Flask, current_app, render_template
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import RequestEntityTooLarge, TooManyRequests

from ..extensions import db
from .formlimits import TooManyFields

RETRY_AFTER_503 = 60


def minutes(seconds: int) -> int:
    return max(1, -(-seconds // 60))


def visible_fields(form) -> list:
    """The fields a visitor typed into, to show back on the 429 page."""
    if form is None:
        return []
    hidden = {"HiddenField", "CSRFTokenField"}
    return [
        f
        for f in form
        if f.type not in hidden and f.name != form.leave_blank.name and f.data
    ]


def register(app: Flask) -> None:
    @app.errorhandler(TooManyRequests)
    def too_many(error):
        retry_after = int(getattr(error, "retry_after", None) or 60)
        form = getattr(error, "form", None)
        page = render_template(
            "errors/429.html",
            wait_minutes=minutes(retry_after),
            fields=visible_fields(form),
        )
        return page, 429, {"Retry-After": str(retry_after)}

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error):
        limit_kb = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // 1024
        if isinstance(error, TooManyFields):
            limit_kb = 0  # too many fields, not too many bytes
        return render_template("errors/413.html", limit_kb=limit_kb), 413

    def unavailable(error):
        current_app.logger.error("Database or disk failure: %r", error, exc_info=error)
        try:
            db.session.rollback()
        except Exception:  # the database may be gone; the page must still show
            current_app.logger.warning("Rollback after the failure failed too")
        page = render_template("errors/503.html")
        return page, 503, {"Retry-After": str(RETRY_AFTER_503)}

    for failure in (DBAPIError, PoolTimeout, OSError):
        app.register_error_handler(failure, unavailable)
