"""`flask serve`: the whole site in one command, for a first run or a small server.

It brings the database up to date, starts the mail worker (`flask outbox work`) as a
child process and serves the app with gunicorn, set up from `gunicorn.conf.py`. The
mail worker is started again if it stops by itself, and stopped when gunicorn stops.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from pathlib import Path

import click
import flask_migrate
from flask import current_app

from .extensions import db

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONF = ROOT / "gunicorn.conf.py"
MAIL_WORKER = [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "work"]


class MailWorker:
    """The mail delivery child process: started, watched, restarted, stopped."""

    first_pause = 5.0  # seconds before a restart; doubles while it keeps failing
    longest_pause = 300.0
    settled_after = 60.0  # a worker that ran this long counts as healthy again
    stop_wait = 20.0  # seconds to finish the mail in hand (MAIL_TIMEOUT is 10)

    def __init__(self, log) -> None:
        self.log = log
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0
        self.restart_at = 0.0
        self.pause = self.first_pause
        self.stopping = False

    def start(self) -> None:
        # Its own process group: Ctrl+C in a terminal reaches only `flask serve`,
        # which then stops the worker itself and waits for it.
        self.process = subprocess.Popen(MAIL_WORKER, cwd=ROOT, process_group=0)
        self.started_at = time.monotonic()
        self.log.info("Started the mail worker (pid: %s)", self.process.pid)

    def check(self) -> None:
        """Notice a worker that stopped by itself, and start it again after a pause."""
        if self.stopping:
            return
        if self.process is None:
            if time.monotonic() >= self.restart_at:
                self.start()
            return
        code = self.process.poll()
        if code is None:
            return
        if time.monotonic() - self.started_at >= self.settled_after:
            self.pause = self.first_pause
        self.log.error(
            "The mail worker stopped (exit code %s); starting it again in %d s. "
            "Queued mail waits in the outbox meanwhile.",
            code,
            self.pause,
        )
        self.process = None
        self.restart_at = time.monotonic() + self.pause
        self.pause = min(self.pause * 2, self.longest_pause)

    def stop(self) -> None:
        """Ask the worker to stop; kill it if it has not within `stop_wait`."""
        self.stopping = True
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(self.stop_wait)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        self.log.info("Stopped the mail worker (pid: %s)", process.pid)


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
