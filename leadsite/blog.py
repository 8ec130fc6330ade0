"""Public pages: the home page, the blog and its tag pages, and the owner's images."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from sqlalchemy.exc import OperationalError
from werkzeug.security import safe_join

from .assets import file_version
from .extensions import db
from .media.views import never_a_page
from .media.views import picture as stored_picture
from .posts import MEDIA_DIR, library
from .seo import post_page

bp = Blueprint("blog", __name__)
log = logging.getLogger(__name__)

LATEST_ON_HOME = 3
# Browsers keep an image for 30 days, and a year when the address carries the
# file's current version (`?v=`, as pages write it: see `posts.versioned_image`).
MEDIA_MAX_AGE = 30 * 24 * 60 * 60
VERSIONED_MAX_AGE = 365 * 24 * 60 * 60


@bp.app_template_filter("long_date")
def long_date(day: date) -> str:
    """A date as people write it: May 1, 2026."""
    return f"{day:%B} {day.day}, {day.year}"


def latest_posts() -> list:
    """The newest posts for the home page; none while the database is away, so the
    page and its sign-up form still show (the sign-up then explains the trouble)."""
    try:
        return library().published()[:LATEST_ON_HOME]
    except OperationalError:
        db.session.rollback()
        log.warning("home page: the database is away; showing no posts")
        return []


@bp.get("/")
def home():
    """Who the owner is, the latest posts and the two free offers."""
    return render_template("public/home.html", posts=latest_posts())


@bp.get("/blog/")
def index():
    """Every published post, newest first."""
    return render_template("public/blog_index.html", posts=library().published())


def moved_or_404(slug: str):
    """A 301 to the post or page that had this address before, else a 404."""
    moved = library().moved_to(slug)
    if moved is None:
        abort(404)
    kind, current = moved
    endpoint = "blog.page" if kind == "page" else "blog.post"
    return redirect(url_for(endpoint, slug=current), code=301)


@bp.get("/blog/<slug>")
def post(slug: str):
    """One post; drafts, scheduled posts and unknown slugs are a 404, and an
    address the post had before leads to it (301)."""
    found = library().get(slug)
    if found is None:
        return moved_or_404(slug)
    return render_template("public/blog_post.html", post=found, **post_page(found))


@bp.get("/<slug>")
def page(slug: str):
    """A page (About, Privacy ...) at its own address; every other route of the
    site comes first, and the editor refuses a page address a route uses."""
    found = library().page(slug)
    if found is None:
        return moved_or_404(slug)
    return render_template("public/page.html", post=found)


@bp.get("/blog/tag/<tag>")
def tag(tag: str):
    """The published posts with one tag; a tag only drafts use is a 404."""
    tagged = library().tagged(tag)
    if not tagged:
        abort(404)
    name = next(t.name for t in tagged[0].tags if t.slug == tag)
    return render_template("public/blog_tag.html", posts=tagged, tag_name=name)


# Pictures uploaded in the admin, kept in the database (see `leadsite.media`).
bp.add_url_rule("/media/p/<name>", "picture", stored_picture)


@bp.get("/media/<path:filename>")
def media(filename: str):
    """An image from `site/media/`, cached long (a year for its current version)
    and never run as a page."""
    folder = Path(current_app.config["SITE_DIR"]) / MEDIA_DIR
    response = send_from_directory(folder, filename, max_age=MEDIA_MAX_AGE)
    version = request.args.get("v")
    if version and version == file_version(Path(safe_join(folder, filename))):
        response.cache_control.max_age = VERSIONED_MAX_AGE
        response.cache_control.immutable = True
    return never_a_page(response)
