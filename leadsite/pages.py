"""The site's own pages (About, Privacy notice, Accessibility statement), read from
Markdown files with front matter (title, slug, summary) in `site/pages/`.

A stand-in until the page store serves them: one view, one template, so the links
in the footer and beside each consent wording work now.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import frontmatter
from flask import Blueprint, abort, current_app, render_template

from .posts import sanitise
from .posts.render import MARKDOWN

bp = Blueprint("pages", __name__)

PAGES_DIR = "pages"


@dataclass(frozen=True)
class Page:
    title: str
    slug: str
    summary: str
    html: str


def read_page(site_dir: Path, slug: str) -> Page | None:
    """The page in `site/pages/<slug>.md`, rendered; None if there is no such file."""
    path = site_dir / PAGES_DIR / f"{slug}.md"
    if not path.is_file():
        return None
    source = frontmatter.loads(path.read_text(encoding="utf-8"))
    return Page(
        title=str(source.metadata.get("title", slug.title())),
        slug=slug,
        summary=str(source.metadata.get("summary", "")),
        html=sanitise(MARKDOWN.render(source.content)),
    )


@bp.get("/<any(about, privacy, accessibility):slug>")
def page(slug: str):
    """About, the privacy notice or the accessibility statement."""
    found = read_page(Path(current_app.config["SITE_DIR"]), slug)
    if found is None:
        abort(404)
    return render_template("public/page.html", page=found)
