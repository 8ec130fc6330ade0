"""The comment form: name, address, text and the unticked newsletter box, with the
bot traps, rate limit and length limits every public form has."""

from __future__ import annotations

from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, ValidationError

from ..leads.forms import SourceMixin, email_field, name_field
from ..security.bottrap import GuardedForm

COMMENT_MAX = 3000
PREFIX = "comment"


def one_kind_of_line_break(value):
    """Browsers send CRLF; count and keep a line break as one character."""
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


class CommentForm(SourceMixin, GuardedForm):
    held_as = "comment"
    # No `maxlength` on the text: a browser would silently cut a long paste, and
    # nothing a visitor typed may be lost; the server explains instead.
    name = name_field("Your name", required=True)
    email = email_field("Your email address")
    body = TextAreaField(
        "Your comment",
        validators=[DataRequired("Please write your comment.")],
        filters=[one_kind_of_line_break],
        render_kw={"rows": 6},
    )
    newsletter = BooleanField("Also send me the newsletter (optional)")

    def validate_body(self, field) -> None:
        if len(field.data) > COMMENT_MAX:
            raise ValidationError(
                f"Please shorten your comment to {COMMENT_MAX} characters or "
                f"fewer; it has {len(field.data)} now."
            )


def comment_form(**kwargs) -> CommentForm:
    """The form with the prefix it always has, so its fields' ids are unique on a
    post page that also has the footer's sign-up form."""
    return CommentForm(prefix=PREFIX, **kwargs)
