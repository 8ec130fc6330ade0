"""The background worker (`flask outbox work`): delivers due mail, round after
round, until stopped."""

from __future__ import annotations

import logging
import signal
import threading

from ..extensions import db
from .delivery import deliver_due

log = logging.getLogger(__name__)


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
    try:
        while not stop.is_set():
            try:
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
