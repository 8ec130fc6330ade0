"""Wix's Blog Posts CSV export read into a neutral list of `ImportedPost`s.

Each has its front matter (the keys of `leadsite.posts.PostMeta`), a Markdown body
converted from its rich content (see `ricos`), the Wix address that should lead to
it, and notes on what was not converted exactly. One writer (`store.DatabaseStore`)
keeps each picture as it is fetched and saves each post; it is the only part that
knows where posts and pictures live. The output depends only on the exports and the
pictures, so a second run stores the same things; a post already there is left
alone unless `overwrite`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol

from ..media import PictureError
from . import images
from .csvfile import Row, parse_datetime, read_rows
from .ricos import Converter, escape, escape_line_starts
from .slugs import slugify
from .taxonomy import Labels, author_of, old_topics, tags_of

REQUIRED = {"Title": ("Title",)}
DRAFT_WORDS = {"draft", "unpublished", "scheduled"}
SUMMARY_LENGTH = 200


@dataclass
class ImportOptions:
    skip_images: bool = False
    overwrite: bool = False
    image_base_url: str = images.WIX_MEDIA_URL
    categories: Path | None = None  # Wix's Categories export
    tags: Path | None = None  # an export of tags, same columns
    author: str | None = None  # the byline for posts written by a member id


@dataclass
class ImportedPost:
    """One post as read from the export, ready for a writer."""

    slug: str
    front: dict
    body: str
    old_slug: str | None = None  # its Wix address, /post/<old_slug>, when not ours
    notes: list[str] = field(default_factory=list)


class Writer(Protocol):
    """Where imported posts and pictures go (see `store.DatabaseStore`)."""

    def has(self, slug: str) -> bool: ...

    def keep_picture(self, slug: str, name: str, data: bytes) -> str:
        """The picture's address on the site; PictureError if it is refused."""


@dataclass
class PostReport:
    """What an import did, for the owner to read."""

    imported: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    downloaded: list[str] = field(default_factory=list)
    kept_images: list[str] = field(default_factory=list)
    left_out: list[tuple[str, str]] = field(default_factory=list)
    failed_images: list[tuple[str, str, str]] = field(default_factory=list)
    unknown: dict[str, list[str]] = field(default_factory=dict)
    plain_text: list[str] = field(default_factory=list)
    covers: list[str] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)  # slug -> notes
    redirects: dict[str, str] = field(default_factory=dict)
    undescribed: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.problems or self.failed_images)


class ImagePlacer:
    """Fetches each picture of one post once and gives it to the writer, which
    gives back its address on the site."""

    def __init__(
        self, slug: str, options: ImportOptions, report: PostReport, writer: Writer
    ) -> None:
        self.slug = slug
        self.options = options
        self.report = report
        self.writer = writer
        self.done: dict[str, str | None] = {}

    def __call__(self, ref: str) -> str | None:
        if not ref:
            return None
        media = images.media_id(ref)
        if media is None:
            self.report.failed_images.append(
                (self.slug, ref, "not a Wix picture; copy it into the site by hand")
            )
            return None
        if media not in self.done:
            self.done[media] = self.place(media)
        return self.done[media]

    def place(self, media: str) -> str | None:
        url = images.source_url(self.options.image_base_url, media)
        if self.options.skip_images:
            self.report.left_out.append((self.slug, url))
            return None
        try:
            data = images.fetch(url)
            return self.writer.keep_picture(self.slug, images.file_name(media), data)
        except (images.DownloadError, PictureError) as exc:
            self.report.failed_images.append((self.slug, url, str(exc)))
            return None


@dataclass
class Reading:
    """What every row of one import shares."""

    options: ImportOptions
    report: PostReport
    writer: Writer  # has(slug): a post already there (left alone)
    categories: Labels
    tags: Labels
    topics: dict[str, str] = field(default_factory=dict)  # old path -> tag slug
    seen: set[str] = field(default_factory=set)

    @classmethod
    def start(cls, options: ImportOptions, report: PostReport, writer: Writer):
        """Read the Categories and Tags exports; their old addresses go in the
        report."""
        reading = cls(
            options,
            report,
            writer,
            Labels.read(options.categories),
            Labels.read(options.tags),
        )
        reading.topics = {
            **old_topics("categories", reading.categories),
            **old_topics("tags", reading.tags),
        }
        report.redirects.update(
            {old: f"/blog/tag/{slug}" for old, slug in reading.topics.items()}
        )
        return reading


def read_posts(csv_path: Path, reading: Reading) -> Iterator[ImportedPost]:
    """Each row of the export as an ImportedPost, its pictures already given to
    the writer; a row's problems never stop the others. Posts the writer has
    already are only listed as skipped (unless `overwrite`)."""
    for row in read_rows(csv_path, REQUIRED):
        if post := read_row(row, reading):
            yield post


