"""The sample posts in `site/posts/` and the starting pages in `site/pages/` (About,
Privacy, Accessibility, which she then edits) go into a new, empty database once.

The first request each worker serves checks for the `content_seeds` row. The worker
that inserts it (its primary key lets only one succeed, even with several gunicorn
workers starting together) imports the folder in the same transaction; the others
find the row, or lose the insert, and move on. A database that already holds posts
(imported by command, say) gets the row and no samples; a deleted sample never
comes back.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from ..extensions import db
from ..models.content import ContentSeed, Post
from .importing import SAMPLES, import_folder

log = logging.getLogger(__name__)

PAGES_DIR = "pages"


def seed_once() -> bool:
    """Import the sample posts unless this database has had them; True if it did."""
    if db.session.get(ContentSeed, SAMPLES) is not None:
        db.session.rollback()
        return False
    try:
        db.session.add(ContentSeed(name=SAMPLES))
        db.session.flush()
    except IntegrityError:
        db.session.rollback()  # another worker is adding them
        return False
    added = False
    if db.session.scalar(select(Post.id).limit(1)) is None:
        site_dir = Path(current_app.config["SITE_DIR"])
        saved, problems = import_folder(site_dir, actor="sample content")
        if (site_dir / PAGES_DIR).is_dir():
            pages, more = import_folder(site_dir / PAGES_DIR, actor="starting pages")
            saved, problems = saved + pages, problems + more
        for problem in problems:
            log.warning("%s", problem)
        added = bool(saved)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return added


def seed_before_first_request(app: Flask) -> None:
    """Run `seed_once` at each worker's first request (until it succeeds)."""
    state = {"done": False}

    @app.before_request
    def seed_samples():
        if state["done"]:
            return
        try:
            seed_once()
            state["done"] = True
        except (OperationalError, ProgrammingError):  # no tables yet
            db.session.rollback()
            log.warning("posts: the database has no tables yet; run flask db upgrade")
