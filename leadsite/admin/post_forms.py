"""The editor's form (one for posts and pages) and the post-mail choice."""

from __future__ import annotations

from datetime import datetime

from wtforms import (
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SearchField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from ..security.bottrap import CleanTextForm


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
    version = HiddenField()
    kind = HiddenField()

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


def local_input(moment: datetime | None, zone) -> datetime | None:
    """A stored UTC time as her clock shows it, for the date-and-time field."""
    return moment.astimezone(zone).replace(tzinfo=None) if moment else None
