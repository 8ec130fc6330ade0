"""Pictures in a post's HTML and Markdown.

- `responsive_pictures`: each `<img>` of a stored picture gets every variant in
  `srcset`, `sizes` for the page's column, and `width` and `height`, so a phone
  loads a small copy and the page keeps the picture's space while it loads.
- `missing_descriptions`: the pictures in a post's Markdown that have no
  description (alt text); a post with any may not be published.
"""

from __future__ import annotations

import re
from html import unescape

from markdown_it import MarkdownIt
from markupsafe import escape

from .store import PREFIX, parse_address, picture_url, pictures_by_id

# The blog's column is 44rem wide less 2.5rem of padding (static/css/site.css).
SIZES = "(min-width: 44rem) 41.5rem, calc(100vw - 2.5rem)"
IMG_TAG = re.compile(r"<img\b[^>]*>", re.I)
SRC = re.compile(r'\ssrc="([^"]*)"')
ALT = re.compile(r"""\salt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
HTML_SRC = re.compile(r"""\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
PARSER = MarkdownIt("commonmark", {"html": True})


def picture_size(src: str) -> tuple[str, tuple[int, int] | None] | None:
    """A stored picture's address and its widest size (for covers), or None when
    `src` is not a stored picture's address."""
    parsed = parse_address(src)
    if parsed is None:
        return None
    picture = pictures_by_id({parsed[0]}).get(parsed[0])
    if picture is None:
        return src, None
    return src, (picture.largest.width, picture.largest.height)


def responsive_pictures(html: str) -> str:
    """Write srcset, sizes, width and height on each stored picture in `html`."""
    if PREFIX not in html:
        return html
    tags = {}
    for tag in IMG_TAG.findall(html):
        found = SRC.search(tag)
        parsed = parse_address(unescape(found.group(1))) if found else None
        if parsed:
            tags[tag] = parsed[0]
    pictures = pictures_by_id(set(tags.values()))

    def fill(match: re.Match) -> str:
        tag = match.group(0)
        picture = pictures.get(tags.get(tag, 0))
        if picture is None:
            return tag
        srcset = ", ".join(
            f"{picture_url(picture, v.width)} {v.width}w" for v in picture.variants
        )
        extra = f' srcset="{escape(srcset)}" sizes="{SIZES}"'
        if " width=" not in tag and " height=" not in tag:
            widest = picture.largest
            extra += f' width="{widest.width}" height="{widest.height}"'
        found = SRC.search(tag)
        tag = tag.replace(found.group(0), f' src="{escape(picture_url(picture))}"', 1)
        return tag[:-1].rstrip("/").rstrip() + extra + ">"

    return IMG_TAG.sub(fill, html)


def html_images(html: str) -> list[tuple[str, str]]:
    """(src, alt) of each `<img>` written as HTML."""
    found = []
    for tag in IMG_TAG.findall(html):
        src, alt = HTML_SRC.search(tag), ALT.search(tag)
        src_text = next((g for g in src.groups() if g is not None), "") if src else ""
        alt_text = next((g for g in alt.groups() if g is not None), "") if alt else ""
        found.append((unescape(src_text), unescape(alt_text)))
    return found


def walk(tokens):
    for token in tokens:
        yield token
        yield from walk(token.children or [])


def missing_descriptions(markdown: str) -> list[str]:
    """The address of each picture in the Markdown whose description (alt text)
    is empty, in order; `![](/media/p/1-….webp)` and `<img src=…>` alike."""
    missing = []
    for token in walk(PARSER.parse(markdown or "")):
        if token.type == "image":
            if not token.content.strip():
                missing.append(token.attrGet("src") or "")
        elif token.type in ("html_block", "html_inline"):
            missing += [
                src for src, alt in html_images(token.content) if not alt.strip()
            ]
    return missing
