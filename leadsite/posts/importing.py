"""Markdown files into the store, and the store out to Markdown files.

An import adds a post whose slug is new and updates the one that has it (a new
version with its revision), so importing an export again changes nothing visible.
A file whose front matter is wrong is skipped and reported; the others go in.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from pydantic import ValidationError
from sqlalchemy import select

from ..extensions import db
from ..models.content import ContentSeed, Post
from ..models.types import utcnow
from .editing import add_revision
from .files import POSTS_DIR, file_text, fill_row, read_file
from .meta import PostMeta


def zone():
    return current_app.extensions["site"].settings.site.zone


SAMPLES = "sample-content"  # the content seed's name (`seed`)


def mark_seeded() -> None:
    """Record that this database needs no samples (an owner's import came first)."""
    if db.session.get(ContentSeed, SAMPLES) is None:
        db.session.add(ContentSeed(name=SAMPLES))


def save_imported_post(meta: dict, body: str, actor: str = "import") -> Post:
    """Store one post given as front matter keys (see `PostMeta`) and a Markdown
    body: added, or updated when its slug exists (a revision only when something
    changed, so importing the same post again changes nothing). Flushed, not
    committed. Raises pydantic's ValidationError when the front matter is wrong."""
    checked = PostMeta.model_validate(meta)
    row = db.session.scalar(select(Post).where(Post.slug == checked.slug))
    if row is None:
        row = Post()
        db.session.add(row)
    fill_row(row, checked, body, zone(), utcnow())
    changed = row.id is None or db.session.is_modified(row)
    db.session.flush()
    if changed:
        add_revision(row, actor)
    mark_seeded()
    db.session.flush()
    return row


def import_folder(folder: Path | str, actor: str = "import") -> tuple[list, list]:
    """Store every `.md` file in `folder` (or its `posts/` subfolder when it has
    one); the slugs saved and the problems found. Not committed."""
    folder = Path(folder)
    if (folder / POSTS_DIR).is_dir():
        folder = folder / POSTS_DIR
    site_dir = Path(current_app.config["SITE_DIR"])
    saved, problems = [], []
    for path in sorted(folder.glob("*.md")):
        meta, body, found = read_file(path, site_dir)
        problems += found
        if meta is None:
            continue
        try:
            save_imported_post(meta.model_dump(), body, actor)
        except ValidationError as exc:  # pragma: no cover - checked by read_file
            problems.append(f"{path}: {exc}")
            continue
        saved.append(meta.slug)
    return saved, problems


def export_folder(folder: Path | str) -> list[Path]:
    """Write every stored post and page as `<slug>.md` in `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for row in db.session.scalars(select(Post).order_by(Post.slug)):
        path = folder / f"{row.slug}.md"
        path.write_text(file_text(row, zone()), encoding="utf-8")
        written.append(path)
    return written
