"""The Pictures page's forms: upload, describe, fetch from an address."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import StringField, URLField
from wtforms.validators import DataRequired, Length

from ..security.bottrap import CleanTextForm
from .store import ALT_MAX

ALT_HINT = (
    "Say what the picture shows for someone who cannot see it, in a sentence. "
    "A post can't be published while a picture in it has no description."
)


def alt_field(label: str = "Description (alt text)"):
    return StringField(label, validators=[Length(max=ALT_MAX)])


class UploadForm(CleanTextForm):
    file = FileField(
        "Picture (JPEG, PNG, WebP or HEIC)",
        validators=[FileRequired("Please choose a picture to upload.")],
        render_kw={"accept": "image/jpeg,image/png,image/webp,image/heic,.heic"},
    )
    alt = alt_field()


class DescribeForm(CleanTextForm):
    alt = alt_field()


class ImportForm(CleanTextForm):
    url = URLField(
        "Address of the picture",
        validators=[DataRequired("Please give the picture's address.")],
    )
    alt = alt_field()
