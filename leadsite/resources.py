"""The free resources: the owner's Markdown in `site/resources/`, typeset as a PDF.

Each PDF is built once and kept in the instance folder under a name that includes a
hash of everything printed in it, so editing the Markdown (or the title, site name or
owner in settings.toml) builds a fresh file and the old one is never served again.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import sys
import tempfile
import unicodedata
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from fpdf import FPDF, ViewerPreferences
from markdown_it import MarkdownIt

from .content import Resource, SiteError, SiteSettings, load_settings

LAYOUT_VERSION = "1"  # bump when the layout below changes, to rebuild cached PDFs
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
# Regular, bold, italic, bold italic (Debian: fonts-liberation, fonts-dejavu-extra).
FONT_FILES = {
    "LiberationSans": ("-Regular", "-Bold", "-Italic", "-BoldItalic"),
    "DejaVuSans": ("", "-Bold", "-Oblique", "-BoldOblique"),
}
# Helvetica, the fallback, knows only Windows-1252 (curly quotes and dashes included).
PLAIN = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2212": "-", "\u2192": "->"})
INK, ACCENT, MUTED = (26, 26, 26), (22, 72, 99), (85, 85, 85)
BODY, LEADING = 11.5, 1.45  # points, line height as a multiple of the font size
LINE = BODY * LEADING
Run = tuple[str, str, str]  # text, style ("", "B", "I", "BI"), link


@functools.cache
def installed_font() -> tuple[str, dict[str, Path]] | None:
    """The first family in FONT_FILES with all four styles installed, or None."""
    found = {p.name: p for d in FONT_DIRS if d.is_dir() for p in d.rglob("*.ttf")}
    for family, suffixes in FONT_FILES.items():
        paths = [found.get(f"{family}{suffix}.ttf") for suffix in suffixes]
        if all(paths):
            return family, dict(zip(("", "B", "I", "BI"), paths, strict=True))
    return None


class ResourcePDF(FPDF):
    """US Letter pages with the site's name, address and page numbers at the foot."""

    def __init__(self, settings: SiteSettings) -> None:
        super().__init__(unit="pt", format="letter")
        self.url = str(settings.site.canonical_url).rstrip("/")
        self.footer_text = f"{settings.site.name}  \u00b7  {self.url.split('://')[-1]}"
        font = installed_font()
        self.family = font[0] if font else "helvetica"
        for style, path in font[1].items() if font else ():
            self.add_font(self.family, style, path)
        self.core_fonts_encoding = "cp1252"
        self.set_margins(78, 64, 78)
        self.c_margin = 0  # text lines up with the checkboxes and the rule
        self.set_auto_page_break(True, margin=66)

    def normalize_text(self, text: str) -> str:
        if not self.is_ttf_font:  # spell out what Helvetica cannot print
            text = "".join(
                c if c.encode("cp1252", "ignore") else unicodedata.normalize("NFKD", c)
                for c in text.translate(PLAIN)
            )
            text = text.encode("cp1252", "replace").decode("cp1252")
        return super().normalize_text(text)

    def footer(self) -> None:
        self.set_y(-46)
        self.set_font(self.family, "", 9)
        self.set_text_color(*MUTED)
        self.cell(self.epw / 2, 12, self.footer_text, link=self.url)
        self.cell(self.epw / 2, 12, f"Page {self.page_no()} of {{nb}}", align="R")

    def keep(self, text: str, left: float, size: float = BODY, more: float = 0) -> None:
        """Start a new page unless `text` (up to 6 lines of it) and `more` fit here."""
        self.set_font(self.family, "B", size)
        width = self.w - self.r_margin - left
        lines = len(self.multi_cell(width, 10, text, dry_run=True, output="LINES"))
        needed = (lines if lines <= 6 else 2) * size * LEADING + more
        if self.get_y() + needed > self.page_break_trigger:
            self.add_page()

    def paragraph(self, runs: list[Run], left: float) -> None:
        """Runs of bold, italic and plain text as one paragraph, wrapped at spaces."""
        self.keep("".join(run[0] for run in runs), left)
        column = self.text_columns(l_margin=left, line_height=LEADING)
        with column, column.paragraph() as paragraph:
            for text, style, link in runs:
                self.set_font(self.family, style + ("U" if link else ""), BODY)
                self.set_text_color(*(ACCENT if link else INK))
                paragraph.write(text, link=link or None)

    def heading(self, text: str, level: int, byline: str) -> None:
        """The title (#, with the byline under it) or a section heading (##, ###)."""
        size, before = {1: (24, 0), 2: (16, 14)}.get(level, (13, 8))
        self.keep(text, self.l_margin, size, more=before + 3 * LINE)
        self.ln(before if self.get_y() > self.t_margin else 0)
        self.start_section(text, level - 1, strict=False)  # a bookmark for the outline
        self.set_font(self.family, "B", size)
        self.set_text_color(*ACCENT)
        self.multi_cell(0, size * 1.25, text, align="L", new_x="LMARGIN", new_y="NEXT")
        if level > 1:
            self.ln(size * 0.35)
            return
        self.set_font(self.family, "", 10.5)
        self.set_text_color(*MUTED)
        self.multi_cell(0, 20, byline, align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(*ACCENT)
        self.set_line_width(1.5)
        self.line(self.l_margin, self.y + 6, self.l_margin + 72, self.y + 6)
        self.ln(22)

    def item(self, runs: list[Run], mark: str | None, depth: int) -> None:
        """A list item with a hanging indent after `mark`: "[ ]", "[x]", "1." or "•"."""
        indent = self.l_margin + 22 * depth
        self.keep("".join(run[0] for run in runs), indent + 24)
        x, y = indent, self.get_y()
        self.set_draw_color(*INK)
        if mark in ("[ ]", "[x]"):  # a square to tick in pen; a tick if already done
            side = round(BODY * 0.85)
            top = y + (LINE - side) / 2 - 1
            self.set_line_width(0.9)
            self.rect(x, top, side, side)
            if mark == "[x]":
                self.polyline([(x + 2, top + 5), (x + 4.5, top + 8), (x + 8, top + 2)])
        elif mark:
            self.set_font(self.family, "", BODY)
            self.set_text_color(*INK)
            self.set_xy(x, y)
            self.cell(20, LINE, mark)
            self.set_y(y)
        self.paragraph(runs, indent + 24)
        self.ln(4)


def inline_runs(token) -> list[Run]:
    """A markdown-it inline token as runs of text that share a style and a link."""
    bold = italic = 0
    link, runs = "", []
    for child in token.children or []:
        bold += {"strong_open": 1, "strong_close": -1}.get(child.type, 0)
        italic += {"em_open": 1, "em_close": -1}.get(child.type, 0)
        if child.type in ("link_open", "link_close"):
            link = str(child.attrs.get("href", "")) if child.type == "link_open" else ""
        text = {"softbreak": " ", "hardbreak": "\n"}.get(child.type, child.content)
        if text and not child.type.endswith(("_open", "_close")):
            runs.append((text, "B" * bool(bold) + "I" * bool(italic), link))
    return runs


def split_checkbox(runs: list[Run]) -> tuple[str | None, list[Run]]:
    """Take a task-list marker, '[ ] ' or '[x] ', off the start of a list item."""
    if runs and (found := re.match(r"\[([ xX])\]\s+", runs[0][0])):
        mark = "[ ]" if found.group(1) == " " else "[x]"
        return mark, [(runs[0][0][found.end() :], *runs[0][1:]), *runs[1:]]
    return None, runs


def typeset(pdf: ResourcePDF, markdown: str, title: str, byline: str) -> None:
    """Headings, paragraphs, bullets, numbered items and checkbox items, in order."""
    md = MarkdownIt("commonmark", {"typographer": True, "html": False})
    tokens = md.enable(["replacements", "smartquotes"]).parse(markdown)
    if not any(t.tag == "h1" for t in tokens):  # no "# Title" line: use settings'
        tokens = md.parse(f"# {title}") + tokens
    lists: list[list] = []  # one [ordered?, next number] per open list
    heading, first_in_item = 0, False
    for token in tokens:
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            start = int(token.attrs.get("start", 1))
            lists.append([kind == "ordered_list_open", start])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            pdf.ln(4)
        elif kind in ("heading_open", "list_item_open"):
            heading = int(token.tag[1]) if kind == "heading_open" else 0
            first_in_item = kind == "list_item_open"
        elif kind == "inline" and heading:
            pdf.heading("".join(run[0] for run in inline_runs(token)), heading, byline)
            heading = 0
        elif kind == "inline" and lists:
            mark, runs = split_checkbox(inline_runs(token))
            if first_in_item and not mark:
                ordered, number = lists[-1]
                mark = f"{number}." if ordered else "\u2022"
                lists[-1][1] += 1
            pdf.item(runs, mark if first_in_item else None, len(lists) - 1)
            first_in_item = False
        elif kind in ("inline", "code_block", "fence"):
            pdf.paragraph(inline_runs(token) or [(token.content, "", "")], pdf.l_margin)
            pdf.ln(BODY * 0.7)


def resource_pdf(
    site_dir: Path,
    resource: Resource,
    cache_dir: Path,
    settings: SiteSettings | None = None,
) -> Path:
    """The resource's PDF in `cache_dir`, typeset only if nothing printed has changed.

    Safe when several requests ask at once: each writes a private temporary file and
    moves it into place in one step, so nobody ever reads a half-written PDF.
    """
    settings = settings or load_settings(Path(site_dir))
    source = Path(site_dir) / "resources" / resource.source
    try:
        markdown = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SiteError(
            f"{source}: this file for the resource '{resource.slug}' is missing; add "
            "it, or remove the resource from settings.toml"
        ) from None
    font = installed_font()
    printed = [LAYOUT_VERSION, markdown, resource.model_dump(), font and font[0]]
    printed += [settings.site.model_dump(mode="json"), settings.owner.name]
    digest = hashlib.sha256(json.dumps(printed).encode()).hexdigest()[:16]
    cache_dir = Path(cache_dir)
    target = cache_dir / f"{resource.slug}-{digest}.pdf"
    if target.is_file():
        return target

    pdf = ResourcePDF(settings)
    pdf.set_title(resource.title)
    pdf.set_subject(resource.summary)
    pdf.set_author(settings.owner.name)
    pdf.set_creator(settings.site.name)
    language = settings.site.language
    pdf.set_lang("en-US" if language == "en" else language)  # the readers are in the US
    pdf.viewer_preferences = ViewerPreferences(display_doc_title=True)
    pdf.add_page()
    byline = f"From {settings.owner.name}, {settings.site.name}"
    typeset(pdf, markdown, resource.title, byline)

    cache_dir.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=cache_dir, prefix=f".{resource.slug}-")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(pdf.output())
        os.chmod(temporary, 0o644)  # readable by the web server if a deploy built it
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return target


def app_resource_pdf(resource: Resource) -> Path:
    """`resource_pdf` for the running app, cached in `instance/resources/`."""
    site = current_app.extensions["site"]
    cache_dir = Path(current_app.instance_path) / "resources"
    return resource_pdf(site.path, resource, cache_dir, site.settings)


@click.command("build-resources")
@with_appcontext
def build_resources() -> None:
    """Typeset every resource listed in settings.toml and print where each PDF went."""
    resources = current_app.extensions["site"].settings.resources
    if not resources:
        click.echo("No resources are listed in settings.toml; nothing to build.")
    failed = False
    for resource in resources:
        try:
            click.echo(f"{resource.title}: {app_resource_pdf(resource)}")
        except SiteError as exc:
            click.echo(str(exc), err=True)
            failed = True
    if failed:
        sys.exit(1)
