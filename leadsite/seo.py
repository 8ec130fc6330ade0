"""What search engines, feed readers and share buttons read: the Atom feed, the
sitemap, robots.txt, Article JSON-LD and share links.

Every address here is built from `SITE_URL`, never from the request's Host header,
which a visitor (or an attacker) chooses.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, current_app
from markupsafe import escape

from .outbox import absolute_url
from .postnotes import notes_line
from .posts import Post, library

bp = Blueprint("seo", __name__)

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
PUBLIC_PAGES = [
    "blog.home",
    "blog.index",
    "leads.resource",
    "leads.waitlist",
    "leads.contact",
]


def absolute_links(html: str) -> str:
    """Make `/path` links and images in post HTML absolute, for feed readers."""
    origin = current_app.config["SITE_URL"]
    return re.sub(r'(href|src)="/(?!/)', rf'\1="{origin}/', html)


def atom_time(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def article_data(post: Post) -> dict:
    """schema.org Article for the post page's JSON-LD."""
    site = current_app.extensions["site"].settings
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": post.title,
        "description": post.summary,
        "datePublished": post.published.isoformat(),
        "dateModified": (post.updated or post.published).isoformat(),
        "author": {"@type": "Person", "name": post.author or site.owner.name},
        "publisher": {"@type": "Organization", "name": site.site.name},
        "mainEntityOfPage": absolute_url("blog.post", slug=post.slug),
        "keywords": [tag.name for tag in post.tags],
    }
    if post.cover:
        data["image"] = current_app.config["SITE_URL"] + post.cover.src
    return data


def post_page(post: Post) -> dict:
    """The post page's JSON-LD and share links: the same for every view of one
    saved version, so worked out once and kept with the rendered post."""
    found = post.kept.get("post_page")
    if found is None:
        found = {"article": article_data(post), "share_links": share_links(post)}
        post.kept["post_page"] = found
    return found


def share_links(post: Post) -> list[tuple[str, str]]:
    """Plain links to each network's share page; nothing is loaded from them."""
    url = absolute_url("blog.post", slug=post.slug)

    def query(**params: str) -> str:
        return urlencode(params, quote_via=quote)

    return [
        (
            "LinkedIn",
            "https://www.linkedin.com/sharing/share-offsite/?" + query(url=url),
        ),
        ("Facebook", "https://www.facebook.com/sharer/sharer.php?" + query(u=url)),
        ("X", "https://x.com/intent/post?" + query(url=url, text=post.title)),
        (
            "email",
            "mailto:?" + query(subject=post.title, body=f"{post.summary}\n\n{url}"),
        ),
    ]


def xml_response(root: ET.Element, mimetype: str) -> Response:
    text = '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(
        root, encoding="unicode"
    )
    return Response(text, mimetype=mimetype)


def add(parent: ET.Element, tag: str, text: str | None = None, **attrs) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    element.text = text
    return element


@bp.get("/feed.xml")
def feed():
    """An Atom feed of every published post, with the full text."""
    site = current_app.extensions["site"].settings
    posts = library().published()
    latest = max((p.updated or p.published for p in posts), default=None)
    root = ET.Element("feed", xmlns=ATOM)
    root.set("xml:lang", site.site.language)
    add(root, "title", site.site.name)
    add(root, "subtitle", site.site.tagline)
    add(root, "id", absolute_url("blog.index"))
    add(root, "link", rel="alternate", href=absolute_url("blog.index"))
    add(root, "link", rel="self", href=absolute_url("seo.feed"))
    updated = atom_time(latest) if latest else f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}"
    add(root, "updated", updated)
    add(add(root, "author"), "name", site.owner.name)
    for post in posts:
        url = absolute_url("blog.post", slug=post.slug)
        entry = add(root, "entry")
        add(entry, "title", post.title)
        add(entry, "id", url)
        add(entry, "link", rel="alternate", type="text/html", href=url)
        add(entry, "published", atom_time(post.published))
        add(entry, "updated", atom_time(post.updated or post.published))
        add(add(entry, "author"), "name", post.author or site.owner.name)
        for tag in post.tags:
            add(entry, "category", term=tag.slug, label=tag.name)
        add(entry, "summary", post.summary)
        notes = notes_line(post)  # the law it covers and when it was last reviewed
        intro = f"<p><em>{escape(notes)}</em></p>\n" if notes else ""
        add(entry, "content", intro + absolute_links(post.html), type="html")
    return xml_response(root, "application/atom+xml")


@bp.get("/sitemap.xml")
def sitemap():
    """The public pages, published posts, tag pages and her pages, for search
    engines."""
    posts = library().published()
    root = ET.Element("urlset", xmlns=SITEMAP)
    for endpoint in PUBLIC_PAGES:
        add(add(root, "url"), "loc", absolute_url(endpoint))
    tags = {}
    for post in posts:
        url = add(root, "url")
        add(url, "loc", absolute_url("blog.post", slug=post.slug))
        add(url, "lastmod", (post.updated or post.published).isoformat())
        tags.update({tag.slug: None for tag in post.tags})
    for slug in tags:
        add(add(root, "url"), "loc", absolute_url("blog.tag", tag=slug))
    for page in library().pages():  # About, Privacy, Accessibility ...
        add(add(root, "url"), "loc", absolute_url("blog.page", slug=page.slug))
    return xml_response(root, "application/xml")


@bp.get("/robots.txt")
def robots():
    """Let search engines in, keep them out of /admin/, point them at the sitemap."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        f"Sitemap: {absolute_url('seo.sitemap')}",
    ]
    return Response("\n".join(lines) + "\n", mimetype="text/plain")
