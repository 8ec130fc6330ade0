"""Old Wix addresses, redirected for good (301) to the same content here.

Links to the Wix site live on in search results, bookmarks and other people's pages.
Targets are paths on this site (never built from the Host header) and keep the query
string, so campaign tags such as `utm_source` still arrive.

Where the import recorded an old address in the database (a post whose slug
changed: `SlugRedirect`; a category whose Wix slug is not its label's:
`TopicRedirect`), that record wins; see `wix.store`. A topic address leads to its
tag page only when the page is live, else to the blog.

`/blog` keeps strict slashes: the blog owns `/blog/`, and this rule only catches the
address without the slash (Werkzeug's own slash redirect would be a 308).
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, url_for

from .database import short_read
from .extensions import db
from .models import TopicRedirect
from .posts import library, tag_slug
from .wix.slugs import slugify

bp = Blueprint("redirects", __name__)


def recorded_topic(path: str) -> str | None:
    """The topic (tag slug) the import said this old address now is, if it said."""
    with short_read():
        found = db.session.get(TopicRedirect, path)
        return found.tag_slug if found else None


def moved(path: str):
    """A permanent redirect to `path`, with the visitor's query string kept."""
    query = request.query_string.decode("latin-1")
    return redirect(f"{path}?{query}" if query else path, code=301)


@bp.get("/post/<slug>")
@bp.get("/single-post/<slug>")
@bp.get("/single-post/<int:year>/<int:month>/<int:day>/<slug>")
def post(slug: str, **_date):
    """A Wix post address: the post the import recorded it for, else the post
    whose slug is this one made ours."""
    if found := library().moved_to(slug):
        kind, current = found
        endpoint = "blog.page" if kind == "page" else "blog.post"
        return moved(url_for(endpoint, slug=current))
    ours = slugify(slug)
    if not ours:
        abort(404)
    return moved(f"/blog/{ours}")


@bp.get("/blog-feed.xml")
def feed():
    """Wix's RSS feed: feed readers follow the move to our Atom feed."""
    return moved("/feed.xml")


@bp.get("/blog", strict_slashes=True)
@bp.get("/blog/page/<int:number>")
def blog_index(number: int | None = None):
    """The blog's front page, and Wix's numbered pages of it (ours is one page)."""
    return moved("/blog/")


@bp.get("/blog/categories/<name>")
@bp.get("/blog/tags/<name>")
@bp.get("/blog/hashtags/<name>")
def tag(name: str):
    """Wix's category and tag pages: the importer made every category a tag."""
    kind = request.path.split("/")[2]
    topic = recorded_topic(f"/blog/{kind}/{name}") or tag_slug(name)
    live = topic and library().tagged(topic)
    return moved(f"/blog/tag/{topic}" if live else "/blog/")
