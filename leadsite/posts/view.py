"""A post as the templates see it: the stored row's fields, its dates in the owner's
time zone, and its body rendered to safe HTML."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from ..models.content import Post as PostRow
from ..models.content import PostKind, PostStatus
from ..postnotes import PostNotes
from .meta import Cover, Tag, tag_slug
from .render import MARKDOWN, reading_minutes, sanitise, sized_images, versioned_image


@dataclass(frozen=True)
class Post:
    """One rendered post or page, ready for the templates."""

    title: str
    slug: str
    author: str | None
    published: date
    updated: date | None
    summary: str
    tags: tuple[Tag, ...]
    cover: Cover | None
    draft: bool
    html: str
    reading_minutes: int
    source: Path | None = None  # the file it was read from, if any
    cover_url: str | None = None  # the cover's address with its version
    cover_size: tuple[int, int] | None = None
    id: int | None = None
    kind: str = PostKind.POST
    version: int = 0
    sample: bool = False  # the keys of `postnotes.PostNotes`
    reviewed: date | None = None
    law: str | None = None
    cta: str | None = None
    # What pages work out from this version alone, kept with it (`seo.post_page`).
    kept: dict = field(default_factory=dict, compare=False, repr=False)


def render_body(body: str, site_dir: Path) -> str:
    """Markdown to the sanitised HTML of a page, images sized and versioned."""
    return sized_images(sanitise(MARKDOWN.render(body)), site_dir)


def local_day(moment: datetime | None, zone: ZoneInfo) -> date:
    """The day in her time zone of a stored UTC moment (today when there is none)."""
    return (moment or datetime.now(zone)).astimezone(zone).date()


def start_of_day(day: date, zone: ZoneInfo) -> datetime:
    """Midnight of `day` in her time zone, the moment a dated import goes live."""
    return datetime.combine(day, time(), tzinfo=zone)


def build(
    row: PostRow, site_dir: Path, zone: ZoneInfo, source: Path | None = None
) -> Post:
    """The template view of a stored row (see `PostLibrary` for the cache)."""
    html = render_body(row.body, site_dir)
    cover = (
        Cover.model_construct(src=row.cover_src, alt=row.cover_alt)
        if row.cover_src
        else None
    )
    cover_url, cover_size = (
        versioned_image(site_dir, row.cover_src) if cover else (None, None)
    )
    return Post(
        title=row.title,
        slug=row.slug,
        author=row.author or None,
        published=local_day(row.publish_at, zone),
        updated=row.updated_on,
        summary=row.summary,
        tags=tuple(Tag(name, tag_slug(name)) for name in row.tags or []),
        cover=cover,
        draft=row.status == PostStatus.DRAFT,
        html=html,
        reading_minutes=reading_minutes(html),
        source=source,
        cover_url=cover_url,
        cover_size=cover_size,
        id=row.id,
        kind=row.kind,
        version=row.version or 0,
        **PostNotes.model_validate(row.notes or {}).model_dump(),
    )
