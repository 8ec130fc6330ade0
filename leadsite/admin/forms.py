"""The admin's forms, one class each, rendered through the `field` macro."""

from __future__ import annotations

from datetime import date, datetime

from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    PasswordField,
    SearchField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..models import Purpose, SubscriptionStatus
from ..security.bottrap import CleanTextForm


class SignInForm(CleanTextForm):
    email = EmailField(
        "Email address",
        validators=[DataRequired("Please enter your email address.")],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Please enter your password.")],
        render_kw={"autocomplete": "current-password"},
    )
    code = StringField(
        "Code from your authenticator app",
        validators=[Optional(), Length(max=20)],
        render_kw={
            "autocomplete": "one-time-code",
            "inputmode": "numeric",
            "spellcheck": "false",
        },
    )
    next = HiddenField()


class ButtonForm(CleanTextForm):
    """A form that is only a button: the CSRF token and nothing else."""


class FriendlyDateField(DateField):
    """A date field whose error says what to type."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = datetime.strptime(valuelist[0].strip(), "%Y-%m-%d").date()
        except ValueError:
            self.data = None
            raise ValueError(
                "Please enter a date as year-month-day, for example 2026-05-01."
            ) from None


# Choices as {value: label}: the form of choices WTForms keeps supporting.
PURPOSES = {
    "": "All kinds",
    Purpose.NEWSLETTER.value: "Newsletter",
    Purpose.RESOURCE.value: "Free resource",
    Purpose.WAITLIST.value: "State guide waitlist",
}
STATUSES = {
    "": "Any status",
    SubscriptionStatus.PENDING.value: "Waiting for confirmation",
    SubscriptionStatus.CONFIRMED.value: "Confirmed",
    SubscriptionStatus.UNSUBSCRIBED.value: "Unsubscribed",
}


class LeadFilterForm(CleanTextForm):
    """The filters above the leads table, sent by GET (so no CSRF token)."""

    class Meta:
        csrf = False

    q = SearchField(
        "Search by email or name",
        validators=[Optional(), Length(max=200, message="Please search for less.")],
    )
    purpose = SelectField("Kind of sign-up", choices=PURPOSES, validate_choice=False)
    state = SelectField("State (waitlist)", validate_choice=False)
    status = SelectField("Status", choices=STATUSES, validate_choice=False)
    since = FriendlyDateField("Signed up on or after", validators=[Optional()])
    until = FriendlyDateField("Signed up on or before", validators=[Optional()])

    def validate_purpose(self, field) -> None:
        if (field.data or "") not in PURPOSES:
            raise ValidationError("Please choose a kind of sign-up from the list.")

    def validate_status(self, field) -> None:
        if (field.data or "") not in STATUSES:
            raise ValidationError("Please choose a status from the list.")

    def validate_state(self, field) -> None:
        if (field.data or "") not in field.choices:
            raise ValidationError("Please choose a state from the list.")

    def validate_until(self, field) -> None:
        since: date | None = self.since.data
        if field.data and since and field.data < since:
            raise ValidationError("The end date is before the start date.")


class LaunchForm(CleanTextForm):
    state = SelectField(
        "State",
        validators=[DataRequired("Please choose the state.")],
        validate_choice=False,
    )
    url = StringField(
        "Link to the guide",
        validators=[
            DataRequired("Please enter the link to the guide."),
            Length(max=500, message="That link is too long (500 characters at most)."),
        ],
        render_kw={"inputmode": "url", "spellcheck": "false"},
    )
    note = TextAreaField(
        "A few words from you (optional)",
        validators=[
            Optional(),
            Length(max=2000, message="Please keep it under 2000 characters."),
        ],
        render_kw={"rows": 4},
    )

    def validate_state(self, field) -> None:
        if field.data not in field.choices:
            raise ValidationError("Please choose the state from the list.")

    def validate_url(self, field) -> None:
        link = (field.data or "").strip()
        if " " in link or not (
            link.startswith(("https://", "http://")) or link.startswith("/")
        ):
            raise ValidationError(
                "Please enter a full link starting with https://, or a page of this "
                "site starting with /, for example /guides/california."
            )


class AnnounceForm(CleanTextForm):
    subject = StringField(
        "Subject",
        validators=[
            DataRequired("Please write a subject."),
            Length(max=150, message="Please keep the subject under 150 characters."),
        ],
    )
    body = TextAreaField(
        "Your message",
        validators=[
            DataRequired("Please write your message."),
            Length(
                max=20000, message="Please keep the message under 20000 characters."
            ),
        ],
        render_kw={"rows": 12},
    )
    nonce = HiddenField(validators=[Length(max=64)])

    def validate_subject(self, field) -> None:
        if "\n" in field.data or "\r" in field.data:
            raise ValidationError("The subject must fit on one line.")
