"""Her Account page: change the password, turn two-step sign-in on and off, see
where she is signed in and sign out any of those browsers, or all of them.

Every change asks for the current password again (and, to turn two-step sign-in
off, a code), so a browser left signed in cannot lock her out. Wrong passwords
count towards the account's sign-in delay (see `throttle`).
"""

from __future__ import annotations

import pyotp
from flask import current_app, flash, g, redirect, render_template, session, url_for
from sqlalchemy import delete, select

from ..extensions import db
from ..models.admin import AdminSession, AdminUser
from . import accounts, audit, throttle
from .account_forms import ChangePasswordForm, TwoStepOffForm, TwoStepOnForm
from .auth import wait_words
from .blueprint import SESSION_KEY, bp

WRONG = "That password or code doesn't match. Nothing was changed."


def device_name(user_agent: str) -> str:
    """`Safari 17 on iOS (iPhone)`, from the browser's User-Agent, or a plain guess."""
    from ua_parser import parse  # here, not at start-up: 30 ms to import

    found = parse(user_agent or "")
    browser = found.user_agent.family if found.user_agent else "Unknown browser"
    if found.user_agent and found.user_agent.major:
        browser += f" {found.user_agent.major}"
    name = f"{browser} on {found.os.family}" if found.os else browser
    if found.device and found.device.family not in ("Other", "Spider"):
        name += f" ({found.device.family})"
    return name


def qr_code(uri: str) -> str:
    """The set-up link as a QR code, an SVG data URI an `<img>` shows (the CSP
    allows `data:` images and no inline script)."""
    import segno  # here, not at start-up: 70 ms to import

    return segno.make(uri, error="m").svg_data_uri(scale=5, border=4)


def grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def current_token_hash() -> str:
    return accounts.token_hash(session.get(SESSION_KEY) or "")


def checked_password(user: AdminUser, password: str) -> str | None:
    """None if the password is right; else what to tell her (and the failure is
    counted, so a borrowed browser cannot guess on)."""
    keys = throttle.throttle_keys("", user.email)[1:]
    wait = throttle.seconds_to_wait(keys)
    if wait:
        return f"Too many wrong passwords. Please wait {wait_words(wait)}."
    if not accounts.password_ok(user, password):
        throttle.record_failure(keys)
        return WRONG
    return None


def account_page(**forms):
    """The page with its three forms, and any of them re-shown with its errors."""
    user: AdminUser = g.admin_user
    sessions = db.session.scalars(
        select(AdminSession)
        .where(AdminSession.user_id == user.id)
        .order_by(AdminSession.last_seen_at.desc())
    ).all()
    return render_template(
        "admin/account.html",
        user=user,
        password_form=forms.get("password_form") or ChangePasswordForm(formdata=None),
        off_form=forms.get("off_form") or TwoStepOffForm(formdata=None),
        sessions=sessions,
        current=current_token_hash(),
        device_name=device_name,
        error=forms.get("error"),
    )


@bp.get("/account")
def account():
    """Her account: password, two-step sign-in, where she is signed in."""
    return account_page()


@bp.post("/account/password")
def change_password():
    """A new password, with the current one; other browsers are signed out."""
    form = ChangePasswordForm()
    user: AdminUser = g.admin_user
    if not form.validate_on_submit():
        return account_page(password_form=form)
    error = checked_password(user, form.current.data)
    if error:
        db.session.commit()
        return account_page(password_form=form, error=error)
    accounts.set_password(user, form.password.data, keep=session.get(SESSION_KEY))
    audit.record("password-changed")
    db.session.commit()
    flash("Your password is changed. Any other device is signed out.", "ok")
    return redirect(url_for("admin.account"))


@bp.route("/account/two-step", methods=["GET", "POST"])
def two_step_on():
    """Set up two-step sign-in: a QR code (and the key as text) for her app; it is
    on only after one correct code and her password."""
    user: AdminUser = g.admin_user
    if user.totp_secret:
        return redirect(url_for("admin.account"))
    if not user.totp_pending_secret:
        user.totp_pending_secret = accounts.new_totp_secret()
        db.session.commit()
    form = TwoStepOnForm()
    error = None
    if form.validate_on_submit():
        error = checked_password(user, form.password.data)
        trial = AdminUser(totp_secret=user.totp_pending_secret)
        if error is None and not accounts.code_ok(trial, form.code.data):
            error = WRONG
        if error is None:
            user.totp_secret, user.totp_last_step = (
                trial.totp_secret,
                trial.totp_last_step,
            )
            user.totp_pending_secret = None
            audit.record("two-step-on")
            db.session.commit()
            flash("Two-step sign-in is on. You'll need a code at every sign-in.", "ok")
            return redirect(url_for("admin.account"))
        db.session.commit()
    site_name = current_app.extensions["site"].settings.site.name
    uri = pyotp.TOTP(user.totp_pending_secret).provisioning_uri(
        name=user.email, issuer_name=site_name
    )
    form.password.data = form.code.data = ""
    return render_template(
        "admin/two_step.html",
        form=form,
        error=error,
        qr=qr_code(uri),
        key=grouped(user.totp_pending_secret),
    )


@bp.post("/account/two-step/off")
def two_step_off():
    """Turn two-step sign-in off: her password and a code from the app."""
    user: AdminUser = g.admin_user
    form = TwoStepOffForm()
    if not user.totp_secret or not form.validate_on_submit():
        return account_page(off_form=form)
    error = checked_password(user, form.password.data)
    if error is None and not accounts.code_ok(user, form.code.data):
        error = WRONG
    if error:
        db.session.commit()
        return account_page(off_form=form, error=error)
    user.totp_secret = user.totp_last_step = None
    audit.record("two-step-off")
    db.session.commit()
    flash("Two-step sign-in is off. Only your password is needed now.", "ok")
    return redirect(url_for("admin.account"))


@bp.post("/account/sessions/<int:session_id>/end")
def end_session(session_id: int):
    """Sign out one browser of hers (its next request goes to the sign-in page)."""
    ended = db.session.execute(
        delete(AdminSession).where(
            AdminSession.id == session_id, AdminSession.user_id == g.admin_user.id
        )
    ).rowcount
    if ended:
        audit.record("session-ended", f"session {session_id}")
        flash("That device is signed out.", "ok")
    db.session.commit()
    return redirect(url_for("admin.account"))


@bp.post("/account/sessions/end-all")
def end_all_sessions():
    """Sign out everywhere, this browser included."""
    audit.record("signed-out-everywhere")
    db.session.commit()
    accounts.end_sessions(g.admin_user)
    session.clear()
    return redirect(url_for("admin.sign_in", why="everywhere"))
