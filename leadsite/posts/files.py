"""Markdown files with front matter: the import and export format of the store.

`read_file` checks one file and gives its front matter and body; `check_posts`
checks a whole folder (for `flask check-site`); `write_file` writes a stored post
back out in the same format, so an export imports again to the same posts.
"""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from zoneinfo import ZoneInfo

import frontmatter
import yaml
from pydantic import ValidationError

from ..media import picture_size
from ..models.content import Post as PostRow
from ..models.content import PostKind, PostStatus
from ..models.types import utcnow
from ..postnotes import PostNotes
from .meta import PostMeta, explain
from .render import MARKDOWN, media_file
from .view import Post, build, local_day, start_of_day

POSTS_DIR = "posts"
DEFAULT_ZONE = ZoneInfo("America/New_York")


def media_exists(site_dir: Path, src: str) -> bool:
    """A picture stored in the database (`/media/p/...`) or a file in site/media/."""
    return picture_size(src) is not None or media_file(site_dir, src).is_file()


def body_problems(where: object, body: str, site_dir: Path) -> list[str]:
    """Images in the Markdown that are missing, on another site or undescribed."""
    problems = []
    for block in MARKDOWN.parse(body):
        for token in block.children or []:
            if token.type != "image":
                continue
            src = str(token.attrs.get("src", ""))
            if not src.startswith("/media/"):
                problems.append(
                    f"{where}: body: the image {src} should be saved in site/media/ "
                    "and written as /media/<file>; images from other sites are dropped"
                )
            elif not media_exists(site_dir, src):
                problems.append(f"{where}: body: the image file for {src} is missing")
            if not token.content.strip():
                problems.append(
                    f"{where}: body: the image {src} needs a description between the "
                    "brackets, e.g. ![A parent reading a binder of school records]"
                )
    return problems


def read_file(path: Path, site_dir: Path) -> tuple[PostMeta | None, str, list[str]]:
    """Check one file: its front matter (None if wrong), body, and every problem."""
    try:
        source = frontmatter.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return None, "", [f"{path}: the file should be saved as UTF-8 text"]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" near line {mark.line + 2}" if mark else ""
        return (
            None,
            "",
            [
                f"{path}: front matter: is not valid YAML{line}; a value containing "
                "a colon should be in quotes"
            ],
        )
    if not source.metadata:
        return (
            None,
            "",
            [
                f"{path}: front matter: is missing; start the file with title, slug, "
                "published and summary between two lines of ---"
            ],
        )
    try:
        meta = PostMeta.model_validate({"slug": path.stem, **source.metadata})
    except ValidationError as exc:
        lines = explain(path, exc)
        if "slug" not in source.metadata:
            named = f"{path}: slug (none given, so the file name is used): "
            lines = [line.replace(f"{path}: slug: ", named) for line in lines]
        return None, "", lines
    problems = body_problems(path, source.content, site_dir)
    if meta.cover and not media_exists(site_dir, meta.cover.src):
        problems.append(f"{path}: cover.src: the file for {meta.cover.src} is missing")
    return meta, source.content, problems


def fill_row(row: PostRow, meta: PostMeta, body: str, zone: ZoneInfo, now) -> None:
    """Copy checked front matter and a body onto a (new or stored) row."""
    row.kind = meta.kind
    row.title, row.slug, row.summary = meta.title, meta.slug, meta.summary
    row.author = meta.author or ""
    row.tags = list(meta.tags)
    row.cover_src = meta.cover.src if meta.cover else ""
    row.cover_alt = meta.cover.alt if meta.cover else ""
    row.body = body.strip()
    row.updated_on = meta.updated
    row.notes = PostNotes.model_validate(
        meta.model_dump(include=set(PostNotes.model_fields))
    ).model_dump(mode="json", exclude_defaults=True)
    row.publish_at = (meta.publish_at or start_of_day(meta.published, zone)).astimezone(
        UTC
    )
    if meta.draft:
        row.status = PostStatus.DRAFT
    else:
        live = row.publish_at <= now
        row.status = PostStatus.PUBLISHED if live else PostStatus.SCHEDULED


def read_post(
    path: Path, site_dir: Path, zone: ZoneInfo = DEFAULT_ZONE
) -> tuple[Post | None, list[str]]:
    """Read, check and render one file, without storing it."""
    meta, body, problems = read_file(path, site_dir)
    if meta is None:
        return None, problems
    row = PostRow(tags=[])
    fill_row(row, meta, body, zone, utcnow())
    return build(row, site_dir, zone, source=path), problems


def check_posts(site_dir: Path) -> list[str]:
    """Every problem in the `site/posts/` folder; empty if all is well."""
    problems, files_by_slug = [], {}
    folder = site_dir / POSTS_DIR
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if path.suffix != ".md":
            if not path.name.startswith("."):
                problems.append(f"{path}: is not a .md file, so it is not published")
            continue
        meta, _, found = read_file(path, site_dir)
        problems += found
        if meta and meta.slug in files_by_slug:
            problems.append(
                f"{path}: slug: {meta.slug} is already used by "
                f"{files_by_slug[meta.slug].name}; each post needs its own slug"
            )
        elif meta:
            files_by_slug[meta.slug] = path
    return problems


def front_matter(row: PostRow, zone: ZoneInfo) -> dict:
    """The front matter keys of a stored post, in a fixed order."""
    front: dict = {"title": row.title, "slug": row.slug}
    if row.kind == PostKind.PAGE:
        front["kind"] = PostKind.PAGE.value
    if row.author:
        front["author"] = row.author
    day = local_day(row.publish_at or row.created_at, zone)
    front["published"] = day
    if row.publish_at and row.publish_at != start_of_day(day, zone):
        front["publish_at"] = row.publish_at.astimezone(UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
    if row.updated_on:
        front["updated"] = row.updated_on
    front["summary"] = row.summary or row.title
    front["tags"] = list(row.tags or [])
    if row.cover_src:
        front["cover"] = {"src": row.cover_src, "alt": row.cover_alt}
    front["draft"] = row.status == PostStatus.DRAFT
    for key, value in (row.notes or {}).items():  # sample, reviewed, law, cta
        front[key] = value
    return front


def file_text(row: PostRow, zone: ZoneInfo) -> str:
    """A stored post as one Markdown file with front matter."""
    front = yaml.safe_dump(
        front_matter(row, zone), sort_keys=False, allow_unicode=True, width=1000
    )
    return f"---\n{front}---\n\n{row.body.strip()}\n"
