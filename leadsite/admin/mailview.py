"""The mail the site has queued, sent, retried or given up on, with every attempt,
and a button to try a failed (or kept) mail again."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from .. import outbox
from ..extensions import db
from ..models import OutboxMessage, OutboxStatus
from . import audit
from .blueprint import bp
from .forms import ButtonForm
from .paging import Page, page_number

PER_PAGE = 50
STATUS_WORDS = {
    OutboxStatus.QUEUED: "Waiting to be sent",
    OutboxStatus.SENDING: "Being sent now",
    OutboxStatus.SENT: "Sent",
    OutboxStatus.FAILED: "Failed",
    OutboxStatus.KEPT: "Kept here (no mail server set up)",
    OutboxStatus.CANCELLED: "Cancelled",
}
OUTCOME_WORDS = {
    "sent": "Accepted by the mail server",
    "temporary": "Temporary problem; tried again later",
    "permanent": "Refused for good",
    "kept": "Kept here: no mail server is set up",
}


def status_counts() -> dict[str, int]:
    rows = db.session.execute(
        select(OutboxMessage.status, func.count(OutboxMessage.id)).group_by(
            OutboxMessage.status
        )
    )
    return dict(rows.all())


@bp.get("/mail")
def mail():
    """Every mail, newest first, filtered by what happened to it."""
    status = request.args.get("status", "")
    query = select(OutboxMessage)
    if status in STATUS_WORDS:
        query = query.where(OutboxMessage.status == status)
    else:
        status = ""
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    page = Page(page_number(), PER_PAGE, total)
    found = db.session.scalars(
        query.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .offset(page.offset)
        .limit(PER_PAGE)
    )
    return render_template(
        "admin/mail.html",
        messages=list(found),
        page=page,
        status=status,
        words=STATUS_WORDS,
        counts=status_counts(),
    )


@bp.get("/mail/<int:message_id>")
def mail_message(message_id: int):
    """One mail in full (headers, text and HTML source) and its delivery attempts."""
    message = db.session.get(OutboxMessage, message_id) or abort(404)
    return render_template(
        "admin/mail_message.html",
        message=message,
        words=STATUS_WORDS,
        outcomes=OUTCOME_WORDS,
        form=ButtonForm(),
        can_retry=message.status in (OutboxStatus.FAILED, OutboxStatus.KEPT),
    )


@bp.post("/mail/<int:message_id>/retry")
def retry_mail(message_id: int):
    """Queue a failed or kept mail again; the mail worker sends it within moments."""
    try:
        outbox.retry(message_id)
    except LookupError:
        abort(404)
    except ValueError as error:
        flash(str(error), "error")
        return redirect(url_for("admin.mail_message", message_id=message_id))
    audit.record("retry-mail", f"mail {message_id}")
    db.session.commit()
    flash("The mail is queued again and will be sent within a minute or two.", "ok")
    return redirect(url_for("admin.mail_message", message_id=message_id))
