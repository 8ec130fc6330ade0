"""One form class per lead form, each rendered through the `field` macro, and where
a submission came from (`fill_source`, `source_of`).

Public forms inherit `GuardedForm` (honeypot, cross-site check, no control
characters, rate limit): views call `form.verdict()` instead of
`validate_on_submit()`.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import current_app, request
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..addresses import AddressError, canonical_email
from ..security.bottrap import GuardedForm
from ..security.domains import BLOCKED_MESSAGE, is_blocked
from .rules import Source

MESSAGE_MAX = 5000
NAME_MAX = 100
PAGE_MAX = 500  # the page and referrer a sign-up came from, as stored
UTM_MAX = 200
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign")


ONE_ADDRESS_MESSAGE = "Please enter just one email address."


def valid_address(_form, field) -> None:
    """Check the address with the site's one rule and keep its canonical form.
    One address only (two addresses have a separator between them; two @ signs in
    one word are a typo, worded as such by `canonical_email`), and none at a blocked
    (throwaway or SMS) domain."""
    text = (field.data or "").strip()
    several = text.count("@") > 1 and re.search(r"[\s,;]", text)
    if several or any(mark in text for mark in ",;"):
        raise ValidationError(ONE_ADDRESS_MESSAGE)
    try:
        field.canonical = canonical_email(text)
    except AddressError as exc:
        raise ValidationError(str(exc)) from None
    blocked = current_app.extensions["site"].settings.abuse.blocked_set
    if is_blocked(field.canonical, blocked):
        raise ValidationError(BLOCKED_MESSAGE)


def email_field(label: str = "Email address") -> EmailField:
    return EmailField(
        label,
        validators=[
            DataRequired("Please enter your email address."),
            Length(max=254, message="That address is too long."),
            valid_address,
        ],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )


def name_field(label: str = "First name (optional)", required: bool = False):
    first = DataRequired("Please tell us your name.") if required else Optional()
    return StringField(
        label,
        validators=[
            first,
            Length(
                max=NAME_MAX, message=f"Please keep it under {NAME_MAX} characters."
            ),
        ],
        render_kw={"autocomplete": "given-name" if not required else "name"},
    )


def clipped(limit: int):
    """A filter that shortens text to `limit` characters (for hidden fields a visitor
    never sees, so an overlong value must not block their submission)."""
    return lambda value: value[:limit] if isinstance(value, str) else value


class SourceMixin:
    """Where the visitor was when they signed up: the page and its UTM tags, from
    the page's own address, so the page is the same for every visitor."""

    page = HiddenField(filters=[clipped(PAGE_MAX)])
    utm_source = HiddenField(filters=[clipped(UTM_MAX)])
    utm_medium = HiddenField(filters=[clipped(UTM_MAX)])
    utm_campaign = HiddenField(filters=[clipped(UTM_MAX)])


def fill_source(form) -> None:
    """On first render, note the page and its UTM tags in the hidden fields (a
    HEAD gets the same page as a GET: caches may store either)."""
    if request.method in ("GET", "HEAD"):
        form.page.data = request.path
        for key in UTM_KEYS:
            getattr(form, key).data = request.args.get(key, "")[:UTM_MAX]


def outside_referrer() -> str:
    """The Referer of a POST when another site sent the visitor straight to a form
    page's button (rare); our own pages are already in `page`."""
    referrer = request.referrer or ""
    if urlsplit(referrer).netloc.lower() in ("", request.host.lower()):
        return ""
    return referrer[:PAGE_MAX]


def source_of(form, name: str) -> Source:
    return Source(
        form=name,
        page=form.page.data or "",
        utm_source=form.utm_source.data or "",
        utm_medium=form.utm_medium.data or "",
        utm_campaign=form.utm_campaign.data or "",
        referrer=outside_referrer() if request else "",
    )


class SubscribeForm(SourceMixin, GuardedForm):
    held_as = "subscribe"
    email = email_field()
    name = name_field()


class ResourceForm(SourceMixin, GuardedForm):
    held_as = "resource"
    email = email_field()
    name = name_field()
    resource = HiddenField(validators=[DataRequired()])
    newsletter = BooleanField("Also send me the newsletter (optional)")


class WaitlistForm(SourceMixin, GuardedForm):
    held_as = "waitlist"
    state = SelectField(
        "Your state",
        validators=[DataRequired("Please choose your state.")],
        validate_choice=False,  # checked below, with a friendlier message
    )
    email = email_field()
    name = name_field()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        settings = current_app.extensions["site"].settings
        self.states = settings.waitlist.states
        self.state.choices = [("", "Choose a state")] + [
            (code, settings.state_name(code)) for code in self.states
        ]

    def validate_state(self, field) -> None:
        if field.data not in dict(field.choices):
            raise ValidationError("Please choose your state from the list.")


class ContactForm(SourceMixin, GuardedForm):
    held_as = "contact"
    name = name_field("Your name", required=True)
    email = email_field("Your email address")
    message = TextAreaField(
        "Your message",
        validators=[
            DataRequired("Please write your message."),
            Length(
                max=MESSAGE_MAX,
                message=f"Please keep your message under {MESSAGE_MAX} characters.",
            ),
        ],
        render_kw={"rows": 8, "maxlength": MESSAGE_MAX},
    )


class ButtonForm(FlaskForm):
    """A form that is only a button (confirm, unsubscribe): CSRF and nothing else."""
