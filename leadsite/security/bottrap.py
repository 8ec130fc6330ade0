"""Bot traps for public forms, with nothing that changes per request, so every
public page is the same bytes for every visitor (and a shared cache may keep it).
Forms inherit `GuardedForm`; views ask `form.verdict()`.

- A POST another site's page made is refused (`origin`): the form comes back with
  what was typed and a word on why.
- A form with mistakes comes back with them; it does not count towards the rate
  limit (a person correcting a typo is not a flood).
- A valid form counts towards the client's shared rate limit (`ratelimit`), in
  the transaction that stores what it asked for.
- A valid form whose honeypot field is filled is held (`HeldSubmission`): kept for
  HOLD_DAYS in the admin's "Suspected spam" list, never mailed, and the visitor sees
  the usual thank-you page. The owner can release it, which runs the normal flow:
  nothing a person might have sent is thrown away in silence.
"""

from __future__ import annotations

import re
from datetime import timedelta
from enum import Enum
from typing import ClassVar

from flask import current_app, request
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import delete
from wtforms import HiddenField, StringField, TextAreaField

from ..extensions import db
from ..models import HeldSubmission, utcnow
from . import origin
from .ratelimit import (
    check_submission,
    client_network,
    count_with_lead,
    due_for_purge,
)

HOLD_DAYS = 30
# A name and label no browser's autofill or password manager takes for a field of
# its own (they look for words like name, email, address, phone, url).
HONEYPOT = "leave_blank"
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
    HELD = "held"  # the honeypot was filled: kept for the owner, answered as usual
    HUMAN = "human"  # valid, from a person: do the work


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
    """A public form: a honeypot, a check that no other site sent it, the shared rate
    limit and no control characters. No session-bound CSRF token (see `origin`), so
    public pages set no cookie. `hidden_tag()` renders the honeypot too."""

    held_as: ClassVar[str] = ""  # its name in the held list, e.g. "subscribe"

    class Meta:
        csrf = False

    leave_blank = StringField(
        HONEYPOT_LABEL,
        render_kw={
            "tabindex": "-1",
            "autocomplete": "off",
            "data-lpignore": "true",
            "data-1p-ignore": "true",
            "data-form-type": "other",
        },
    )
    unchecked_fields = (HONEYPOT,)

    def hidden_tag(self, *fields):
        honeypot = Markup(
            '<div class="visually-hidden" aria-hidden="true">{label}{input}</div>'
        ).format(label=self.leave_blank.label(), input=self.leave_blank(value=""))
        return Markup(super().hidden_tag(*fields)) + honeypot

    def verdict(self, target: str = "") -> Verdict:
        """Check a submission: SHOW the form, HOLD it for the owner, or serve a
        HUMAN, whose rate-limit count is taken in the transaction that stores the
        lead (`count_with_lead`; TooManySubmissions there when over). A held one
        is counted and kept here. `target` is what the form is about beyond its
        fields (a post's slug)."""
        if not self.is_submitted():
            return Verdict.SHOW
        valid = self.validate()
        if origin.from_another_site():
            self.form_errors.append(origin.MESSAGE)
            return Verdict.SHOW
        if not valid:
            return Verdict.SHOW
        if self.leave_blank.data:
            check_submission(self, commit=False)
            hold(self, target, "honeypot")
            db.session.commit()
            return Verdict.HELD
        count_with_lead(self)
        return Verdict.HUMAN

    def submitted_fields(self) -> list[list[str]]:
        """What the visitor sent, without the honeypot and the form's prefix: the
        form data a release rebuilds this form from."""
        prefix = self._prefix
        return [
            [name.removeprefix(prefix), value]
            for name, value in request.form.items(multi=True)
            if name.removeprefix(prefix) != HONEYPOT
        ]


def hold(form: GuardedForm, target: str, reason: str) -> HeldSubmission:
    """Keep a suspected bot's submission for the owner (uncommitted); held entries
    older than HOLD_DAYS are purged here, at most once a minute per process."""
    now = utcnow()
    if due_for_purge("held_submissions"):
        db.session.execute(
            delete(HeldSubmission).where(
                HeldSubmission.received_at < now - timedelta(days=HOLD_DAYS)
            )
        )
    held = HeldSubmission(
        form=form.held_as,
        target=target,
        fields=form.submitted_fields(),
        honeypot=(form.leave_blank.data or "")[:200],
        page=request.path[:500],
        client=client_network(),
        reason=reason,
        received_at=now,
    )
    db.session.add(held)
    current_app.logger.info(
        "Form on %s held as suspected spam (%s)", request.path, reason
    )
    return held
