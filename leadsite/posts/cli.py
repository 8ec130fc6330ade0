"""`flask posts import DIR` and `flask posts export DIR`: Markdown files in and out."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from ..extensions import db
from .importing import export_folder, import_folder


def posts_word(count: int) -> str:
    """1 post, 2 posts."""
    return f"{count} post" if count == 1 else f"{count} posts"


posts_cli = AppGroup("posts", help="Import and export posts as Markdown files.")


@posts_cli.command("import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
def import_command(folder: str) -> None:
    """Add (or update, by slug) every .md post in FOLDER."""
    saved, problems = import_folder(Path(folder))
    db.session.commit()
    for problem in problems:
        click.echo(problem, err=True)
    click.echo(f"{posts_word(len(saved))} imported from {folder}.")
    if problems:
        sys.exit(1)


@posts_cli.command("export")
@click.argument("folder", type=click.Path(file_okay=False))
def export_command(folder: str) -> None:
    """Write every post and page as <slug>.md in FOLDER."""
    written = export_folder(Path(folder))
    click.echo(f"{posts_word(len(written))} written to {folder}.")
