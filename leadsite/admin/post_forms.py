"""The editor's form (one for posts and pages) and the post-mail choice."""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app
from wtforms import (
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SearchField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, Optional

from ..postnotes import FEDERAL, law_name
from ..security.bottrap import CleanTextForm
from ..states import US_STATES

LAWS = {"": "None (nothing shown)"} | {
    code: law_name(code) for code in [FEDERAL, *sorted(US_STATES, key=US_STATES.get)]
}
ENDINGS = {
    "resource": "The free resource",
    "waitlist": "The state-guide waitlist",
    "contact": "An invitation to send you a message",
}


class DayField(DateField):
    """A date input whose refusal says how to write the date."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(
                "Please give the date as year-month-day, e.g. 2026-05-01."
            ) from None


class PostForm(CleanTextForm):
    """Title, address, summary, tags, cover and body; `version` is the version the
    editor opened, so a save from an older one is refused."""

    title = StringField(
        "Title",
        validators=[
            DataRequired("Please give the post a title."),
            Length(max=300),
        ],
    )
    slug = StringField(
        "Address",
        validators=[Optional(), Length(max=200)],
        render_kw={"spellcheck": "false", "autocapitalize": "none"},
    )
    summary = TextAreaField(
        "Summary", validators=[Optional(), Length(max=1000)], render_kw={"rows": 3}
    )
    tags = StringField("Topics", validators=[Optional(), Length(max=500)])
    cover_src = StringField(
        "Cover picture address",
        validators=[Optional(), Length(max=500)],
        render_kw={"spellcheck": "false"},
    )
    cover_alt = StringField(
        "Cover picture description", validators=[Optional(), Length(max=500)]
    )
    body = TextAreaField("Text", render_kw={"rows": 24})
    publish_at = DateTimeLocalField(
        "Date and time to publish",
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
    )
    law = SelectField("Law it covers", choices=LAWS, default="")
    reviewed = DayField("Last reviewed", validators=[Optional()])
    cta = SelectField("How the post ends", choices=[], default="")
    version = HiddenField()
    kind = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default = current_app.extensions["site"].settings.posts.call_to_action
        self.cta.choices = {
            "": f"The site's default (now: {ENDINGS[default].lower()})"
        } | ENDINGS
        self.reviewed.render_kw = {"max": her_today().isoformat()}

    def validate_reviewed(self, field) -> None:
        """She cannot have checked the post against the law on a day to come."""
        if field.data and field.data > her_today():
            raise ValidationError(
                "“Last reviewed” cannot be a day still to come: please give the "
                "day you last checked this post against the law (today or before)."
            )

    def notes(self) -> dict:
        """The post's law, review day and ending as `PostNotes` keys (None when
        empty or not one of the choices)."""
        law, cta = self.law.data or None, self.cta.data or None
        return {
            "law": law if law in LAWS else None,
            "reviewed": self.reviewed.data if not self.reviewed.errors else None,
            "cta": cta if cta in ENDINGS else None,
        }

    def tag_list(self) -> list[str]:
        """ "IEP meetings, Records" -> ["IEP meetings", "Records"], no repeats."""
        names = [t.strip() for t in (self.tags.data or "").split(",")]
        return list(dict.fromkeys(name for name in names if name))

    def started_from(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


class PostSearchForm(CleanTextForm):
    class Meta:
        csrf = False

    q = SearchField("Search titles and text", validators=[Optional(), Length(max=200)])


class PostMailForm(CleanTextForm):
    """What goes to the newsletter: the whole post, or its summary and a link."""

    content = RadioField(
        "What the email holds",
        choices={
            "full": "The whole post",
            "summary": "The summary, with a link to read the post on the site",
        },
        default="full",
    )
    version = IntegerField(validators=[Optional()])


def her_today() -> date:
    """Today on her clock (the site's time zone)."""
    return datetime.now(current_app.extensions["site"].settings.site.zone).date()


def local_input(moment: datetime | None, zone) -> datetime | None:
    """A stored UTC time as her clock shows it, for the date-and-time field."""
    return moment.astimezone(zone).replace(tzinfo=None) if moment else None
