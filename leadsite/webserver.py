"""gunicorn run inside the `flask serve` process, its master also in charge of the
mail worker (started, watched, restarted if it stops by itself, stopped with
gunicorn). Apart from `serve` so that gunicorn is imported by that command only."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
import time
from pathlib import Path

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

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


class ServeArbiter(Arbiter):
    """gunicorn's master process, also in charge of the mail worker."""

    def __init__(self, app: SiteServer) -> None:
        super().__init__(app)
        self.mail_worker = app.mail_worker

    def start(self) -> None:
        super().start()
        self.mail_worker.log = self.log
        self.mail_worker.start()

    def reap_workers(self) -> None:
        # gunicorn's waitpid(-1) would reap the mail worker too: look at it first.
        self.mail_worker.check()
        super().reap_workers()

    def manage_workers(self) -> None:
        super().manage_workers()
        self.mail_worker.check()

    def stop(self, graceful: bool = True) -> None:
        self.mail_worker.stop()
        super().stop(graceful)


class SiteServer(BaseApplication):
    """gunicorn run inside this process, serving the app `flask` loaded."""

    def __init__(self, app: Flask, port: int) -> None:
        self.application = app
        self.port = port
        self.mail_worker = MailWorker(app.logger)
        super().__init__()

    def load_config(self) -> None:
        settings = runpy.run_path(str(GUNICORN_CONF))
        for name, value in settings.items():
            if name in self.cfg.settings:
                self.cfg.set(name, value)
        self.cfg.set("bind", [f"127.0.0.1:{self.port}"])

    def load(self) -> Flask:
        return self.application

    def run(self) -> None:
        master = os.getpid()
        try:
            ServeArbiter(self).run()
        finally:
            # Forked web workers leave through here too; only the master owns the
            # mail worker.
            if os.getpid() == master:
                self.mail_worker.stop()
