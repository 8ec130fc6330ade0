"""The audit log: sign-ins, exports, erasures and announcements, with time and IP.

Entries never hold a password, a token, or the address of someone who was erased.
"""

from __future__ import annotations

from flask import g, has_request_context, render_template, request
from sqlalchemy import func, select

from ..extensions import db
from ..models.admin import AuditEvent
from .blueprint import bp
from .paging import Page, page_number

PER_PAGE = 50

ACTIONS = {
    "sign-in": "Signed in",
    "sign-in-failed": "Sign-in failed",
    "sign-in-waiting": "Sign-in refused: too many tries",
    "sign-out": "Signed out",
    "export": "Exported leads",
    "erase": "Erased a person",
    "purge": "Removed old unconfirmed sign-ups and messages",
    "launch": "Launched a state guide",
    "announce": "Sent an announcement",
    "retry-mail": "Tried a mail again",
    "owner-created": "Created an owner account",
    "password-set": "Changed a password",
    "unlock": "Cleared sign-in delays",
    "two-step-on": "Turned on two-step sign-in",
    "two-step-off": "Turned off two-step sign-in",
}


def client_ip() -> str:
    return (request.remote_addr or "")[:45] if has_request_context() else ""


def record(action: str, detail: str = "", actor: str | None = None) -> AuditEvent:
    """Add an entry to the session; the caller commits (with the change itself).

    The actor is the signed-in owner; a command passes `actor="command line"`.
    """
    if actor is None:
        user = g.get("admin_user") if has_request_context() else None
        actor = user.email if user else ""
    event = AuditEvent(
        action=action, actor=actor[:254], ip=client_ip(), detail=detail[:1000]
    )
    db.session.add(event)
    return event


@bp.get("/audit")
def audit_log():
    """Every recorded action, newest first, so the owner can see who did what."""
    total = db.session.scalar(select(func.count(AuditEvent.id)))
    page = Page(page_number(), PER_PAGE, total)
    events = db.session.scalars(
        select(AuditEvent)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset(page.offset)
        .limit(PER_PAGE)
    )
    return render_template(
        "admin/audit.html", events=list(events), page=page, actions=ACTIONS
    )
