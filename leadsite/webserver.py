"""gunicorn run inside the `flask serve` process, its master also in charge of the
mail worker. Apart from `serve` so that gunicorn is imported by that command only."""

from __future__ import annotations

import os
import runpy

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

from .serve import GUNICORN_CONF, MailWorker


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
