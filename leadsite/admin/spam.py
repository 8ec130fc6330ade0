"""Suspected spam: valid forms whose honeypot was filled (see `security.bottrap`),
held for 30 days and never mailed. Releasing one rebuilds its form from what was
sent and runs the normal flow, as if the visitor had just sent it; deleting one
forgets it at once.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from ..comments.forms import CommentForm
from ..comments.views import comment_from
from ..extensions import db
from ..leads.forms import ContactForm, ResourceForm, SubscribeForm, WaitlistForm
from ..leads.views import contact_from, resource_from, subscribe_from, waitlist_from
from ..models import HeldSubmission
from ..security.bottrap import HOLD_DAYS
from . import audit
from .blueprint import bp
from .forms import ButtonForm

# What releasing runs, by `GuardedForm.held_as`: the form, and its normal flow.
RELEASE = {
    "subscribe": (SubscribeForm, lambda form, held: subscribe_from(form, "subscribe")),
    "resource": (ResourceForm, lambda form, held: resource_from(form, "resource")),
    "waitlist": (WaitlistForm, lambda form, held: waitlist_from(form, "waitlist")),
    "contact": (ContactForm, lambda form, held: contact_from(form, "contact")),
    "comment": (CommentForm, lambda form, held: comment_from(form, held.target)),
}
REASONS = {
    "honeypot": "The hidden field only robots see was filled in.",
    "upgrade": "Waiting to be handled when the site was updated.",
}


def held_count() -> int:
    return db.session.scalar(select(func.count(HeldSubmission.id)))


def release(held: HeldSubmission) -> list[str]:
    """Run the held submission's normal flow; the problems found instead, if any
    (say, the address is now on a blocked domain). Joins the caller's commit."""
    form_class, accept = RELEASE[held.form]
    form = form_class(formdata=MultiDict(held.fields), meta={"csrf": False})
    if not form.validate():
        return [error for field in form for error in field.errors]
    db.session.delete(held)  # committed with the lead, by the flow itself
    accept(form, held)
    return []


@bp.get("/spam")
def spam():
    """The held submissions, newest first."""
    held = db.session.scalars(
        select(HeldSubmission).order_by(HeldSubmission.received_at.desc())
    ).all()
    return render_template(
        "admin/spam.html",
        held=held,
        reasons=REASONS,
        days=HOLD_DAYS,
        form=ButtonForm(),
    )


@bp.post("/spam/<int:held_id>/<any(release, delete):action>")
def spam_action(held_id: int, action: str):
    """Release a held submission into the normal flow, or delete it."""
    held = db.session.get(HeldSubmission, held_id) or abort(404)
    what = f"the {held.form} form from {held.field('email') or 'no address'}"
    if action == "delete":
        db.session.delete(held)
        audit.record("spam-delete", what)
        db.session.commit()
        flash(f"Deleted {what}.", "ok")
        return redirect(url_for("admin.spam"))
    problems = release(held)
    if problems:
        db.session.rollback()
        flash(f"Could not release {what}: {' '.join(problems)}", "error")
    else:
        audit.record("spam-release", what)
        db.session.commit()
        flash(f"Released: {what} went through.", "ok")
    return redirect(url_for("admin.spam"))
