"""The admin blueprint and what every admin page shares: the sign-in check, the
no-store header, the friendly answer to an expired form, the time format."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError

from .accounts import session_user
from .words import admin_time, plural

bp = Blueprint("admin", __name__, url_prefix="/admin")

SESSION_KEY = "admin_session"
OPEN_ENDPOINTS = {"admin.sign_in", "admin.forgot_password", "admin.reset_password"}

# Times in her time zone and "2 mails", in every admin template (see `words`).
bp.add_app_template_filter(admin_time, "admin_time")
bp.add_app_template_filter(plural, "plural")


@bp.before_request
def require_owner():
    """Send anyone not signed in (or idle too long) to the sign-in page."""
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    user, reason = session_user(session.get(SESSION_KEY))
    if user is None:
        session.pop(SESSION_KEY, None)
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("admin.sign_in", next=target, why=reason or None))
    g.admin_user = user
    return None


@bp.after_request
def no_store(response):
    """Admin pages hold private data: never cache them, never index them."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.errorhandler(CSRFError)
def form_expired(_error):
    """A form sent without its hidden token (or after a very long time)."""
    return render_template("admin/form_expired.html"), 400
