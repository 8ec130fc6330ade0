"""A plain announcement to the newsletter (write, check, send), and the list of
everything sent to a list with how far its mail has got.

Each form carries a one-time nonce, stored with a unique constraint when it is sent:
pressing Send twice, or in two tabs, sends it once.
"""

from __future__ import annotations

import secrets

from flask import abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from ..extensions import db
from ..models import Purpose
from ..models.admin import Announcement
from . import announcements
from .announcements import AlreadySent
from .blueprint import bp
from .forms import AnnounceForm
from .mailpreview import mail_preview_page
from .words import plural


@bp.route("/announce", methods=["GET", "POST"])
def announce(form: AnnounceForm | None = None):
    """Step 1 of a newsletter announcement: subject and text (POST here = "change")."""
    form = form or AnnounceForm()
    if not form.nonce.data:
        form.nonce.data = secrets.token_urlsafe(16)  # one per form: sent at most once
    people = len(announcements.recipients(Purpose.NEWSLETTER))
    return render_template("admin/announce.html", form=form, people=people)


@bp.post("/announce/review")
def announce_review():
    """Step 2: the mail as it will go out, and to how many subscribers."""
    form = AnnounceForm()
    if not form.validate_on_submit() or not form.nonce.data:
        return announce(form)
    subs = announcements.recipients(Purpose.NEWSLETTER)
    text, html = announcements.preview(
        announcements.NEWSLETTER, form.subject.data.strip(), subs, body=form.body.data
    )
    return mail_preview_page(
        "admin/announce_review.html",
        html,
        form=form,
        people=len(subs),
        text=text,
        sample=subs[0].person if subs else None,
    )


@bp.post("/announce/send")
def announce_send():
    """Step 3: queue one mail per confirmed newsletter subscriber, once."""
    form = AnnounceForm()
    if (
        not form.validate_on_submit()
        or not form.nonce.data
        or request.form.get("confirmed") != "yes"
    ):
        flash("Nothing was sent. Please check the message and try again.", "error")
        return announce(form)
    try:
        announcement = announcements.send_newsletter(
            form.nonce.data,
            form.subject.data.strip(),
            form.body.data,
            g.admin_user.email,
        )
    except AlreadySent:
        flash("This announcement was already sent; nothing was sent again.", "error")
        return redirect(url_for("admin.announcements_list"))
    flash(
        "Your announcement is on its way to "
        f"{plural(announcement.recipients, 'subscriber')}.",
        "ok",
    )
    return redirect(url_for("admin.announcement", announcement_id=announcement.id))


@bp.get("/announcements")
def announcements_list():
    """Everything sent to a list so far, newest first, with how far it has got."""
    sent = list(
        db.session.scalars(select(Announcement).order_by(Announcement.id.desc()))
    )
    return render_template(
        "admin/announcements.html",
        announcements=sent,
        progress={a.id: announcements.progress(a) for a in sent},
    )


@bp.get("/announcements/<int:announcement_id>")
def announcement(announcement_id: int):
    """How one announcement's mail is doing: waiting, sent, failed."""
    found = db.session.get(Announcement, announcement_id) or abort(404)
    return render_template(
        "admin/announcement.html",
        announcement=found,
        progress=announcements.progress(found),
    )
