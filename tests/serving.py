"""A server a test runs in a thread of its own: the site itself for the browser, a
POP3 mailbox, another site to fetch pictures from.

`serve_forever` looks for the stop request every `poll_interval` seconds, 0.5 by
default: every test that stops a server would wait for it, up to half a second.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from socketserver import BaseServer

POLL_SECONDS = 0.02


@contextmanager
def serving(server: BaseServer) -> Iterator[BaseServer]:
    """Serve until the block ends, then stop and close the server."""
    thread = threading.Thread(
        target=server.serve_forever, args=(POLL_SECONDS,), daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
