"""The background worker (`flask outbox work`): delivers due mail, round after
round, until stopped; now and then it also reads the bounce mailbox
(BOUNCE_CHECK_MINUTES) and forgets long-expired link tokens."""

from __future__ import annotations

import logging
import signal
import threading
import time

from flask import current_app

from ..extensions import db
from ..tokens import purge_expired
from .bounces import check_bounces
from .delivery import deliver_due

log = logging.getLogger(__name__)

PURGE_EVERY_SECONDS = 3600


class Chores:
    """The worker's occasional jobs, each when its time has come (the first round
    does them all)."""

    def __init__(self) -> None:
        self.last: dict[str, float] = {}

    def due(self, name: str, every: float) -> bool:
        now = time.monotonic()
        if now - self.last.get(name, -every) < every:
            return False
        self.last[name] = now
        return True

    def run(self) -> None:
        config = current_app.config
        if config.get("BOUNCE_MAILBOX_URL") and self.due(
            "bounces", 60 * config["BOUNCE_CHECK_MINUTES"]
        ):
            try:
                found = check_bounces()
                log.info("Bounce mailbox read: %s", found)
            except Exception as error:  # the mailbox may be away: try next time
                db.session.rollback()
                log.warning("Could not read the bounce mailbox: %s", error)
        if self.due("tokens", PURGE_EVERY_SECONDS):
            purge_expired()
            db.session.commit()


def run_worker(poll_seconds: float = 2, stop: threading.Event | None = None) -> None:
    """Work until `stop` is set or SIGTERM/SIGINT arrives, then return.

    On a stop, the message being sent finishes and the rest of the batch goes back
    to the queue. An error (say, the database restarting) is logged and waited out.
    """
    stop = stop or threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, lambda *_: stop.set())
    log.info("Worker started; stop it with Ctrl+C.")
    chores = Chores()
    try:
        while not stop.is_set():
            try:
                chores.run()
                busy = sum(deliver_due(stop=stop).values())
            except Exception:
                log.exception("Worker round failed; trying again shortly")
                db.session.remove()
                stop.wait(max(poll_seconds, 10))
                continue
            if not busy:
                stop.wait(poll_seconds)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        db.session.remove()
        log.info("Worker stopped.")
