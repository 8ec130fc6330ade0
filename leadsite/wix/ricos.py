"""Wix's rich content (Ricos JSON) turned into plain, readable Markdown.

A Ricos document is a tree: `{"nodes": [...]}`, each node with a `type`, its data
(`textData`, `headingData`, `imageData`, ...) and child `nodes`. Known block types
become their Markdown equivalents. A type this module does not know keeps the text it
holds, as plain paragraphs, and is listed in `unknown` so the import can report it.

Choices: underline is dropped (underlined words read as links on the web); body
headings start at level 2, because the post's title is the page's only level 1.
What Markdown cannot say is written as HTML the blog keeps: `<sup>`, `<sub>`,
`<details>` for collapsible lists, `<figure>` for captioned pictures, and `<a>` for
links that open in a new tab (always `rel="noopener noreferrer"` then). Videos,
files, embeds and the like become a link with a note (`media`); HTML code is never
copied into the post. Each thing not converted exactly is noted, with where it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape as html_escape
from itertools import groupby

from . import media
from .images import media_id

KNOWN = {
    "PARAGRAPH",
    "TEXT",
    "HEADING",
    "BULLETED_LIST",
    "BULLET_LIST",
    "ORDERED_LIST",
    "LIST_ITEM",
    "DIVIDER",
    "IMAGE",
    "TABLE",
    "TABLE_ROW",
    "TABLE_CELL",
    "BUTTON",
    "BLOCKQUOTE",
    "CODE_BLOCK",
    "CAPTION",
    "GALLERY",
    "COLLAPSIBLE_LIST",
    "COLLAPSIBLE_ITEM",
    "COLLAPSIBLE_ITEM_TITLE",
    "COLLAPSIBLE_ITEM_BODY",
    *media.KINDS,
}
LISTS = ("BULLETED_LIST", "BULLET_LIST", "ORDERED_LIST")

SPECIAL = re.compile(r"([\\`*\[\]<])")
LONE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
# What would start a heading, quote, list or underline if a line began with it.
LINE_STARTS = (
    re.compile(r"^([ \t]*)([#>+-])(?=\s|$)", re.MULTILINE),
    re.compile(r"^([ \t]*\d+)([.)])(?=\s|$)", re.MULTILINE),
    re.compile(r"^([ \t]*)(=+[ \t]*)$", re.MULTILINE),
)
# Innermost first, so bold italic struck text nests as ***~~words~~***.
MARKERS = {
    "SUPERSCRIPT": ("<sup>", "</sup>"),
    "SUBSCRIPT": ("<sub>", "</sub>"),
    "STRIKETHROUGH": ("~~", "~~"),
    "ITALIC": ("*", "*"),
    "BOLD": ("**", "**"),
}
ANCHOR_NAME = re.compile(r"[^A-Za-z0-9_-]")
REL_WORDS = ("nofollow", "sponsored", "ugc", "noreferrer")
EDGE_SPACE = re.compile(r"^(\s*)(.*?)(\s*)$", re.DOTALL)


def escape(text: str) -> str:
    """Backslash the characters Markdown would read as formatting."""
    text = SPECIAL.sub(r"\\\1", text).replace("~~", r"\~\~")
    return LONE_UNDERSCORE.sub(r"\\_", text)


def escape_line_starts(text: str) -> str:
    """Keep a paragraph that begins like `# `, `- ` or `1. ` a paragraph."""
    for pattern in LINE_STARTS:
        text = pattern.sub(r"\1\\\2", text)
    return text


def link_target(url: str) -> str:
    return f"<{url}>" if re.search(r"[\s()<>]", url) else url


def wrap(text: str, marker: tuple[str, str]) -> str:
    """Put `marker` around the words, leaving the surrounding spaces outside."""
    lead, core, trail = EDGE_SPACE.match(text).groups()
    return f"{lead}{marker[0]}{core}{marker[1]}{trail}" if core else text


def anchor_id(key: str) -> str:
    return "wix-" + ANCHOR_NAME.sub("-", key)


def link_attributes(link: dict) -> tuple[str, str]:
    """`target` and `rel` as the owner set them; a new tab never gets our page."""
    target = {"BLANK": "_blank", "TOP": "_top", "PARENT": "_parent"}.get(
        link.get("target", ""), ""
    )
    rel = [word for word in REL_WORDS if (link.get("rel") or {}).get(word)]
    if target == "_blank":
        rel = ["noopener", *[w for w in rel if w != "noreferrer"], "noreferrer"]
    return target, " ".join(rel)


def plain_text(node: dict) -> str:
    """All the text under a node, without formatting."""
    if node.get("type") == "TEXT":
        return node.get("textData", {}).get("text", "")
    return "".join(plain_text(child) for child in node.get("nodes", []))


def text_blocks(node: dict) -> list[str]:
    """The text under a node, one entry per innermost block (paragraph, title...)."""
    children = node.get("nodes", [])
    if node.get("type") == "TEXT" or any(c.get("type") == "TEXT" for c in children):
        return [plain_text(node)]
    return [text for child in children for text in text_blocks(child)]


class Converter:
    """Converts one document; `place_image(ref)` gives an image's new address, or
    None to leave the image out (skipped or failed download)."""

    def __init__(
        self, place_image: Callable[[str], str | None], cover: str | None = None
    ) -> None:
        self.place_image = place_image
        self.cover = cover  # the cover's media id: the page shows it, not the body
        self.cover_alt = ""
        self.unknown: set[str] = set()
        self.undescribed: list[str] = []
        self.notes: list[str] = []
        self.anchors: set[str] = set()
        self.where = "at the start"

    def note(self, text: str) -> None:
        self.notes.append(f"{self.where}: {text}")

    def convert(self, document: dict) -> str:
        self.anchors = set(linked_anchors(document))
        blocks = []
        for node in document.get("nodes", []):
            if text := self.block(node).rstrip():
                blocks.append(text)
            if node.get("type") == "HEADING" and (words := plain_text(node).strip()):
                self.where = f"after the heading \u201c{words}\u201d"
        return "\n\n".join(blocks) + "\n" if blocks else ""

    def anchor_for(self, node: dict) -> str:
        """An empty element carrying the node's id, when a link in the post
        points at it."""
        key = node.get("id") or node.get("key") or ""
        if key not in self.anchors:
            return ""
        return f'<span id="{anchor_id(key)}"></span>'

    def blocks(self, nodes: list[dict]) -> list[str]:
        return [text for node in nodes if (text := self.block(node).rstrip())]

    def block(self, node: dict) -> str:
        kind = node.get("type", "")
        children = node.get("nodes", [])
        if kind in ("PARAGRAPH", "TEXT"):
            text = self.inline([node] if kind == "TEXT" else children)
            return self.anchor_for(node) + escape_line_starts(text) if text else ""
        if kind == "HEADING":
            level = node.get("headingData", {}).get("level", 2)
            level = min(max(level, 2), 6) if isinstance(level, int) else 2
            text = self.inline(children).replace("\\\n", " ")
            text = self.anchor_for(node) + text
            return f"{'#' * level} {text}" if text else ""
        if kind in LISTS:
            return self.list_block(node)
        if kind in ("LIST_ITEM", "TABLE_ROW", "TABLE_CELL"):
            return "\n\n".join(self.blocks(children))
        if kind == "DIVIDER":
            return "---"
        if kind == "IMAGE":
            return self.image(node.get("imageData", {}), caption_of(node))
        if kind == "GALLERY":
            return self.gallery(node.get("galleryData", {}))
        if kind == "COLLAPSIBLE_LIST":
            return self.collapsible(node)
        if kind in media.KINDS:
            text, note = media.figure(node)
            self.note(note)
            return text
        if kind == "TABLE":
            return self.table(node)
        if kind == "BUTTON":
            return self.button(node.get("buttonData", {}))
        if kind == "BLOCKQUOTE":
            inner = "\n\n".join(self.blocks(children))
            return "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
        if kind == "CODE_BLOCK":
            code = plain_text(node).rstrip("\n")
            fence = "`" * max([3, *(len(run) + 1 for run in re.findall("`+", code))])
            return f"{fence}\n{code}\n{fence}"
        self.unknown.add(kind or "(no type)")
        lines = [line for text in text_blocks(node) for line in text.split("\n")]
        return "\n\n".join(
            escape_line_starts(escape(line.strip())) for line in lines if line.strip()
        )

    def inline(self, nodes: list[dict]) -> str:
        """Text runs with bold, italic, strike-through and links; line breaks kept."""
        runs = []
        for node in nodes:
            if node.get("type") != "TEXT":
                if node.get("type") not in KNOWN:
                    self.unknown.add(node.get("type") or "(no type)")
                runs.append((escape(plain_text(node)), (), None))
                continue
            data = node.get("textData", {})
            kinds = {d.get("type"): d for d in data.get("decorations", [])}
            link = kinds.get("LINK", {}).get("linkData", {}).get("link") or None
            if anchor := kinds.get("ANCHOR", {}).get("anchorData", {}).get("anchor"):
                link = {"anchor": anchor}
            markers = tuple(m for kind, m in MARKERS.items() if kind in kinds)
            key = tuple(sorted((link or {}).items(), key=str)) if link else None
            runs.append((escape(data.get("text", "")), markers, key))
        parts = []
        for link, group in groupby(runs, key=lambda run: run[2]):
            text = ""
            for markers, same in groupby(group, key=lambda run: run[1]):
                words = "".join(run[0] for run in same)
                for marker in markers:
                    words = wrap(words, marker)
                text += words
            parts.append(self.link(text, dict(link)) if link else text)
        return "".join(parts).strip().replace("\n", "\\\n")

    def link(self, text: str, link: dict) -> str:
        """A Markdown link, or an HTML one when the owner chose a target or rel."""
        lead, core, trail = EDGE_SPACE.match(text).groups()
        url = link.get("url") or ""
        if link.get("anchor"):
            url = "#" + anchor_id(link["anchor"])
        if not url:
            return text
        target, rel = link_attributes(link)
        if not (target or rel):
            return f"{lead}[{core or escape(url)}]({link_target(url)}){trail}"
        attributes = f' href="{html_escape(url)}"'
        attributes += f' target="{target}"' if target else ""
        attributes += f' rel="{rel}"' if rel else ""
        return f"{lead}<a{attributes}>{core or escape(url)}</a>{trail}"

    def list_block(self, node: dict) -> str:
        ordered = node["type"] == "ORDERED_LIST"
        if node["type"] == "BULLET_LIST":
            self.note("an older bulleted list (BULLET_LIST), converted as a list")
        number = int(node.get("orderedListData", {}).get("start", 1) or 1)
        items = []
        for item in node.get("nodes", []):
            body = self.item_body(item.get("nodes", []))
            if not body:
                continue
            marker = f"{number}. " if ordered else "- "
            number += 1
            pad = " " * len(marker)
            lines = body.split("\n")
            rest = [f"{pad}{line}" if line else "" for line in lines[1:]]
            items.append("\n".join([marker + lines[0], *rest]))
        return "\n".join(items)

    def item_body(self, nodes: list[dict]) -> str:
        """A list item's blocks; a nested list follows its line directly, so the
        list stays tight (no paragraphs inside its items)."""
        body = ""
        for node in nodes:
            if text := self.block(node).rstrip():
                nested = node.get("type") in LISTS
                body += ("\n" if nested else "\n\n") + text if body else text
        return body

    def image(self, data: dict, caption: list[dict] | None = None) -> str:
        """A picture, in a `<figure>` when it has a caption (a CAPTION child node,
        or the older `imageData.caption`)."""
        ref = media.source(data.get("image", {}).get("src", {}))
        alt = escape(" ".join((data.get("altText") or "").split()))
        if self.cover and ref and media_id(ref) == self.cover:
            self.cover_alt = self.cover_alt or alt
            self.note("the cover picture, shown once at the top of the page")
            return ""
        return self.picture(ref, alt, caption, data.get("caption") or "")

    def picture(
        self, ref: str, alt: str, caption: list[dict] | None, old_caption: str
    ) -> str:
        address = self.place_image(ref)
        if not address:
            return ""
        if not alt:
            self.undescribed.append(address)
        markdown = f"![{alt}]({link_target(address)})"
        text = self.inline(caption) if caption else escape(old_caption.strip())
        if not text:
            return markdown
        return (
            f"<figure>\n\n{markdown}\n\n"
            f"<figcaption>\n\n{text}\n\n</figcaption>\n</figure>"
        )

    def gallery(self, data: dict) -> str:
        """Each picture of a gallery, one after the other, with its description;
        a gallery's videos become links like other videos."""
        pictures = []
        for item in data.get("items", []):
            if "video" in item:
                text, note = media.gallery_video(item)
                self.note(note)
                pictures.append(text)
                continue
            ref = media.source(item.get("image", {}).get("media", {}).get("src", {}))
            ref = ref or item.get("url") or ""  # the older schema: items[].url
            title = item.get("title") or item.get("metadata", {}).get("title") or ""
            alt = escape(" ".join((item.get("altText") or title).split()))
            pictures.append(self.picture(ref, alt, None, ""))
        if pictures:
            self.note(
                f"a gallery of {len(pictures)}, shown as its pictures one after another"
            )
        return "\n\n".join(p for p in pictures if p)

    def collapsible(self, node: dict) -> str:
        """Each item as `<details>`, its title the `<summary>`; open as on Wix."""
        opened = node.get("collapsibleListData", {}).get("initialExpandedItems")
        items = []
        for number, item in enumerate(node.get("nodes", [])):
            parts = {child.get("type"): child for child in item.get("nodes", [])}
            title = html_escape(
                " ".join(plain_text(parts.get("COLLAPSIBLE_ITEM_TITLE", {})).split())
            )
            body = self.blocks(parts.get("COLLAPSIBLE_ITEM_BODY", {}).get("nodes", []))
            is_open = opened == "ALL" or (opened == "FIRST" and number == 0)
            tag = "<details open>" if is_open else "<details>"
            inner = "\n\n".join(body)
            items.append(f"{tag}\n<summary>{title}</summary>\n\n{inner}\n\n</details>")
        return "\n\n".join(items)

    def table(self, node: dict) -> str:
        rows = []
        for row in node.get("nodes", []):
            cells = [
                " ".join(self.blocks(cell.get("nodes", [])))
                .replace("\\\n", " ")
                .replace("\n", " ")
                .replace("|", "\\|")
                for cell in row.get("nodes", [])
            ]
            rows.append(cells)
        if not rows:
            return ""
        width = max(len(row) for row in rows)
        rows = [row + [""] * (width - len(row)) for row in rows]
        lines = [rows[0], ["---"] * width, *rows[1:]]
        return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)

    def button(self, data: dict) -> str:
        text = escape(data.get("text", "").strip())
        link = data.get("link") or {}
        return self.link(text, link) if link.get("url") else text


def caption_of(node: dict) -> list[dict] | None:
    """The text runs of a picture's CAPTION child node, if it has one."""
    for child in node.get("nodes", []):
        if child.get("type") == "CAPTION":
            runs = child.get("nodes", [])
            if runs and all(run.get("type") == "PARAGRAPH" for run in runs):
                runs = [text for run in runs for text in run.get("nodes", [])]
            return runs
    return None


def linked_anchors(node: dict):
    """The node ids that links in the document point at."""
    for child in node.get("nodes", []):
        for decoration in child.get("textData", {}).get("decorations", []):
            data = decoration.get("linkData", {}).get("link", {})
            if anchor := data.get("anchor") or decoration.get("anchorData", {}).get(
                "anchor"
            ):
                yield anchor
        yield from linked_anchors(child)
