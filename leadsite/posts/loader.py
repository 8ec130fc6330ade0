"""Reading the posts folder: each post rendered once, re-read when its file changes."""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import frontmatter
import yaml
from flask import Flask, current_app
from pydantic import (
    ValidationError,
)

from ..postnotes import hide_samples
from .meta import Cover, PostMeta, Tag, explain, tag_slug
from .render import (
    MARKDOWN,
    media_file,
    reading_minutes,
    sanitise,
    sized_images,
    versioned_image,
)

log = logging.getLogger(__name__)

POSTS_DIR = "posts"


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
    sample: bool = False  # the keys of `postnotes.PostNotes`
    reviewed: date | None = None
    law: str | None = None
    cta: str | None = None


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
        """The posts visitors may see: every one that is not a draft (nor, in
        production, a sample)."""
        samples = hide_samples()
        posts = self.all_posts()
        return [p for p in posts if not p.draft and not (samples and p.sample)]

    def get(self, slug: str) -> Post | None:
        return next((p for p in self.published() if p.slug == slug), None)

    def tagged(self, slug: str) -> list[Post]:
        return [p for p in self.published() if any(t.slug == slug for t in p.tags)]


def init_app(app: Flask) -> None:
    app.extensions["posts"] = PostLibrary(Path(app.config["SITE_DIR"]))


def library() -> PostLibrary:
    """The current app's posts."""
    return current_app.extensions["posts"]
