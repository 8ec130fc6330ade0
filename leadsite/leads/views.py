"""The lead forms: subscribe (its own page, and the footer on every page), free
resource, state-guide waitlist and contact. Each view reads its form, hands a valid
one to its `*_from` function, which makes the lead (`rules`) in this request, and
redirects to the thank-you page.

`form.verdict()` screens each submission (see `security.bottrap`); what the honeypot
catches is held for the owner, and the `*_from` functions are what releasing it runs.
"""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for

from ..addresses import likely_domain
from ..consent import CONSENT
from ..extensions import csrf
from ..models import Purpose
from ..posts import library
from ..security.bottrap import Verdict
from . import rules
from .blueprint import bp
from .forms import (
    ContactForm,
    ResourceForm,
    SubscribeForm,
    WaitlistForm,
    fill_source,
    source_of,
)
from .mail import what_for

FOOTER = "footer"


def settings():
    return current_app.extensions["site"].settings


@bp.app_context_processor
def footer_signup():
    """The footer's subscribe form on every page, and the words forms show."""

    def make_footer_form():
        form = SubscribeForm(prefix=FOOTER, formdata=None)
        fill_source(form)
        return form

    return {"footer_form": make_footer_form, "consent": CONSENT, "what_for": what_for}


def thanks_url(kind: str, form, **values) -> str:
    """The thank-you page; it names the address's domain when that looks like a
    typo of a common provider (gmail.con), so the visitor can send it again."""
    domain = getattr(form.email, "canonical", "").rpartition("@")[2]
    if likely_domain(domain):
        values["domain"] = domain
    return url_for(".thanks", kind=kind, **values)


def reading_page(path: str | None) -> tuple[str, str] | None:
    """The page the visitor was reading when they used the footer form, as a link
    back: its address and, for a post, its title ("" otherwise); None for anything
    but an address on this site."""
    if not path or not path.startswith("/") or path.startswith(("//", "/\\")):
        return None
    if path.startswith("/blog/"):
        post = library().get(path.removeprefix("/blog/"))
        if post:
            return path, post.title
    return path, ""


def subscribe_from(form: SubscribeForm, source_name: str) -> None:
    rules.opt_in(
        form.email.canonical,
        form.name.data or "",
        Purpose.NEWSLETTER,
        "",
        source_of(form, source_name),
    )


def resource_from(form: ResourceForm, source_name: str) -> None:
    """A stale page may name a resource that is gone: nothing to send then."""
    if settings().resource(form.resource.data) is None:
        return
    rules.request_resource(
        form.email.canonical,
        form.name.data or "",
        form.resource.data,
        bool(form.newsletter.data),
        source_of(form, source_name),
    )


def waitlist_from(form: WaitlistForm, source_name: str) -> None:
    rules.opt_in(
        form.email.canonical,
        form.name.data or "",
        Purpose.WAITLIST,
        form.state.data,
        source_of(form, source_name),
    )


def contact_from(form: ContactForm, source_name: str) -> None:
    rules.send_message(
        form.email.canonical,
        form.name.data.strip(),
        form.message.data.strip(),
        source_of(form, source_name),
    )


def form_page(form, accept, source_name: str, template: str, thanks, **context):
    """What every lead form page does: show the form, or screen what was sent,
    make the lead from a person's valid form, and thank them (`thanks(form)` gives
    the thank-you page's arguments, its `kind` first)."""
    fill_source(form)
    verdict = form.verdict()
    if verdict is Verdict.HUMAN:
        accept(form, source_name)
    if verdict is not Verdict.SHOW:
        return redirect(thanks_url(form=form, **thanks(form)))
    return render_template(template, form=form, **context)


@bp.route("/subscribe", methods=["GET", "POST"])
@csrf.exempt  # GuardedForm: see security.origin
def subscribe():
    """The newsletter sign-up page; the footer form on every page posts here too."""
    prefix = FOOTER if f"{FOOTER}-email" in request.form else ""
    form = SubscribeForm(prefix=prefix)
    return form_page(
        form,
        subscribe_from,
        f"subscribe-{prefix or 'page'}",
        "public/subscribe.html",
        lambda form: {"kind": "subscribe"},
        # After a mistake in the footer form: a way back to what she was reading.
        back=reading_page(form.page.data) if prefix else None,
    )


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
    return form_page(
        ResourceForm(resource=chosen.slug),
        resource_from,
        "resource",
        "public/resource.html",
        lambda form: {"kind": "resource"},
        resource=chosen,
    )


@bp.route("/state-guides", methods=["GET", "POST"])
@csrf.exempt  # GuardedForm: see security.origin
def waitlist():
    """Join the waitlist for a state's IEP guide."""

    def thanks(form) -> dict:
        chosen = form.state.data
        return {"kind": "waitlist", "state": chosen if chosen in form.states else ""}

    return form_page(
        WaitlistForm(), waitlist_from, "waitlist", "public/waitlist.html", thanks
    )


@bp.route("/contact", methods=["GET", "POST"])
@csrf.exempt  # GuardedForm: see security.origin
def contact():
    """Send the owner a message; stored, then mailed to her."""
    return form_page(
        ContactForm(),
        contact_from,
        "contact",
        "public/contact.html",
        lambda form: {"kind": "contact"},
    )


@bp.get("/thanks/<any(subscribe, resource, waitlist, contact):kind>")
def thanks(kind: str):
    """The same answer whatever the address's state: nothing leaks."""
    state = request.args.get("state", "")
    state_name = (
        settings().state_name(state) if state in settings().waitlist.states else ""
    )
    typed = request.args.get("domain", "")[:254]
    fix = likely_domain(typed)
    return render_template(
        "public/thanks.html",
        kind=kind,
        state_name=state_name,
        typo=(typed, fix) if fix else None,
    )