def read_row(row: Row, reading: Reading) -> ImportedPost | None:
    options, report, seen = reading.options, reading.report, reading.seen
    title = row.get("Title")
    page_url = row.get("Post Page URL", "URL").rstrip("/")
    slug = slugify(row.get("Slug") or page_url.rsplit("/", 1)[-1] or title)
    where = f"row {row.number}" + (f" ({slug})" if slug else "")
    if not title or not slug:
        report.problems.append(f"{where}: no title; left out")
        return None
    if slug in seen:
        report.problems.append(f"{where}: a second post with this slug; left out")
        return None
    seen.add(slug)
    published = parse_datetime(row.get("Published Date", "Publish Date", "Date"))
    if published is None:
        report.problems.append(
            f"{where}: no readable Published Date; left out (drafts have none: "
            "publish the post on Wix first, or write it here by hand)"
        )
        return None
    if reading.writer.has(slug) and not options.overwrite:
        report.skipped.append(slug)
        return None

    place = ImagePlacer(slug, options, report, reading.writer)
    cover_ref = row.get("Cover Image", "Cover", "Main Image", "Featured Image")
    shown = row.get("Cover Image Displayed", "Cover Displayed").lower()
    notes = []
    if cover_ref and shown in ("false", "no", "0"):
        notes.append(
            "cover: Wix did not show the cover on the post's page, so it is left out"
        )
        cover_ref = ""
    cover = place(cover_ref)
    body, converter, from_plain = post_body(row, place, images.media_id(cover_ref))
    notes += converter.notes
    for kind in sorted(converter.unknown):
        report.unknown.setdefault(kind, []).append(slug)
        notes.append(f"{kind}: not converted; its words were kept as paragraphs")
    report.undescribed += [(slug, address) for address in converter.undescribed]
    if from_plain:
        report.plain_text.append(slug)

    if cover and not converter.cover_alt:
        report.covers.append(slug)
    tags, missing = tags_of(row, reading.categories, reading.tags)
    if missing:
        notes.append(
            "tags: these Wix ids are in no Categories or Tags export given, so they "
            f"were left out: {', '.join(missing)}"
        )
    byline = author_of(row, options.author)
    front = front_matter(row, title, slug, published.date(), cover, byline)
    front["tags"] = tags
    if cover and converter.cover_alt:
        front["cover"]["alt"] = converter.cover_alt
    if notes:
        report.notes[slug] = notes
    old = row.get("Post Page URL", "URL").rstrip("/").rsplit("/", 1)[-1]
    # `/post/<old>` finds the post by `slugify(old)` without help (see redirects).
    old_slug = old if old and slugify(old) != slug else None
    return ImportedPost(slug, front, body, old_slug, notes)


def front_matter(
    row: Row,
    title: str,
    slug: str,
    published: date,
    cover: str | None,
    author: str | None,
) -> dict:
    """The keys the blog reads (see `leadsite.posts.PostMeta`), in a fixed order."""
    front: dict = {"title": title, "slug": slug}
    if author:
        front["author"] = author
    front["published"] = published
    updated = parse_datetime(row.get("Last Published Date", "Updated Date"))
    if updated and updated.date() > published:
        front["updated"] = updated.date()
    front["summary"] = (
        row.get("Excerpt", "Summary", "Description")
        or summarise(row.get("Plain Content"))
        or title
    )
    front["tags"] = []
    if cover:
        # Wix keeps no description of a cover; the title stands in until the owner
        # writes one (the report asks her to).
        front["cover"] = {"src": cover, "alt": title}
    front["draft"] = row.get("Status", "Post Status").lower() in DRAFT_WORDS
    return front


def post_body(
    row: Row, place: ImagePlacer, cover: str | None
) -> tuple[str, Converter, bool]:
    """Markdown from Rich Content, or from Plain Content when there is none usable."""
    converter = Converter(place, cover)
    try:
        document = json.loads(row.get("Rich Content", "Content") or "null")
    except ValueError:
        document = None
    nodes = document.get("nodes") if isinstance(document, dict) else None
    if isinstance(nodes, list):
        try:
            markdown = converter.convert(document)
        except (AttributeError, KeyError, TypeError, ValueError):
            markdown = ""  # not the shape Ricos documents have: use the plain text
        if markdown:
            return markdown, converter, False
    return plain_markdown(row.get("Plain Content")), converter, True


def plain_markdown(text: str) -> str:
    paragraphs = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return "".join(escape_line_starts(escape(p)) + "\n\n" for p in paragraphs)[:-1]


def summarise(text: str) -> str:
    """The opening words of the post, cut at a word, when Wix has no excerpt."""
    words = " ".join((text or "").split())
    if len(words) <= SUMMARY_LENGTH:
        return words
    return words[:SUMMARY_LENGTH].rsplit(" ", 1)[0].rstrip(",;:.") + "…"
