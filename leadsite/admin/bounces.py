"""Addresses that bounce or complained (see `outbox.bounces`): they get no list
mail. The owner sees why and since when, and may clear one (a typo fixed, a full
mailbox emptied), so list mail goes to it again."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from sqlalchemy import select

from ..extensions import db
from ..models import BouncingAddress
from ..outbox import bounces as bounce_rules
from . import audit
from .blueprint import bp
from .forms import ButtonForm

REASONS = {
    bounce_rules.SMTP: "The receiving server refused it for good while sending.",
    bounce_rules.REPORT: "A bounce report came back to the bounce mailbox.",
    bounce_rules.COMPLAINT: "The person marked a mail as spam (a complaint).",
}


@bp.get("/bounces")
def bounces():
    """The marked addresses, most recent first."""
    rows = db.session.scalars(
        select(BouncingAddress).order_by(BouncingAddress.last_at.desc())
    ).all()
    return render_template(
        "admin/bounces.html", rows=rows, reasons=REASONS, form=ButtonForm()
    )


@bp.post("/bounces/<int:address_id>/clear")
def clear_bounce(address_id: int):
    """Clear one address: list mail goes to it again."""
    row = bounce_rules.clear(address_id) or abort(404)
    audit.record("bounce-clear", row.email)
    db.session.commit()
    flash(f"Cleared {row.email}: list mail goes to it again.", "ok")
    return redirect(url_for("admin.bounces"))
