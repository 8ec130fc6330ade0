"""Wix's rich content (Ricos JSON) turned into plain, readable Markdown.

A Ricos document is a tree: `{"nodes": [...]}`, each node with a `type`, its data
(`textData`, `headingData`, `imageData`, ...) and child `nodes`. Known block types
become their Markdown equivalents. A type this module does not know keeps the text it
holds, as plain paragraphs, and is listed in `unknown` so the import can report it.

Choices: underline is dropped (underlined words read as links on the web); body
headings start at level 2, because the post's title is the page's only level 1.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import groupby

KNOWN = {
    "PARAGRAPH",
    "TEXT",
    "HEADING",
    "BULLETED_LIST",
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
}

SPECIAL = re.compile(r"([\\`*\[\]<])")
LONE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
# What would start a heading, quote, list or underline if a line began with it.
LINE_STARTS = (
    re.compile(r"^([ \t]*)([#>+-])(?=\s|$)", re.MULTILINE),
    re.compile(r"^([ \t]*\d+)([.)])(?=\s|$)", re.MULTILINE),
    re.compile(r"^([ \t]*)(=+[ \t]*)$", re.MULTILINE),
)
# Innermost first, so bold italic struck text nests as ***~~words~~***.
MARKERS = {"STRIKETHROUGH": "~~", "ITALIC": "*", "BOLD": "**"}
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


def wrap(text: str, marker: str) -> str:
    """Put `marker` around the words, leaving the surrounding spaces outside."""
    lead, core, trail = EDGE_SPACE.match(text).groups()
    return f"{lead}{marker}{core}{marker}{trail}" if core else text


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

    def __init__(self, place_image: Callable[[str], str | None]) -> None:
        self.place_image = place_image
        self.unknown: set[str] = set()
        self.undescribed: list[str] = []

    def convert(self, document: dict) -> str:
        blocks = self.blocks(document.get("nodes", []))
        return "\n\n".join(blocks) + "\n" if blocks else ""

    def blocks(self, nodes: list[dict]) -> list[str]:
        return [text for node in nodes if (text := self.block(node).rstrip())]

    def block(self, node: dict) -> str:
        kind = node.get("type", "")
        children = node.get("nodes", [])
        if kind in ("PARAGRAPH", "TEXT"):
            return escape_line_starts(
                self.inline([node] if kind == "TEXT" else children)
            )
        if kind == "HEADING":
            level = node.get("headingData", {}).get("level", 2)
            level = min(max(level, 2), 6) if isinstance(level, int) else 2
            text = self.inline(children).replace("\\\n", " ")
            return f"{'#' * level} {text}" if text else ""
        if kind in ("BULLETED_LIST", "ORDERED_LIST"):
            return self.list_block(node)
        if kind in ("LIST_ITEM", "TABLE_ROW", "TABLE_CELL"):
            return "\n\n".join(self.blocks(children))
        if kind == "DIVIDER":
            return "---"
        if kind == "IMAGE":
            return self.image(node.get("imageData", {}))
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
            link = kinds.get("LINK", {}).get("linkData", {}).get("link", {}).get("url")
            markers = tuple(m for kind, m in MARKERS.items() if kind in kinds)
            runs.append((escape(data.get("text", "")), markers, link))
        parts = []
        for link, group in groupby(runs, key=lambda run: run[2]):
            text = ""
            for markers, same in groupby(group, key=lambda run: run[1]):
                words = "".join(run[0] for run in same)
                for marker in markers:
                    words = wrap(words, marker)
                text += words
            parts.append(self.link(text, link) if link else text)
        return "".join(parts).strip().replace("\n", "\\\n")

    def link(self, text: str, url: str) -> str:
        lead, core, trail = EDGE_SPACE.match(text).groups()
        return f"{lead}[{core or escape(url)}]({link_target(url)}){trail}"

    def list_block(self, node: dict) -> str:
        ordered = node["type"] == "ORDERED_LIST"
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
                nested = node.get("type") in ("BULLETED_LIST", "ORDERED_LIST")
                body += ("\n" if nested else "\n\n") + text if body else text
        return body

    def image(self, data: dict) -> str:
        src = data.get("image", {}).get("src", {})
        address = self.place_image(src.get("id") or src.get("url") or "")
        if not address:
            return ""
        alt = escape(" ".join(data.get("altText", "").split()))
        if not alt:
            self.undescribed.append(address)
        markdown = f"![{alt}]({link_target(address)})"
        if caption := data.get("caption", "").strip():
            markdown += f"\n\n*{escape(caption)}*"
        return markdown

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
        url = data.get("link", {}).get("url")
        return self.link(text, url) if url else text
