"""The free resources: the owner's Markdown in `site/resources/`, printed as a PDF.

The Markdown is rendered as posts are, put into `templates/resources/print.html`
and typeset by WeasyPrint as a tagged PDF/UA-1 file: headings, paragraphs and lists
carry structure tags in reading order, the file names its language and title, the
headings become bookmarks, and every font is embedded.

Each PDF is built once and kept in the instance folder under a name that includes a
hash of the printed HTML (text, title, owner, site name, SITE_URL, print CSS) and of
LAYOUT_VERSION, so any change builds a fresh file and an old one is never served.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import sys
import tempfile
import threading
from importlib.metadata import version
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from ..content import Resource, SiteError, SiteSettings, load_settings
from ..posts.render import MARKDOWN, sanitise, sized_images

LAYOUT_VERSION = "2"  # bump when the build below changes, to rebuild cached PDFs
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
TITLE_LINE = re.compile(r"\A\s*#[ \t][^\n]*\n?")  # "# Title" as the first line
TASK = re.compile(r"<li>(\s*<p>)?\[([ xX])\]\s+")  # "- [ ] Call the school"
BUILDING = threading.Lock()  # one build at a time in this process


@functools.cache
def print_templates() -> Environment:
    """Jinja for the print template, usable without a running app (tests, CLI)."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"])
    )


def checkboxes(html: str) -> str:
    """Task-list items as list items with a box to tick in pen (ticked for [x])."""

    def box(found: re.Match) -> str:
        done = " done" if found.group(2) in "xX" else ""
        return f'<li class="task{done}">{found.group(1) or ""}'

    return TASK.sub(box, html)


def body_html(markdown: str, site_dir: Path) -> str:
    """The Markdown rendered and cleaned as a post is, less a "# Title" first line:
    the printed title is the one in settings.toml, so the two cannot differ."""
    html = MARKDOWN.render(TITLE_LINE.sub("", markdown, count=1))
    return checkboxes(sized_images(sanitise(html), site_dir))


def print_html(
    resource: Resource, markdown: str, settings: SiteSettings, site_dir: Path, url: str
) -> str:
    """The whole printed document as HTML, its print CSS included."""
    language = settings.site.language
    return (
        print_templates()
        .get_template("resources/print.html")
        .render(
            resource=resource,
            body=Markup(body_html(markdown, site_dir)),
            lang="en-US" if language == "en" else language,  # the readers are in the US
            owner=settings.owner.name,
            site_name=settings.site.name,
            site_url=url,
        )
    )


def resource_pdf(
    site_dir: Path,
    resource: Resource,
    cache_dir: Path,
    *,
    site_url: str,
    settings: SiteSettings | None = None,
) -> Path:
    """The resource's PDF in `cache_dir`, typeset only if nothing printed has changed.

    Safe when several requests ask at once: one builds while the others wait, and
    the file is written under a temporary name and moved into place in one step, so
    no other process ever reads a half-written PDF.
    """
    site_dir, cache_dir = Path(site_dir), Path(cache_dir)
    settings = settings or load_settings(site_dir)
    site_url = site_url.rstrip("/")
    source = site_dir / "resources" / resource.source
    try:
        markdown = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SiteError(
            f"{source}: this file for the resource '{resource.slug}' is missing; add "
            "it, or remove the resource from settings.toml"
        ) from None
    html = print_html(resource, markdown, settings, site_dir, site_url)
    printed = "\0".join((LAYOUT_VERSION, version("weasyprint"), site_url, html))
    digest = hashlib.sha256(printed.encode()).hexdigest()[:16]
    target = cache_dir / f"{resource.slug}-{digest}.pdf"
    with BUILDING:
        if target.is_file():
            return target
        from .typeset import tagged_pdf  # loads WeasyPrint and Pango on first use

        pdf = tagged_pdf(html, site_dir, site_url)
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=cache_dir, prefix=f".{resource.slug}-")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(pdf)
            # Readable by the web server if a deploy built it.
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        finally:
            Path(temporary).unlink(missing_ok=True)
    return target


def app_resource_pdf(resource: Resource) -> Path:
    """`resource_pdf` for the running app, cached in `instance/resources/`."""
    site = current_app.extensions["site"]
    return resource_pdf(
        site.path,
        resource,
        Path(current_app.instance_path) / "resources",
        site_url=current_app.config["SITE_URL"],
        settings=site.settings,
    )


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
