"""Owner and operator commands, run as `flask <command>`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from . import backup, serve
from .admin import cli as admin_cli
from .content import SETTINGS_FILE, SiteError, load_site
from .outbox.cli import bounces, outbox
from .posts import check_posts, library
from .posts.checks import check_stored_posts
from .posts.cli import posts_cli
from .readiness import sample_post_warnings, settings_warnings
from .resources import build_resources
from .wix.cli import wix


def register(app: Flask) -> None:
    app.cli.add_command(check_site)
    app.cli.add_command(wix)
    app.cli.add_command(posts_cli)
    app.cli.add_command(build_resources)
    app.cli.add_command(serve.serve)
    app.cli.add_command(outbox)
    app.cli.add_command(bounces)
    admin_cli.register(app)  # `flask admin ...` and `flask leads ...`
    app.cli.add_command(backup.backup_command)
    app.cli.add_command(backup.restore_command)


@click.command("check-site")
@with_appcontext
def check_site() -> None:
    """Check site/settings.toml, the sample posts folder and every stored post;
    print each problem found. In production, also warn about empty required items
    and example values."""
    site_dir = Path(current_app.config["SITE_DIR"])
    try:
        site = load_site(site_dir)
    except SiteError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    problems = check_posts(site_dir) + check_stored_posts(site_dir)
    if problems:
        click.echo("\n".join(problems), err=True)
        sys.exit(1)
    warnings = []
    if current_app.config["APP_ENV"] == "production":
        warnings = settings_warnings(site_dir / SETTINGS_FILE, site.settings)
        warnings += sample_post_warnings(library().all_posts())
        if warnings:
            click.echo("Warning, before the site goes public:", err=True)
            click.echo("\n".join(warnings), err=True)
    if warnings:
        click.echo(f"{site_dir}: no errors; {len(warnings)} warning(s) above.")
    else:
        click.echo(f"{site_dir}: everything looks right.")
