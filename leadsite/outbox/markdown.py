"""What the owner writes to her list, in Markdown, as a mail's HTML and text parts.

markdown-it renders it with web addresses made clickable and single line breaks
kept (she writes a mail, not a web page); raw HTML is off, and nh3 keeps only
ordinary formatting and http(s)/mailto links. No images: mail loads nothing from
elsewhere. The text part is her Markdown itself, which reads as plain text.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

MAIL_MARKDOWN = MarkdownIt(
    "commonmark", {"html": False, "linkify": True, "typographer": True, "breaks": True}
)
MAIL_MARKDOWN.enable(["linkify", "replacements", "smartquotes", "strikethrough"])
MAIL_MARKDOWN.linkify.set({"fuzzy_email": False})

TAGS = {
    "p", "br", "a", "strong", "em", "del", "ul", "ol", "li",
    "h2", "h3", "h4", "blockquote", "hr", "code", "pre",
}  # fmt: skip


def demote_headings(state) -> None:
    """`# Heading` becomes h2: the mail's subject is its title."""
    for token in state.tokens:
        if token.tag == "h1":
            token.tag = "h2"


MAIL_MARKDOWN.core.ruler.push("demote_headings", demote_headings)


def markdown_html(text: str) -> Markup:
    """Her text as safe HTML for the mail's HTML part."""
    return Markup(
        nh3.clean(
            MAIL_MARKDOWN.render(text),
            tags=TAGS,
            attributes={"a": {"href"}},
            url_schemes={"http", "https", "mailto"},
            link_rel=None,
        )
    )


def markdown_text(text: str) -> str:
    """Her text for the text part: as she wrote it, with tidy line endings."""
    return text.replace("\r\n", "\n").strip()
