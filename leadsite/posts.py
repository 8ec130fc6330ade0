"""Blog posts: Markdown files with YAML front matter in `site/posts/`.

Front matter keys (checked by `PostMeta`): title, slug (defaults to the file name),
author (defaults to the owner), published and updated (dates such as 2026-05-01),
summary, tags (a list), cover ({src, alt}), draft (true hides the post everywhere).

Images, covers and those inside a post alike, live in `site/media/` (the owner's
content folder) and are written as `/media/<path>`, e.g. `/media/my-post/cover.jpg`
for `site/media/my-post/cover.jpg`; the `blog.media` route serves them. An image
from another site is dropped, because no page may load anything from another site.
Pages write each such image with its width and height and its file's version
(`sized_images`), so the page does not jump as it loads and browsers keep the image.

Each post is rendered once and kept in memory; a request only checks each file's
modification time and size, and re-reads a file when either has changed.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from dataclasses import dataclass
from datetime import date, datetime
from html import unescape
from pathlib import Path
from typing import Annotated, NamedTuple

import frontmatter
import nh3
import yaml
from flask import Flask, current_app
from markdown_it import MarkdownIt
from markupsafe import escape
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from .assets import file_version, image_size
from .content import Slug, Text

log = logging.getLogger(__name__)

POSTS_DIR = "posts"
MEDIA_DIR = "media"
WORDS_PER_MINUTE = 200


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


class PostMeta(BaseModel):
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


def demote_h1(state) -> None:
    """The page's title is its only h1, so `# Heading` in a post becomes an h2."""
    for token in state.tokens:
        if token.tag == "h1":
            token.tag = "h2"


MARKDOWN = MarkdownIt("commonmark", {"html": True, "typographer": True})
MARKDOWN.enable(["table", "strikethrough", "replacements", "smartquotes"])
MARKDOWN.core.ruler.push("demote_h1", demote_h1)


def local_images_only(tag: str, attribute: str, value: str) -> str | None:
    """Drop image addresses on other sites: pages load nothing from elsewhere."""
    if tag == "img" and attribute == "src" and not re.match(r"/(?!/)", value):
        return None
    return value


def sanitise(html: str) -> str:
    """Keep ordinary formatting; drop scripts, event handlers, javascript: URLs and
    images from other sites (an image left without its address is removed)."""
    clean = nh3.clean(
        html,
        tags=nh3.ALLOWED_TAGS - {"h1", "center", "acronym", "strike", "tt", "map"},
        clean_content_tags={"script", "style"},
        attributes={
            **nh3.ALLOWED_ATTRIBUTES,
            "a": {"href", "hreflang", "title"},
            "img": {"src", "alt", "title", "width", "height"},
        },
        attribute_filter=local_images_only,
        set_tag_attribute_values={"img": {"loading": "lazy", "decoding": "async"}},
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel=None,
    )
    return re.sub(r"<img(?![^>]*\ssrc=)[^>]*>", "", clean)


def reading_minutes(html: str) -> int:
    words = len(re.findall(r"\w+", nh3.clean(html, tags=set())))
    return max(1, round(words / WORDS_PER_MINUTE))


@dataclass(frozen=True)
class Post:
    """One rendered post, ready for the templates."""

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
    source: Path
    cover_url: str | None = None  # the cover's address with its version
    cover_size: tuple[int, int] | None = None


def media_file(site_dir: Path, src: str) -> Path:
    """The file behind an image address: /media/a/b.jpg is site/media/a/b.jpg."""
    return site_dir / MEDIA_DIR / src.removeprefix("/media/")


def versioned_image(site_dir: Path, src: str) -> tuple[str, tuple[int, int] | None]:
    """An image's address with `?v=<hash of the file>` (so browsers may keep it a
    year, see `blog.media`) and its width and height; as given if it is missing."""
    path = media_file(site_dir, src)
    if not src.startswith("/media/") or not path.is_file():
        return src, None
    return f"{src}?v={file_version(path)}", image_size(path)


IMG_TAG = re.compile(r"<img\b[^>]*>")
SRC_ATTRIBUTE = re.compile(r'\ssrc="([^"]*)"')


def sized_images(html: str, site_dir: Path) -> str:
    """Give each image of `site/media/` in a post its version and, unless the post
    set them, its width and height: the page then keeps the image's space while it
    loads, and nothing below it jumps."""

    def fill(match: re.Match) -> str:
        tag = match.group(0)
        found = SRC_ATTRIBUTE.search(tag)
        if not found:
            return tag
        src, size = versioned_image(site_dir, unescape(found.group(1)))
        tag = tag.replace(found.group(0), f' src="{escape(src)}"', 1)
        if size and " width=" not in tag and " height=" not in tag:
            tag = tag[:-1] + f' width="{size[0]}" height="{size[1]}">'
        return tag

    return IMG_TAG.sub(fill, html)


