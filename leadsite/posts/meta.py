"""Front matter of a post: the keys, their checks, and messages that name them."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Literal, NamedTuple

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from ..content import Slug, Text
from ..postnotes import PostNotes


def as_date(value: object) -> date:
    """A YAML date (2026-05-01, quoted or not); nothing else, not even a number."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError("should be a date written year-month-day, e.g. 2026-05-01")


Day = Annotated[date, PlainValidator(as_date)]
MediaPath = Annotated[str, StringConstraints(pattern=r"^/media/\S+$")]


class Tag(NamedTuple):
    name: str
    slug: str


def tag_slug(name: str) -> str:
    """The tag as it appears in its page's address: `IEP meetings` -> `iep-meetings`."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


class Cover(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    src: MediaPath
    alt: Text


class PostMeta(PostNotes):
    """The front matter of one post; unknown keys are refused to catch typos."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title: Text
    slug: Slug
    author: Text | None = None
    published: Day
    updated: Day | None = None
    summary: Text
    tags: list[Text] = Field(default_factory=list)
    cover: Cover | None = None
    draft: bool = False
    kind: Literal["post", "page"] = "post"
    # The exact moment it goes live, when not midnight of `published` in her zone.
    publish_at: AwareDatetime | None = None

    @field_validator("updated")
    @classmethod
    def not_before_published(cls, value: date | None, info: ValidationInfo):
        published = info.data.get("published")
        if value and published and value < published:
            raise ValueError("should be on or after the published date")
        return value

    @field_validator("tags")
    @classmethod
    def tags_have_words(cls, tags: list[str]) -> list[str]:
        if any(not tag_slug(tag) for tag in tags):
            raise ValueError("each tag needs at least one letter or digit")
        return tags


HINTS = {
    "slug": "should be lowercase words joined by hyphens, e.g. what-to-bring",
    "tags": "should be a list, e.g. [IEP meetings, Records]",
    "cover": "should be {src: /media/my-post/cover.jpg, alt: What the image shows}",
    "cover.src": "should start with /media/ and name a file in site/media/",
    "draft": "should be true or false",
    "kind": "should be post or page",
    "publish_at": "should be a date and time with its zone, e.g. 2026-05-01T09:00:00Z",
}


def explain(path: Path, error: ValidationError) -> list[str]:
    """Pydantic's report as lines of 'file: key: what is expected'."""
    lines = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]) or "front matter"
        if item["type"] == "missing":
            message = "is missing; add it"
        elif item["type"] == "extra_forbidden":
            known = ", ".join(PostMeta.model_fields)
            message = f"is not a known key (check the spelling); known keys: {known}"
        elif item["type"] == "value_error":
            message = str(item["ctx"]["error"])
        else:
            message = HINTS.get(key) or HINTS.get(key.split(".")[0]) or item["msg"]
        lines.append(f"{path}: {key}: {message}")
    return lines
