"""Launching a state guide: choose the state and give the link, check the mail and
the number of people, then send (see `announcements` for the rules).

Each send takes two steps (form, then "Send to N people"), and the database
refuses a second launch of the same state.
"""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import func, select

from ..extensions import db
from ..models import Purpose, Subscription, SubscriptionStatus
from ..models.admin import StateGuide
from . import announcements
from .announcements import AlreadySent
from .blueprint import bp
from .forms import LaunchForm
from .mailpreview import mail_preview_page
from .words import plural


def settings():
    return current_app.extensions["site"].settings


def launch_subject(state: str) -> str:
    return f"The {settings().state_name(state)} IEP guide is ready"


def full_link(url: str) -> str:
    """A page of this site (/guides/ca) as a full link for mail."""
    url = url.strip()
    return current_app.config["SITE_URL"] + url if url.startswith("/") else url


def waitlist_by_state() -> dict[str, int]:
    """Confirmed waitlist entries per state code."""
    rows = db.session.execute(
        select(Subscription.topic, func.count(Subscription.id))
        .where(
            Subscription.purpose == Purpose.WAITLIST,
            Subscription.status == SubscriptionStatus.CONFIRMED,
        )
        .group_by(Subscription.topic)
    )
    return dict(rows.all())


def launch_form() -> LaunchForm:
    form = LaunchForm()
    launched = set(db.session.scalars(select(StateGuide.state)))
    form.state.choices = {"": "Choose a state"} | {
        code: settings().state_name(code) + (" (launched)" if code in launched else "")
        for code in settings().waitlist.states
    }
    return form


def refuse_relaunch(form: LaunchForm) -> bool:
    """True (with an error on the form) if the state's guide was launched already."""
    guide = db.session.get(StateGuide, form.state.data)
    if guide is None:
        return False
    form.state.errors = [
        f"The {settings().state_name(guide.state)} guide was launched on "
        f"{guide.published_at:%Y-%m-%d}, and its waitlist has had its mail. "
        "A launch is sent only once."
    ]
    return True


@bp.route("/launch", methods=["GET", "POST"])
def launch(form: LaunchForm | None = None):
    """Step 1: choose the state and give the guide's link (POST here = "change")."""
    guides = {guide.state: guide for guide in db.session.scalars(select(StateGuide))}
    return render_template(
        "admin/launch.html",
        form=form or launch_form(),
        counts=waitlist_by_state(),
        guides=guides,
        states=settings().waitlist.states,
    )


@bp.post("/launch/review")
def launch_review():
    """Step 2: the mail as it will go out, and to how many people."""
    form = launch_form()
    if not form.validate_on_submit() or refuse_relaunch(form):
        return launch(form)
    state, url = form.state.data, full_link(form.url.data)
    subject = launch_subject(state)
    subs = announcements.recipients(Purpose.WAITLIST, state)
    text, html = announcements.preview(
        announcements.LAUNCH,
        subject,
        subs,
        state=state,
        url=url,
        note=(form.note.data or "").strip(),
    )
    return mail_preview_page(
        "admin/launch_review.html",
        html,
        form=form,
        state_name=settings().state_name(state),
        people=len(subs),
        subject=subject,
        text=text,
        sample=subs[0].person if subs else None,
    )


@bp.post("/launch/send")
def launch_send():
    """Step 3: publish the guide and queue one mail per confirmed waitlister."""
    form = launch_form()
    if not form.validate_on_submit() or request.form.get("confirmed") != "yes":
        flash("Nothing was sent. Please check the details and try again.", "error")
        return launch(form)
    state = form.state.data
    try:
        announcement = announcements.launch_state(
            state,
            full_link(form.url.data),
            (form.note.data or "").strip(),
            launch_subject(state),
            g.admin_user.email,
        )
    except AlreadySent:
        flash(
            f"The {settings().state_name(state)} guide was already launched; "
            "nothing was sent again.",
            "error",
        )
        return redirect(url_for("admin.announcements_list"))
    flash(
        f"The {settings().state_name(state)} guide is published and "
        f"{plural(announcement.recipients, 'mail')} "
        f"{'is on its way' if announcement.recipients == 1 else 'are on their way'}.",
        "ok",
    )
    return redirect(url_for("admin.announcement", announcement_id=announcement.id))