def body_problems(path: Path, body: str, site_dir: Path) -> list[str]:
    """Images in the Markdown that are missing, on another site or undescribed."""
    problems = []
    for block in MARKDOWN.parse(body):
        for token in block.children or []:
            if token.type != "image":
                continue
            src = str(token.attrs.get("src", ""))
            if not src.startswith("/media/"):
                problems.append(
                    f"{path}: body: the image {src} should be saved in site/media/ "
                    "and written as /media/<file>; images from other sites are dropped"
                )
            elif not media_file(site_dir, src).is_file():
                problems.append(f"{path}: body: the image file for {src} is missing")
            if not token.content.strip():
                problems.append(
                    f"{path}: body: the image {src} needs a description between the "
                    "brackets, e.g. ![A parent reading a binder of school records]"
                )
    return problems


def read_post(path: Path, site_dir: Path) -> tuple[Post | None, list[str]]:
    """Read, check and render one file. No post if its front matter is wrong."""
    try:
        source = frontmatter.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return None, [f"{path}: the file should be saved as UTF-8 text"]
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" near line {where.line + 2}" if where else ""
        return None, [
            f"{path}: front matter: is not valid YAML{line}; a value containing a "
            "colon should be in quotes"
        ]
    if not source.metadata:
        return None, [
            f"{path}: front matter: is missing; start the file with title, slug, "
            "published and summary between two lines of ---"
        ]
    try:
        meta = PostMeta.model_validate({"slug": path.stem, **source.metadata})
    except ValidationError as exc:
        lines = explain(path, exc)
        if "slug" not in source.metadata:
            named = f"{path}: slug (none given, so the file name is used): "
            lines = [line.replace(f"{path}: slug: ", named) for line in lines]
        return None, lines

    problems = body_problems(path, source.content, site_dir)
    if meta.cover and not media_file(site_dir, meta.cover.src).is_file():
        problems.append(f"{path}: cover.src: the file for {meta.cover.src} is missing")
    html = sized_images(sanitise(MARKDOWN.render(source.content)), site_dir)
    fields = {name: getattr(meta, name) for name in PostMeta.model_fields}
    fields["tags"] = tuple(Tag(name, tag_slug(name)) for name in meta.tags)
    if meta.cover:
        fields["cover_url"], fields["cover_size"] = versioned_image(
            site_dir, meta.cover.src
        )
    post = Post(**fields, html=html, reading_minutes=reading_minutes(html), source=path)
    return post, problems


def check_posts(site_dir: Path) -> list[str]:
    """Every problem in `site/posts/`, for `flask check-site`; empty if all is well."""
    problems, files_by_slug = [], {}
    folder = site_dir / POSTS_DIR
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if path.suffix != ".md":
            if not path.name.startswith("."):
                problems.append(f"{path}: is not a .md file, so it is not published")
            continue
        post, found = read_post(path, site_dir)
        problems += found
        if post and post.slug in files_by_slug:
            problems.append(
                f"{path}: slug: {post.slug} is already used by "
                f"{files_by_slug[post.slug].name}; each post needs its own slug"
            )
        elif post:
            files_by_slug[post.slug] = path
    return problems


class PostLibrary:
    """Every post in `site/posts/`, rendered once and re-read when its file changes."""

    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self._folder = site_dir / POSTS_DIR
        self._entries: dict[str, tuple[tuple[int, int], Post | None]] = {}
        self._version = 0
        self._lock = threading.Lock()

    def _refresh(self) -> None:
        """Stat each file; re-read only new or changed ones; forget deleted ones.
        (`os.scandir`, not `Path.glob`: the page cache runs this on every request.)"""
        folder = self._folder
        try:
            with os.scandir(folder) as found:
                names = sorted(e.name for e in found if e.name.endswith(".md"))
        except FileNotFoundError:
            names = []
        entries, changed = {}, False
        for name in names:
            try:
                stat = os.stat(os.path.join(folder, name))
            except FileNotFoundError:
                continue
            stamp = (stat.st_mtime_ns, stat.st_size)
            old_stamp, old_post = self._entries.get(name, (None, None))
            if stamp == old_stamp:
                entries[name] = (stamp, old_post)
                continue
            changed = True
            post, problems = read_post(folder / name, self.site_dir)
            for problem in problems:
                log.warning("%s", problem)
            # A broken edit keeps the last good version online until it is fixed.
            entries[name] = (stamp, post or old_post)
        if changed or entries.keys() != self._entries.keys():
            self._version += 1
        self._entries = entries

    def version(self) -> int:
        """A number that changes whenever a post file is added, edited or removed:
        the page cache keeps its pages while it stays the same."""
        with self._lock:
            self._refresh()
            return self._version

    def all_posts(self) -> list[Post]:
        """Every post, drafts included, newest first."""
        with self._lock:
            self._refresh()
            posts = [post for _, post in self._entries.values() if post]
        return sorted(posts, key=lambda p: (p.published, p.title), reverse=True)

    def published(self) -> list[Post]:
        """The posts visitors may see: every one that is not a draft."""
        return [post for post in self.all_posts() if not post.draft]

    def get(self, slug: str) -> Post | None:
        return next((p for p in self.published() if p.slug == slug), None)

    def tagged(self, slug: str) -> list[Post]:
        return [p for p in self.published() if any(t.slug == slug for t in p.tags)]


def init_app(app: Flask) -> None:
    app.extensions["posts"] = PostLibrary(Path(app.config["SITE_DIR"]))


def library() -> PostLibrary:
    """The current app's posts."""
    return current_app.extensions["posts"]
