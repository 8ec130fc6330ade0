"""Wix's Blog Posts CSV export turned into `site/posts/<slug>.md` files.

Each post gets YAML front matter and a Markdown body converted from its rich content
(see `ricos`); its pictures are copied to `site/media/<slug>/`. The output depends
only on the CSV and the pictures, so a second run writes the same bytes. A post whose
file exists is left alone unless `overwrite` is set.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from ..posts import tag_slug
from . import images
from .csvfile import Row, parse_datetime, read_rows, split_list
from .ricos import Converter, escape, escape_line_starts
from .slugs import slugify

REQUIRED = {"Title": ("Title",)}
DRAFT_WORDS = {"draft", "unpublished", "scheduled"}
SUMMARY_LENGTH = 200


@dataclass
class ImportOptions:
    site_dir: Path
    skip_images: bool = False
    overwrite: bool = False
    image_base_url: str = images.WIX_MEDIA_URL


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
    undescribed: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.problems or self.failed_images)


class ImagePlacer:
    """Gives each picture of one post its address under `/media/<slug>/`."""

    def __init__(self, slug: str, options: ImportOptions, report: PostReport) -> None:
        self.slug = slug
        self.options = options
        self.report = report
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
        name = images.file_name(media)
        target = self.options.site_dir / "media" / self.slug / name
        shown = f"media/{self.slug}/{name}"
        if target.exists() and not self.options.overwrite:
            self.report.kept_images.append(shown)
        else:
            try:
                images.download(url, target)
            except images.DownloadError as exc:
                self.report.failed_images.append((self.slug, url, str(exc)))
                return None
            self.report.downloaded.append(shown)
        return f"/media/{self.slug}/{name}"


def import_posts(csv_path: Path, options: ImportOptions) -> PostReport:
    """Import every row of the export; problems with one row never stop the others."""
    report = PostReport()
    seen: set[str] = set()
    for row in read_rows(csv_path, REQUIRED):
        import_row(row, options, report, seen)
    return report


def import_row(row: Row, options: ImportOptions, report: PostReport, seen: set) -> None:
    title = row.get("Title")
    page_url = row.get("Post Page URL", "URL").rstrip("/")
    slug = slugify(row.get("Slug") or page_url.rsplit("/", 1)[-1] or title)
    where = f"row {row.number}" + (f" ({slug})" if slug else "")
    if not title or not slug:
        report.problems.append(f"{where}: no title; left out")
        return
    if slug in seen:
        report.problems.append(f"{where}: a second post with this slug; left out")
        return
    seen.add(slug)
    published = parse_datetime(row.get("Published Date", "Publish Date", "Date"))
    if published is None:
        report.problems.append(
            f"{where}: no readable Published Date; left out (drafts have none: "
            "publish the post on Wix first, or write it here by hand)"
        )
        return
    path = options.site_dir / "posts" / f"{slug}.md"
    if path.exists() and not options.overwrite:
        report.skipped.append(slug)
        return

    place = ImagePlacer(slug, options, report)
    cover = place(row.get("Cover Image", "Cover", "Main Image", "Featured Image"))
    body, converter, from_plain = post_body(row, place)
    for kind in sorted(converter.unknown):
        report.unknown.setdefault(kind, []).append(slug)
    report.undescribed += [(slug, address) for address in converter.undescribed]
    if from_plain:
        report.plain_text.append(slug)

    if cover:
        report.covers.append(slug)
    front = front_matter(row, title, slug, published.date(), cover)
    images.write_atomically(path, render_post(front, body).encode("utf-8"))
    report.imported.append(slug)


def front_matter(
    row: Row, title: str, slug: str, published: date, cover: str | None
) -> dict:
    """The keys the blog reads (see `leadsite.posts.PostMeta`), in a fixed order."""
    front: dict = {"title": title, "slug": slug}
    if author := row.get("Author", "Author Name", "Writer"):
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
    front["tags"] = tags_of(row)
    if cover:
        # Wix keeps no description of a cover; the title stands in until the owner
        # writes one (the report asks her to).
        front["cover"] = {"src": cover, "alt": title}
    front["draft"] = row.get("Status", "Post Status").lower() in DRAFT_WORDS
    return front


def post_body(row: Row, place: ImagePlacer) -> tuple[str, Converter, bool]:
    """Markdown from Rich Content, or from Plain Content when there is none usable."""
    converter = Converter(place)
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


def tags_of(row: Row) -> list[str]:
    """Tags then categories, by name; two names with one tag page count once."""
    names = split_list(row.get("Tags")) + split_list(row.get("Categories"))
    by_slug: dict[str, str] = {}
    for name in names:
        if (key := tag_slug(name)) and key not in by_slug:
            by_slug[key] = name
    return list(by_slug.values())


def render_post(front: dict, body: str) -> str:
    matter = yaml.safe_dump(
        front,
        sort_keys=False,
        allow_unicode=True,
        width=10_000,
        default_flow_style=False,
    )
    return f"---\n{matter}---\n\n{body}"
