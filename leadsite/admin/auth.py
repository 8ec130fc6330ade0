"""Signing in and out of the admin.

An unknown account and a wrong password get the same answer. A new session id is
issued at every sign-in (the old cookie content is thrown away), and too many
failures make the next try wait (see `accounts`).
"""

from __future__ import annotations

from flask import g, redirect, render_template, request, session, url_for

from ..extensions import db
from . import accounts, audit, throttle
from .blueprint import SESSION_KEY, bp
from .forms import SignInForm

WRONG = (
    "Those sign-in details don't match. Please check your email address and "
    "password (and the code from your app, if you use one) and try again."
)
WHY = {
    "idle": "You were signed out after 30 minutes without activity. "
    "Please sign in again.",
    "expired": "You were signed out because you had been signed in for 12 hours. "
    "Please sign in again.",
    "signed-out": "You are signed out.",
}


def safe_next(target: str | None) -> str:
    """Only a page of the admin, never another site (`//evil.example`)."""
    target = (target or "").rstrip("?")
    if target.startswith("/admin/") and not target.startswith("//"):
        return target
    return url_for("admin.dashboard")


def wait_words(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def typed_account(email: str) -> str:
    """What to write in the log for a failed try: the address, or a placeholder if
    it does not look like one (someone may have typed a password there)."""
    email = email.strip()
    return email if "@" in email and " " not in email else "(not an email address)"


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """The sign-in form; on success, a fresh session and the page asked for."""
    form = SignInForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    error = None
    status = 200
    if form.validate_on_submit():
        keys = throttle.throttle_keys(audit.client_ip(), form.email.data)
        wait = throttle.seconds_to_wait(keys)
        if wait:
            error = (
                "There have been too many unsuccessful tries. For your safety, "
                f"please wait {wait_words(wait)} and try again."
            )
            status = 429
            audit.record("sign-in-waiting", actor=typed_account(form.email.data))
            db.session.commit()
        else:
            user = accounts.verify(
                form.email.data, form.password.data, form.code.data or ""
            )
            if user is None:
                throttle.record_failure(keys)
                audit.record("sign-in-failed", actor=typed_account(form.email.data))
                db.session.commit()
                error = WRONG
            else:
                throttle.clear_throttle(keys)
                session.clear()  # a new session: nothing from before survives
                session[SESSION_KEY] = accounts.start_session(user, audit.client_ip())
                audit.record("sign-in", actor=user.email)
                db.session.commit()
                return redirect(safe_next(form.next.data))
    form.password.data = form.code.data = ""
    return render_template(
        "admin/sign_in.html",
        form=form,
        error=error,
        why=WHY.get(request.args.get("why", "")),
    ), status


@bp.post("/sign-out")
def sign_out():
    """End the session in the database too, so a copied cookie stops working.
    (The app-wide CSRF check has already refused a forged request.)"""
    audit.record("sign-out", actor=g.admin_user.email)
    db.session.commit()
    accounts.end_session(session.get(SESSION_KEY))
    session.clear()
    return redirect(url_for("admin.sign_in", why="signed-out"))
