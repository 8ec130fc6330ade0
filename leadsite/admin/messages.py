"""The contact inbox: messages from the contact form, marked read and handled by
the owner with buttons (each a POST)."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from sqlalchemy import func, select

from ..extensions import db
from ..models import ContactMessage, utcnow
from .blueprint import bp
from .forms import ButtonForm
from .paging import Page, page_number

PER_PAGE = 25
VIEWS = {
    "open": ("Not handled yet", ContactMessage.handled_at.is_(None)),
    "unread": ("Unread", ContactMessage.read_at.is_(None)),
    "all": ("All messages", None),
}


def inbox_counts() -> dict[str, int]:
    """How many messages are unread, not handled, and in all."""
    count = func.count(ContactMessage.id)
    return {
        "all": db.session.scalar(select(count)),
        "unread": db.session.scalar(
            select(count).where(ContactMessage.read_at.is_(None))
        ),
        "open": db.session.scalar(
            select(count).where(ContactMessage.handled_at.is_(None))
        ),
    }


@bp.get("/messages")
def messages():
    """The inbox, newest first; by default only the messages not handled yet."""
    view = request.args.get("show", "open")
    if view not in VIEWS:
        view = "open"
    condition = VIEWS[view][1]
    query = select(ContactMessage)
    if condition is not None:
        query = query.where(condition)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    page = Page(page_number(), PER_PAGE, total)
    found = db.session.scalars(
        query.order_by(ContactMessage.created_at.desc(), ContactMessage.id.desc())
        .offset(page.offset)
        .limit(PER_PAGE)
    )
    return render_template(
        "admin/messages.html",
        messages=list(found),
        page=page,
        view=view,
        views=VIEWS,
        counts=inbox_counts(),
        form=ButtonForm(),
    )


@bp.post("/messages/<int:message_id>/<any(read, unread, handled, open):change>")
def mark_message(message_id: int, change: str):
    """Mark a message read or unread, handled or not handled; back to the inbox."""
    message = db.session.get(ContactMessage, message_id) or abort(404)
    now = utcnow()
    if change == "read":
        message.read_at = message.read_at or now
    elif change == "unread":
        message.read_at = None
    elif change == "handled":
        message.handled_at = message.handled_at or now
        message.read_at = message.read_at or now
    else:
        message.handled_at = None
    db.session.commit()
    back = request.form.get("back", "")
    if back.startswith("/admin/") and not back.startswith("//"):
        return redirect(back)
    return redirect(url_for("admin.messages"))
