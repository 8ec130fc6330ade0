"""The forms of her account: asking for a reset link, choosing a new password,
changing it, and turning two-step sign-in on and off."""

from __future__ import annotations

from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from ..security.bottrap import CleanTextForm
from .accounts import check_password


def code_field(label: str = "Code from your authenticator app") -> StringField:
    return StringField(
        label,
        validators=[
            DataRequired("Please enter the 6-digit code your app shows."),
            Length(max=20, message="The code has 6 digits."),
        ],
        render_kw={
            "autocomplete": "one-time-code",
            "inputmode": "numeric",
            "spellcheck": "false",
        },
    )


def current_password_field() -> PasswordField:
    return PasswordField(
        "Your current password",
        validators=[DataRequired("Please enter your current password.")],
        render_kw={"autocomplete": "current-password"},
    )


class NewPasswordForm(CleanTextForm):
    """A new password, typed twice; the rule on length is `check_password`'s."""

    password = PasswordField(
        "New password",
        validators=[DataRequired("Please choose a new password.")],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "New password again",
        validators=[
            DataRequired("Please type the new password a second time."),
            EqualTo("password", "The two new passwords are not the same."),
        ],
        render_kw={"autocomplete": "new-password"},
    )

    def validate_password(self, field) -> None:
        try:
            check_password(field.data or "")
        except ValueError as error:
            raise ValidationError(str(error)) from None


class ChangePasswordForm(NewPasswordForm):
    current = current_password_field()


class ForgotPasswordForm(CleanTextForm):
    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Please enter your email address."),
            Length(max=254, message="That address is too long."),
        ],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )


class TwoStepOnForm(CleanTextForm):
    password = current_password_field()
    code = code_field()


class TwoStepOffForm(CleanTextForm):
    password = current_password_field()
    code = code_field()
