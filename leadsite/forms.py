"""One form class per public form, each rendered through the `field` macro.

Public forms inherit `GuardedForm` (honeypot, render-time token, cross-site check,
no control characters, rate limit): views call `form.verdict()` instead of
`validate_on_submit()`.
"""

from __future__ import annotations

from flask import current_app
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

from .addresses import AddressError, canonical_email
from .security.bottrap import GuardedForm
from .security.domains import BLOCKED_MESSAGE, is_blocked

MESSAGE_MAX = 5000
NAME_MAX = 100


ONE_ADDRESS_MESSAGE = "Please enter just one email address."


def valid_address(_form, field) -> None:
    """Check the address with the site's one rule and keep its canonical form.
    One address only, and none at a blocked (throwaway or SMS) domain."""
    text = (field.data or "").strip()
    if text.count("@") > 1 or any(mark in text for mark in ",;"):
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
    """Where the visitor was when they signed up: page, UTM tags, referrer."""

    page = HiddenField(filters=[clipped(500)])
    utm_source = HiddenField(filters=[clipped(200)])
    utm_medium = HiddenField(filters=[clipped(200)])
    utm_campaign = HiddenField(filters=[clipped(200)])
    referrer = HiddenField(filters=[clipped(500)])


class SubscribeForm(SourceMixin, GuardedForm):
    email = email_field()
    name = name_field()


class ResourceForm(SourceMixin, GuardedForm):
    email = email_field()
    name = name_field()
    resource = HiddenField(validators=[DataRequired()])
    newsletter = BooleanField("Also send me the newsletter (optional)")


class WaitlistForm(SourceMixin, GuardedForm):
    state = SelectField(
        "Your state",
        validators=[DataRequired("Please choose your state.")],
        validate_choice=False,  # checked below, with a friendlier message
    )
    email = email_field()
    name = name_field()

    def validate_state(self, field) -> None:
        if field.data not in dict(field.choices):
            raise ValidationError("Please choose your state from the list.")


class ContactForm(SourceMixin, GuardedForm):
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
