"""The lead forms: subscribe, free resource, state-guide waitlist and contact, and
the pages their mailed links open. Views read the form, call `signups`, redirect.

`form.verdict()` screens each submission (see `security.bottrap`): a person's valid
one goes to the inbox (`inbox.accept`), where the mail worker turns it into a lead;
a bot's gets the same redirect to the thanks page, and nothing is stored or sent.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from . import inbox, lead_mail, signups
from .consent import CONSENT
from .extensions import csrf, db
from .forms import ButtonForm, ContactForm, ResourceForm, SubscribeForm, WaitlistForm
from .models import Person, Purpose, Subscription
from .resources import app_resource_pdf
from .security.bottrap import Verdict
from .security.ratelimit import check_submission
from .tokens import TokenExpired, TokenPurpose, read_token

bp = Blueprint("leads", __name__)

FOOTER = "footer"


def settings():
    return current_app.extensions["site"].settings


def fill_source(form) -> None:
    """On first render, note the page, UTM tags and referrer in hidden fields."""
    if request.method == "GET":
        form.page.data = request.path
        form.referrer.data = (request.referrer or "")[:500]
        for key in ("utm_source", "utm_medium", "utm_campaign"):
            getattr(form, key).data = request.args.get(key, "")[:200]


def source_of(form, name: str) -> signups.Source:
    return signups.Source(
        form=name,
        page=form.page.data or "",
        utm_source=form.utm_source.data or "",
        utm_medium=form.utm_medium.data or "",
        utm_campaign=form.utm_campaign.data or "",
        referrer=form.referrer.data or "",
    )


@bp.app_context_processor
def footer_signup():
    """The footer's subscribe form on every page, and the words forms show."""

    def make_footer_form():
        form = SubscribeForm(prefix=FOOTER, formdata=None)
        fill_source(form)
        return form

    return {
        "footer_form": make_footer_form,
        "consent": CONSENT,
        "what_for": lead_mail.what_for,
    }


@bp.route("/subscribe", methods=["GET", "POST"])
@csrf.exempt  # GuardedForm: see security.origin
def subscribe():
    """The newsletter sign-up page; the footer form on every page posts here too."""
    prefix = FOOTER if f"{FOOTER}-email" in request.form else ""
    form = SubscribeForm(prefix=prefix)
    fill_source(form)
    verdict = form.verdict(keeps_token=True)
    if verdict is Verdict.HUMAN and not inbox.accept(
        form,
        "opt_in",
        source_of(form, f"subscribe-{prefix or 'page'}"),
        email=form.email.canonical,
        name=form.name.data or "",
        purpose=Purpose.NEWSLETTER.value,
        topic="",
    ):
        verdict = Verdict.SHOW  # its token was used already: the form again
    if verdict is not Verdict.SHOW:
        return redirect(url_for(".thanks", kind="subscribe"))
    return render_template("public/subscribe.html", form=form)


@bp.route("/free-resource", methods=["GET", "POST"])
@bp.route("/free-resource/<slug>", methods=["GET", "POST"])
@csrf.exempt  # GuardedForm: see security.origin
def resource(slug: str | None = None):
    """Ask for a free resource by mail; the link in the mail downloads it."""
    resources = settings().resources
    chosen = (
        settings().resource(slug) if slug else (resources[0] if resources else None)
    )
    if chosen is None:
        abort(404)
    form = ResourceForm(resource=chosen.slug)
    fill_source(form)
    verdict = form.verdict(keeps_token=True)
    if verdict is Verdict.HUMAN and form.resource.data == chosen.slug:
        if not inbox.accept(
            form,
            "resource",
            source_of(form, "resource"),
            email=form.email.canonical,
            name=form.name.data or "",
            slug=chosen.slug,
            newsletter=bool(form.newsletter.data),
        ):
            verdict = Verdict.SHOW  # its token was used already: the form again
    elif verdict is Verdict.HUMAN:
        check_submission(form)  # a stale page's other resource: the count only
    if verdict is not Verdict.SHOW:
        return redirect(url_for(".thanks", kind="resource"))
    return render_template("public/resource.html", form=form, resource=chosen)


@bp.route("/state-guides", methods=["GET", "POST"])
@csrf.exempt  # GuardedForm: see security.origin
def waitlist():
    """Join the waitlist for a state's IEP guide."""
    form = WaitlistForm()
    form.state.choices = [("", "Choose a state")] + [
        (code, settings().state_name(code)) for code in settings().waitlist.states
    ]
    fill_source(form)
    verdict = form.verdict(keeps_token=True)
    if verdict is Verdict.HUMAN and not inbox.accept(
        form,
        "opt_in",
        source_of(form, "waitlist"),
        email=form.email.canonical,
        name=form.name.data or "",
        purpose=Purpose.WAITLIST.value,
        topic=form.state.data,
    ):
        verdict = Verdict.SHOW  # its token was used already: the form again
    if verdict is not Verdict.SHOW:
        state = form.state.data if form.state.data in settings().waitlist.states else ""
        return redirect(url_for(".thanks", kind="waitlist", state=state))
    return render_template("public/waitlist.html", form=form)


@bp.route("/contact", methods=["GET", "POST"])
@csrf.exempt  # GuardedForm: see security.origin
def contact():
    """Send the owner a message; stored, then mailed to her."""
    form = ContactForm()
    fill_source(form)
    verdict = form.verdict(keeps_token=True)
    if verdict is Verdict.HUMAN and not inbox.accept(
        form,
        "message",
        source_of(form, "contact"),
        email=form.email.canonical,
        name=form.name.data.strip(),
        body=form.message.data.strip(),
    ):
        verdict = Verdict.SHOW  # its token was used already: the form again
    if verdict is not Verdict.SHOW:
        return redirect(url_for(".thanks", kind="contact"))
    return render_template("public/contact.html", form=form)


@bp.get("/thanks/<any(subscribe, resource, waitlist, contact):kind>")
def thanks(kind: str):
    """The same answer whatever the address's state: nothing leaks."""
    state = request.args.get("state", "")
    state_name = (
        settings().state_name(state) if state in settings().waitlist.states else ""
    )
    return render_template("public/thanks.html", kind=kind, state_name=state_name)


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
    """Confirm a subscription (double opt-in) with one button."""
    return one_button_page(
        TokenPurpose.CONFIRM, token, "confirm", signups.confirm, "confirmed"
    )


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """Unsubscribe with one button."""
    return one_button_page(
        TokenPurpose.UNSUBSCRIBE,
        token,
        "unsubscribe",
        signups.unsubscribe,
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
    signups.unsubscribe(subscription)
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
    signups.record_download(subscription)
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
    signups.request_resource(
        subscription.person.email,
        "",
        subscription.topic,
        False,
        signups.Source(form="resource-renew", page=request.path),
    )
    return redirect(url_for(".thanks", kind="resource"))
