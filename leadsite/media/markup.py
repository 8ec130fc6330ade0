"""Pictures in a post's HTML and Markdown.

- `responsive_pictures`: each `<img>` of a stored picture gets every copy in
  `srcset`, `sizes` for the page's column, and `width` and `height`, so a phone
  loads a small copy and the page keeps the picture's space while it loads. All of
  it comes from the address (which holds the widest copy's size): rendering a post
  never waits on the database.
- `missing_descriptions`: the pictures in a post's Markdown that have no
  description (alt text); a post with any may not be published.
"""

from __future__ import annotations

import re
from html import unescape

from markdown_it import MarkdownIt
from markupsafe import escape

from .images import variant_sizes
from .store import PREFIX, parse_address, variant_url

# The blog's column is 44rem wide less 2.5rem of padding (static/css/site.css).
SIZES = "(min-width: 44rem) 41.5rem, calc(100vw - 2.5rem)"
IMG_TAG = re.compile(r"<img\b[^>]*>", re.I)
SRC = re.compile(r'\ssrc="([^"]*)"')
ALT = re.compile(r"""\salt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
HTML_SRC = re.compile(r"""\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
PARSER = MarkdownIt("commonmark", {"html": True})


def picture_size(src: str) -> tuple[str, tuple[int, int]] | None:
    """A stored picture's address and size (for covers), or None when `src` is
    not a stored picture's address."""
    parsed = parse_address(src)
    return (src, parsed[2:]) if parsed else None


def responsive_pictures(html: str) -> str:
    """Write srcset, sizes, width and height on each stored picture in `html`."""
    if PREFIX not in html:
        return html

    def fill(match: re.Match) -> str:
        tag = match.group(0)
        found = SRC.search(tag)
        parsed = parse_address(unescape(found.group(1))) if found else None
        if not parsed:
            return tag
        picture_id, digest, width, height = parsed
        srcset = ", ".join(
            f"{variant_url(picture_id, digest, w, h)} {w}w"
            for w, h in variant_sizes(width, height)
        )
        extra = f' srcset="{escape(srcset)}" sizes="{SIZES}"'
        if " width=" not in tag and " height=" not in tag:
            extra += f' width="{width}" height="{height}"'
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
