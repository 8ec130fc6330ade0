"""`flask serve`: the whole site in one command, for a first run or a small server.

It brings the database up to date, then serves the app with gunicorn, whose
master also starts the mail worker (`flask outbox work`) as a child process
(`webserver`: gunicorn is imported by this command only).
"""

from __future__ import annotations

import logging

import click
import flask_migrate
from flask import current_app

from .extensions import db


def upgrade_database() -> None:
    """Apply the migrations, and keep the loggers that were on, on.

    Alembic's `fileConfig` (in migrations/env.py) turns off every logger it does not
    name, the app's own included: its error reports would vanish.
    """
    loggers = logging.root.manager.loggerDict.values()
    enabled = [x for x in loggers if isinstance(x, logging.Logger) and not x.disabled]
    flask_migrate.upgrade()
    for logger in enabled:
        logger.disabled = False


@click.command("serve")
def serve() -> None:
    """Apply migrations, start the mail worker and serve the site with gunicorn."""
    app = current_app._get_current_object()
    upgrade_database()
    # The web workers are forked from this process: they must not share its
    # database connections.
    db.engine.dispose()
    port = app.config["PORT"]
    here = f"http://127.0.0.1:{port}"
    click.echo(f"The site is at {here}; Ctrl+C stops it.")
    if app.config["SITE_URL"] != here:
        click.echo(f"Links in mail point to {app.config['SITE_URL']}.")
    from .webserver import SiteServer  # gunicorn: 0.1 s no other command needs

    SiteServer(app, port).run()
