"""The lead forms: subscribe, free resource, state-guide waitlist and contact.
(Placeholder endpoints until lead capture lands.)"""

from flask import Blueprint, render_template

bp = Blueprint("leads", __name__)


@bp.route("/subscribe", methods=["GET", "POST"])
def subscribe():
    """The newsletter sign-up page."""
    return render_template("public/home.html")


@bp.route("/free-resource", methods=["GET", "POST"])
def resource():
    """Request the free checklist by mail."""
    return render_template("public/home.html")


@bp.route("/state-guides", methods=["GET", "POST"])
def waitlist():
    """Join the waitlist for a state guide."""
    return render_template("public/home.html")


@bp.route("/contact", methods=["GET", "POST"])
def contact():
    """Send the owner a message."""
    return render_template("public/home.html")
