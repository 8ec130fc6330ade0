"""Owner and operator commands, run as `flask <command>`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app

from .content import SiteError, load_site


def register(app: Flask) -> None:
    app.cli.add_command(check_site)


@click.command("check-site")
def check_site() -> None:
    """Check site/settings.toml and every post; print each problem found."""
    site_dir = Path(current_app.config["SITE_DIR"])
    try:
        load_site(site_dir)
    except SiteError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"{site_dir}: everything looks right.")
