"""`flask check-site` for the stored posts: the pictures each one shows."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError

from ..extensions import db
from ..models.content import Post
from .files import body_problems, media_exists


def check_stored_posts(site_dir: Path) -> list[str]:
    """Missing, outside or undescribed pictures in stored posts and pages (none
    when the database has no tables yet: `flask db upgrade` comes first)."""
    try:
        rows = list(db.session.scalars(select(Post).order_by(Post.slug)))
    except (OperationalError, ProgrammingError):
        db.session.rollback()
        return []
    problems = []
    for row in rows:
        where = f"{row.kind} {row.slug}"
        problems += body_problems(where, row.body, site_dir)
        if row.cover_src and not media_exists(site_dir, row.cover_src):
            problems.append(f"{where}: cover: the file for {row.cover_src} is missing")
        if row.cover_src and not row.cover_alt.strip():
            problems.append(f"{where}: cover: the picture needs a description")
    return problems
