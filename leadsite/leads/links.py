"""The pages mailed links open: confirm a sign-up, unsubscribe (a page, and the
RFC 8058 one-click POST), download a free resource and ask for a fresh link.

A GET shows one button and changes nothing (mail scanners follow every link); only
the button's POST acts. These pages are never kept by a shared cache.
"""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, send_file, url_for

from ..extensions import csrf, db
from ..models import Person, Purpose, Subscription
from ..resources import app_resource_pdf
from ..tokens import TokenExpired, TokenPurpose, read_token
from . import mail as lead_mail
from . import rules
from .blueprint import bp
from .forms import ButtonForm


def settings():
    return current_app.extensions["site"].settings


def subscription_from(purpose: TokenPurpose, token: str) -> Subscription | None:
    try:
        data = read_token(purpose, token)
    except TokenExpired:
        return None
    if not data or "s" not in data:
        return None
    return db.session.get(Subscription, data["s"])


def one_button_page(purpose: TokenPurpose, token: str, action: str, act, done: str):
    """A mailed link's page: GET shows one button and changes nothing (mail scanners
    follow every link); only the button's POST calls `act(subscription)`."""
    subscription = subscription_from(purpose, token)
    if subscription is None:
        return render_template("public/link_invalid.html", action=action), 404
    form = ButtonForm()
    if form.validate_on_submit():
        act(subscription)
        return render_template(f"public/{done}.html", subscription=subscription)
    return render_template(
        f"public/{action}.html", form=form, subscription=subscription
    )


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """Confirm a subscription (double opt-in) with one button; the button also
    confirms the address's other pending sign-ups, which the page lists, and the
    confirmed page offers the links of resources the address asked for."""
    subscription = subscription_from(TokenPurpose.CONFIRM, token)
    if subscription is None:
        return render_template("public/link_invalid.html", action="confirm"), 404
    form = ButtonForm()
    if not form.validate_on_submit():
        return render_template(
            "public/confirm.html",
            form=form,
            subscription=subscription,
            also=rules.pending_for(subscription),
        )
    confirmed = rules.confirm(subscription)
    downloads = [
        (settings().resource(s.topic), lead_mail.download_url(s))
        for s in rules.pending_resources(subscription)
        if settings().resource(s.topic)
    ]
    db.session.commit()  # the download links' tokens
    return render_template(
        "public/confirmed.html",
        subscription=subscription,
        also=[s for s in confirmed if s is not subscription],
        downloads=downloads,
    )


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """Unsubscribe with one button."""
    return one_button_page(
        TokenPurpose.UNSUBSCRIBE,
        token,
        "unsubscribe",
        rules.unsubscribe,
        "unsubscribed",
    )


@bp.route("/unsubscribe/<token>/one-click", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe_one_click(token: str):
    """RFC 8058 one-click: mail providers POST here with no cookie and no CSRF token."""
    if request.method == "GET":
        return unsubscribe(token)
    subscription = subscription_from(TokenPurpose.UNSUBSCRIBE, token)
    if subscription is None:
        return (
            "This unsubscribe link is not valid.",
            404,
            {"Content-Type": "text/plain"},
        )
    rules.unsubscribe(subscription)
    return "You are unsubscribed.", 200, {"Content-Type": "text/plain"}


def resource_subscription(data: dict | None) -> Subscription | None:
    if not data or "p" not in data or "r" not in data:
        return None
    person = db.session.get(Person, data["p"])
    if person is None or settings().resource(data["r"]) is None:
        return None
    return next(
        (
            s
            for s in person.subscriptions
            if s.purpose == Purpose.RESOURCE and s.topic == data["r"]
        ),
        None,
    )


@bp.get("/download/<token>")
def download(token: str):
    """The file, only through a valid mailed link; every download is recorded."""
    try:
        subscription = resource_subscription(read_token(TokenPurpose.DOWNLOAD, token))
    except TokenExpired as exc:
        subscription = resource_subscription(exc.data)
        return render_template(
            "public/download_expired.html",
            form=ButtonForm(),
            token=token,
            renewable=subscription is not None,
        ), 410
    if subscription is None:
        return render_template("public/download_expired.html", renewable=False), 404
    resource = settings().resource(subscription.topic)
    rules.record_download(subscription)
    return send_file(
        app_resource_pdf(resource),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"{resource.slug}.pdf",
        max_age=0,
    )


@bp.post("/download/<token>/renew")
def renew_download(token: str):
    """From an expired link: mail a fresh one to the same person (cooldown applies)."""
    form = ButtonForm()
    try:
        read_token(TokenPurpose.DOWNLOAD, token)
        subscription = None
    except TokenExpired as exc:
        subscription = resource_subscription(exc.data)
    if subscription is None or not form.validate_on_submit():
        return redirect(url_for(".resource"))
    rules.request_resource(
        subscription.person.email,
        "",
        subscription.topic,
        False,
        rules.Source(form="resource-renew", page=request.path),
    )
    return redirect(url_for(".thanks", kind="resource"))
