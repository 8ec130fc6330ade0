"""A comment's text as HTML: plain text, its line breaks kept, web links clickable.

What a commenter types is never trusted as HTML. markdown-it runs with only
paragraphs, line breaks and linkify switched on (raw HTML off, so `<script>`
comes out as text), and nh3 then keeps nothing but `p`, `br` and `a` with an
http(s) address, each link marked `rel="nofollow ugc"` so it lends the site's
standing to no one.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

PLAIN = MarkdownIt("zero", {"linkify": True, "breaks": True, "html": False})
PLAIN.enable(["linkify", "newline"])
# Web links only: an address is not made a mailto link, nor are ftp: or //host.
PLAIN.linkify.set({"fuzzy_email": False})
for schema in ("mailto:", "ftp:", "//"):
    PLAIN.linkify.add(schema, None)

LINK_REL = "nofollow ugc"


def comment_html(text: str) -> Markup:
    """The comment as safe HTML paragraphs."""
    html = PLAIN.render(text)
    return Markup(
        nh3.clean(
            html,
            tags={"p", "br", "a"},
            attributes={"a": {"href"}},
            url_schemes={"http", "https"},
            link_rel=LINK_REL,
        )
    )
