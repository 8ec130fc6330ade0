"""Bot traps for public forms, without a CAPTCHA: a honeypot field and a signed
render-time token. Forms inherit `GuardedForm`; views ask `form.verdict()`.

A submission is a bot's when the honeypot is filled, or its token is missing, not
signed by us, or sent sooner than FORM_MIN_SECONDS after the form was shown. A bot
sees the same success page a person sees, and nothing is stored or sent. A token
used once already, or older than FORM_MAX_SECONDS, or a POST another site made
(`origin`) shows the form again with everything typed and a word on why: a person
with an old tab or a reused copy of a page loses nothing, and a bot gains nothing.

Tokens and page caching (`leadsite/caching`): forms render a fixed PLACEHOLDER,
swapped for a fresh token in every response (by the page cache for its pages, by
`fill_tokens` for the rest). Public forms need no session, so public pages set
no cookie and the page cache can serve them as they are kept.
"""

from __future__ import annotations

import hashlib
import random
import re
from datetime import timedelta
from enum import Enum

from flask import Flask, current_app, request
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, TimestampSigner
from markupsafe import Markup
from sqlalchemy import bindparam, delete, text
from wtforms import HiddenField, StringField, TextAreaField

from ..extensions import db
from ..models import Submission, UsedFormToken, UTCDateTime, utcnow
from . import origin
from .ratelimit import check_submission, due_for_purge

PLACEHOLDER = "form-token-to-fill-d41c7"
TOKEN_SALT = "leadsite.form-render"
EXTENSION = "leadsite.form_tokens"
HONEYPOT_LABEL = "Leave this field empty"
CONTROL_MESSAGE = (
    "This has an invisible character we can't accept (it can come from copying "
    "and pasting). Please type it again."
)
TOO_OLD_MESSAGE = (
    "This page had been open for a long time, so please check the form and press "
    "the button again."
)
USED_MESSAGE = (
    "This copy of the form was sent once already. To send it again, please check "
    "it and press the button once more."
)
# Control characters: C0, DEL and C1. Tab, line feed and carriage return are
# allowed where a field takes several lines (browsers send CRLF).
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
CONTROL_EXCEPT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class Verdict(Enum):
    SHOW = "show"  # not sent, or sent with mistakes: show the form (again)
    BOT = "bot"  # answer as if it worked; store and send nothing
    HUMAN = "human"  # valid, from a person: do the work


class FormTokens:
    """Makes and reads render-time tokens: a random nonce, signed with the time
    (itsdangerous). One per app, made once, so a token costs microseconds."""

    def __init__(self, secret_key: str) -> None:
        # The salted key is derived once here, not for every token, and hashlib's
        # own sha1 lets hmac take its fast path: the signatures are the same as
        # TimestampSigner(secret_key, salt=TOKEN_SALT) makes.
        key = TimestampSigner(secret_key, salt=TOKEN_SALT).derive_key()
        self.signer = TimestampSigner(
            key, key_derivation="none", digest_method=hashlib.sha1
        )

    def new(self) -> str:
        # The nonce only has to be unique: the signature is what no one can forge.
        # `random` is reseeded in each forked worker and costs far less than
        # os.urandom, which every page would otherwise call once per form.
        nonce = f"{random.getrandbits(128):032x}"
        return self.signer.sign(nonce).decode()

    def read(self, token: str) -> tuple[str, float] | None:
        """The token's nonce and age in seconds; None when we did not sign it."""
        try:
            nonce, issued = self.signer.unsign(token, return_timestamp=True)
        except BadSignature:
            return None
        return nonce.decode(), (utcnow() - issued).total_seconds()


def form_tokens(app: Flask | None = None) -> FormTokens:
    app = app or current_app
    tokens = app.extensions.get(EXTENSION)
    if tokens is None:
        tokens = app.extensions[EXTENSION] = FormTokens(app.config["SECRET_KEY"])
    return tokens


def new_token() -> str:
    return form_tokens().new()


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


# Written once: every form a person sends runs it (SQLite and PostgreSQL alike).
# (A token may also wait in the inbox, with its submission: see `inbox.ACCEPT`.)
NONCE = "CAST(:nonce AS VARCHAR(64))"  # typed, for PostgreSQL: it is used twice
USE_NONCE = text(
    f"INSERT INTO {UsedFormToken.__tablename__} (nonce, expires_at) "
    f"SELECT {NONCE}, :expires WHERE NOT EXISTS "
    f"(SELECT 1 FROM {Submission.__tablename__} WHERE nonce = {NONCE}) "
    "ON CONFLICT (nonce) DO NOTHING RETURNING nonce"
).bindparams(
    bindparam("expires", type_=UTCDateTime),
)


def use_nonce(nonce: str) -> bool:
    """Record the nonce as used, in the current transaction (the caller's work
    commits it with the submission); False when it already was. It is kept as long
    as a token could be accepted.

    Expired nonces are purged here too, at most once a minute per process: a token
    that old is refused for its age anyway.
    """
    now = utcnow()
    if due_for_purge("used_form_tokens"):
        db.session.execute(delete(UsedFormToken).where(UsedFormToken.expires_at < now))
    expires = now + timedelta(seconds=current_app.config["FORM_MAX_SECONDS"] + 60)
    stored = db.session.scalar(USE_NONCE, {"nonce": nonce, "expires": expires})
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
    """A public form: a honeypot, a render-time token, a check that no other site
    sent it, and no control characters in what is stored. No session-bound CSRF
    token (see `origin`). `hidden_tag()` renders both traps, so a template needs
    nothing more than it already has."""

    class Meta:
        csrf = False

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
        token = form_tokens().read(self.form_token.data or "")
        if token is None or not 8 <= len(token[0]) <= 64:
            return "unsigned"
        self.nonce, age = token
        if age < current_app.config["FORM_MIN_SECONDS"]:
            return "too fast"
        self._too_old = age > current_app.config["FORM_MAX_SECONDS"]
        return ""

    def verdict(self, keeps_token: bool = False) -> Verdict:
        """Check a submission: SHOW the form, answer a BOT, or serve a HUMAN.

        Every submission counts towards the client's rate limit, bots' too. For a
        HUMAN the count and the used token are left in the open transaction, for
        the view's work to commit with the submission: one write, not three. With
        `keeps_token`, the caller counts the submission and records the token
        itself, as it stores the submission (`inbox.accept`), and calls
        `used_again()` when the token was used already.
        """
        if not self.is_submitted():
            return Verdict.SHOW
        reason = self.bot_reason()
        if reason:
            check_submission(self)
            current_app.logger.info(
                "Form on %s treated as a bot's (%s)", request.path, reason
            )
            return Verdict.BOT
        valid = self.validate()
        notice = ""
        if origin.from_another_site():
            notice = origin.MESSAGE
        elif self._too_old:
            notice = TOO_OLD_MESSAGE
        if valid and not notice and keeps_token:
            return Verdict.HUMAN  # counted where it is kept: see `inbox.accept`
        check_submission(self, commit=False)  # raises TooManySubmissions when over
        if valid and not notice:
            if use_nonce(self.nonce):
                return Verdict.HUMAN
            notice = USED_MESSAGE
        if notice:
            self.form_errors.append(notice)
        db.session.commit()
        return Verdict.SHOW

    def used_again(self) -> None:
        """The caller found this form's token used already: keep the count, and
        show the form again with a word on why."""
        self.form_errors.append(USED_MESSAGE)
        db.session.commit()
