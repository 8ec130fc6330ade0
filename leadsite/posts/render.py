"""Markdown to safe HTML: rendering, sanitising, image sizes and versions."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import nh3
from markdown_it import MarkdownIt
from markupsafe import escape

from ..assets import file_version, image_size
from ..media import picture_size, responsive_pictures
from .meta import Cover, Tag  # noqa: F401

MEDIA_DIR = "media"
WORDS_PER_MINUTE = 200


def demote_h1(state) -> None:
    """The page's title is its only h1, so `# Heading` in a post becomes an h2."""
    for token in state.tokens:
        if token.tag == "h1":
            token.tag = "h2"


MARKDOWN = MarkdownIt("commonmark", {"html": True, "typographer": True})
MARKDOWN.enable(["table", "strikethrough", "replacements", "smartquotes"])
MARKDOWN.core.ruler.push("demote_h1", demote_h1)


SAFE_REL = {"noopener", "noreferrer", "nofollow", "external", "ugc", "sponsored"}


def local_images_only(tag: str, attribute: str, value: str) -> str | None:
    """Drop image addresses on other sites: pages load nothing from elsewhere.
    A link may open in a new tab (`target="_blank"`) and carry a plain `rel`."""
    if tag == "img" and attribute == "src" and not re.match(r"/(?!/)", value):
        return None
    if tag == "a" and attribute == "target":
        return value if value in ("_blank", "_self") else None
    if tag == "a" and attribute == "rel":
        return " ".join(word for word in value.split() if word in SAFE_REL) or None
    return value


def safe_new_tabs(html: str) -> str:
    """A link that opens a new tab never lets that page reach back to this one."""

    def fix(match: re.Match) -> str:
        tag = match[0]
        rel = re.search(r'\srel="([^"]*)"', tag)
        words = set(rel[1].split()) if rel else set()
        if {"noopener", "noreferrer"} <= words:
            return tag
        value = " ".join(sorted(words | {"noopener", "noreferrer"}))
        if rel:
            return tag.replace(rel[0], f' rel="{value}"')
        return tag[:-1] + f' rel="{value}">'

    return re.sub(r'<a\s[^>]*target="_blank"[^>]*>', fix, html)


def sanitise(html: str) -> str:
    """Keep ordinary formatting; drop scripts, event handlers, javascript: URLs and
    images from other sites (an image left without its address is removed)."""
    clean = nh3.clean(
        html,
        tags=nh3.ALLOWED_TAGS - {"h1", "center", "acronym", "strike", "tt", "map"},
        clean_content_tags={"script", "style"},
        attributes={
            **nh3.ALLOWED_ATTRIBUTES,
            "a": {"href", "hreflang", "title", "target", "rel", "id"},
            "span": {"id"},
            "details": {"open"},
            "img": {"src", "alt", "title", "width", "height"},
        },
        attribute_filter=local_images_only,
        set_tag_attribute_values={"img": {"loading": "lazy", "decoding": "async"}},
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel=None,
    )
    clean = clean.replace('<details open="">', "<details open>")
    return safe_new_tabs(re.sub(r"<img(?![^>]*\ssrc=)[^>]*>", "", clean))


def reading_minutes(html: str) -> int:
    words = len(re.findall(r"\w+", nh3.clean(html, tags=set())))
    return max(1, round(words / WORDS_PER_MINUTE))


def media_file(site_dir: Path, src: str) -> Path:
    """The file behind an image address: /media/a/b.jpg is site/media/a/b.jpg."""
    return site_dir / MEDIA_DIR / src.removeprefix("/media/")


def versioned_image(site_dir: Path, src: str) -> tuple[str, tuple[int, int] | None]:
    """An image's address with `?v=<hash of the file>` (so browsers may keep it a
    year, see `blog.media`) and its width and height; as given if it is missing.
    A picture stored in the database has its version in its address already."""
    stored = picture_size(src)
    if stored:
        return stored
    path = media_file(site_dir, src)
    if not src.startswith("/media/") or not path.is_file():
        return src, None
    return f"{src}?v={file_version(path)}", image_size(path)


IMG_TAG = re.compile(r"<img\b[^>]*>")
SRC_ATTRIBUTE = re.compile(r'\ssrc="([^"]*)"')


def sized_images(html: str, site_dir: Path) -> str:
    """Give each image of `site/media/` in a post its version and, unless the post
    set them, its width and height: the page then keeps the image's space while it
    loads, and nothing below it jumps. Pictures stored in the database also get
    `srcset` and `sizes` (see `leadsite.media.markup`)."""
    html = responsive_pictures(html)

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
