"""Signing in and out of the admin, and a new password by mail when she has
forgotten hers (the rules are in `resets`).

An unknown account and a wrong password get the same answer, and so does asking
for a reset link. A new session id is issued at every sign-in (the old cookie
content is thrown away), and too many failures make the next try wait (see
`throttle`).
"""

from __future__ import annotations

from flask import g, redirect, render_template, request, session, url_for

from ..extensions import db
from . import accounts, audit, resets, throttle
from .account_forms import ForgotPasswordForm, NewPasswordForm
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
    "everywhere": "You are signed out on every device.",
    "new-password": "Your new password is set and you are signed out on every "
    "device. Please sign in with the new password.",
}
SENT = (
    "If {email} is the address of the admin account, an email with a link to "
    "choose a new password is on its way. The link works once, for 30 minutes. "
    "Nothing there after a few minutes? Check your spam folder."
)


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
                session[SESSION_KEY] = accounts.start_session(
                    user, audit.client_ip(), request.user_agent.string
                )
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


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    """Ask for a reset link; the same answer whether or not the address has an
    account. Too many requests from one address or for one account must wait."""
    form = ForgotPasswordForm()
    sent, error, status = None, None, 200
    if form.validate_on_submit():
        ip = audit.client_ip()
        wait = resets.seconds_to_wait(form.email.data, ip)
        if wait:
            error = (
                "A link was asked for several times already. Please use the link "
                f"in the latest email, or wait {wait_words(wait)} and ask again."
            )
            status = 429
        else:
            resets.request_reset(form.email.data, ip)
            audit.record("password-reset-asked", actor=typed_account(form.email.data))
            db.session.commit()
            sent = SENT.format(email=form.email.data.strip())
    return render_template(
        "admin/forgot_password.html", form=form, sent=sent, error=error
    ), status


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password through the link from the mail; it works once."""
    if len(token) > 100 or resets.usable_reset(token) is None:
        return render_template("admin/reset_expired.html"), 410
    form = NewPasswordForm()
    if form.validate_on_submit():
        user = resets.use_reset(token, form.password.data)
        if user is None:  # used a moment ago, in another tab
            return render_template("admin/reset_expired.html"), 410
        audit.record("password-reset", actor=user.email)
        db.session.commit()
        session.clear()
        return redirect(url_for("admin.sign_in", why="new-password"))
    form.password.data = form.confirm.data = ""
    return render_template("admin/reset_password.html", form=form)
