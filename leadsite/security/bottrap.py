"""Bot traps for public forms, without a CAPTCHA: a honeypot field and a signed
render-time token. Forms inherit `GuardedForm`; views ask `form.verdict()`.

A submission is a bot's when the honeypot is filled, or its token is missing, not
signed by us, sent sooner than FORM_MIN_SECONDS or later than FORM_MAX_SECONDS after
the form was shown, or already used once. A bot sees the same success page a person
sees, and nothing is stored or sent.

Tokens and page caching (`leadsite/caching.py`): forms render a fixed
PLACEHOLDER, and `fill_tokens`, an after-request step, swaps each one for a fresh
token: a cheap bytes replace on every HTML response, so a page rendered once and
kept by the page cache still hands each visitor their own token, and a re-render
after a mistake gets a new one. ETags are computed over the cached text (with the
placeholder), before this step. A 304 lets a browser reuse a copy whose token it
already holds; the page cache's ETag changes after every POST and every half
FORM_MAX_SECONDS, so a reused copy never holds a used or an expired token.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from enum import Enum

from flask import current_app, request
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup
from sqlalchemy import delete
from wtforms import HiddenField, StringField, TextAreaField

from ..extensions import db
from ..models import UsedFormToken, utcnow
from .ratelimit import check_submission, due_for_purge, insert_for

PLACEHOLDER = "form-token-to-fill-d41c7"
TOKEN_SALT = "leadsite.form-render"
HONEYPOT_LABEL = "Leave this field empty"
CONTROL_MESSAGE = (
    "This has an invisible character we can't accept (it can come from copying "
    "and pasting). Please type it again."
)
# Control characters: C0, DEL and C1. Tab, line feed and carriage return are
# allowed where a field takes several lines (browsers send CRLF).
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
CONTROL_EXCEPT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class Verdict(Enum):
    SHOW = "show"  # not sent, or sent with mistakes: show the form (again)
    BOT = "bot"  # answer as if it worked; store and send nothing
    HUMAN = "human"  # valid, from a person: do the work


def serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def new_token() -> str:
    """A signed token holding a random nonce; itsdangerous adds the issue time."""
    return serializer().dumps(secrets.token_urlsafe(16))


def fill_tokens(response):
    """Swap each token placeholder in an HTML page for a fresh token (see above)."""
    if (
        response.mimetype != "text/html"
        or response.direct_passthrough
        or response.is_streamed
    ):
        return response
    body = response.get_data()
    marker = PLACEHOLDER.encode()
    if marker in body:
        parts = body.split(marker)
        filled = [parts[0]]
        for part in parts[1:]:
            filled += [new_token().encode(), part]
        response.set_data(b"".join(filled))
    return response


def read_token(token: str) -> tuple[str | None, str]:
    """The token's nonce, or None and the reason it cannot be accepted."""
    config = current_app.config
    try:
        nonce, issued = serializer().loads(token, return_timestamp=True)
    except BadSignature:
        return None, "unsigned"
    age = (utcnow() - issued).total_seconds()
    if age < config["FORM_MIN_SECONDS"]:
        return None, "too fast"
    if age > config["FORM_MAX_SECONDS"]:
        return None, "too old"
    if not isinstance(nonce, str) or not 8 <= len(nonce) <= 64:
        return None, "unsigned"
    return nonce, ""


def use_nonce(nonce: str) -> bool:
    """Record the nonce as used, committed at once; False when it already was.

    Expired nonces are purged here too, once a minute: a token that old is refused
    for its age anyway.
    """
    now = utcnow()
    keep_for = timedelta(seconds=current_app.config["FORM_MAX_SECONDS"] + 60)
    if due_for_purge("used_form_tokens"):
        db.session.execute(delete(UsedFormToken).where(UsedFormToken.expires_at < now))
    insert = insert_for(db.engine.dialect.name)
    stored = db.session.scalar(
        insert(UsedFormToken)
        .values(nonce=nonce, expires_at=now + keep_for)
        .on_conflict_do_nothing(index_elements=["nonce"])
        .returning(UsedFormToken.nonce)
    )
    db.session.commit()
    return stored is not None


class CleanTextForm(FlaskForm):
    """A form that refuses control characters (NUL and the like) in what a person
    typed, with one friendly message, the same on SQLite and PostgreSQL (which would
    otherwise fail on a NUL)."""

    unchecked_fields: tuple[str, ...] = ()

    def validate(self, extra_validators=None) -> bool:
        """The fields' own rules, then: no control characters. Hidden fields a
        visitor never sees are cleaned instead of refused."""
        valid = super().validate(extra_validators)
        for field in self:
            if not isinstance(field.data, str) or field.name in self.unchecked_fields:
                continue
            if isinstance(field, HiddenField):
                field.data = CONTROL.sub("", field.data)
                continue
            pattern = (
                CONTROL_EXCEPT_LINES if isinstance(field, TextAreaField) else CONTROL
            )
            if pattern.search(field.data):
                field.errors = [CONTROL_MESSAGE] + [
                    e for e in field.errors if e != CONTROL_MESSAGE
                ]
                valid = False
        return valid


class GuardedForm(CleanTextForm):
    """A public form: CSRF, a honeypot, a render-time token, and no control
    characters in what is stored. `hidden_tag()` renders all three traps, so a
    template needs nothing more than it already has."""

    website = StringField(
        HONEYPOT_LABEL,
        render_kw={"tabindex": "-1", "autocomplete": "off"},
    )
    form_token = HiddenField()
    unchecked_fields = ("website",)

    def hidden_tag(self, *fields):
        # The token field always renders the placeholder, never what was sent: each
        # rendering, a re-render after a mistake too, gets a fresh token.
        self.form_token.data = PLACEHOLDER
        honeypot = Markup(
            '<div class="visually-hidden" aria-hidden="true">{label}{input}</div>'
        ).format(label=self.website.label(), input=self.website(value=""))
        return Markup(super().hidden_tag(*fields)) + honeypot

    def bot_reason(self) -> str:
        """Why this submission looks like a bot's, without touching the database."""
        if self.website.data:
            return "honeypot"
        nonce, reason = read_token(self.form_token.data or "")
        self._nonce = nonce
        return reason

    def verdict(self) -> Verdict:
        """Check a submission: SHOW the form, answer a BOT, or serve a HUMAN.

        Every submission counts towards the client's rate limit first, bots' too.
        """
        if not self.is_submitted():
            return Verdict.SHOW
        check_submission(self)  # raises TooManySubmissions (429) when over
        reason = self.bot_reason()
        if not reason:
            if not self.validate():
                return Verdict.SHOW
            if use_nonce(self._nonce):
                return Verdict.HUMAN
            reason = "replay"
        current_app.logger.info(
            "Form on %s treated as a bot's (%s)", request.path, reason
        )
        return Verdict.BOT
