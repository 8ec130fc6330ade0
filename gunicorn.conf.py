"""gunicorn settings for production, read by `gunicorn wsgi:app` run in this folder and
by `flask serve`. Environment: PORT (default 8000), WEB_CONCURRENCY (default 2).

The site listens on 127.0.0.1 only: nginx (or another proxy) in front of it takes the
public traffic and the TLS certificate.
"""

import os
from pathlib import Path

from dotenv import load_dotenv
from gunicorn.glogging import Logger

from leadsite.security.logs import redact_path

# The same `.env` the app reads, so PORT and WEB_CONCURRENCY may live there too.
load_dotenv(Path(__file__).with_name(".env"))

bind = f"127.0.0.1:{os.environ.get('PORT') or 8000}"

# A few processes, each with a few threads: enough for a small site on a small
# server, and a slow request (a PDF, a mail provider) does not hold up the others.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2)
worker_class = "gthread"
threads = 4
# Each process holds at most twice as many connections as it has threads. A
# kept-alive connection (nginx keeps some open to the site) stays with the process
# that accepted it; without a cap one process may take them all and queue their
# requests for its 4 threads while the other one idles.
worker_connections = 2 * threads

# A request taking over 30 s is stuck: its worker is restarted. On stop or reload,
# requests under way get 20 s to finish.
timeout = 30
graceful_timeout = 20
keepalive = 5

# Access log and errors on standard output and error, for journald or the terminal.
accesslog = "-"
errorlog = "-"


class RedactingLogger(Logger):
    """The access log without mailed-link tokens: they are cut from the request
    line, the path, the referrer and every other logged value (a confirm page's
    links send its address as the next page's referrer)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: redact_path(value) if isinstance(value, str) else value
            for key, value in atoms.items()
        }


logger_class = RedactingLogger

# No runtime control socket (gunicorn 25.1 and later): nothing here uses gunicornc.
control_socket_disable = True

# Trust X-Forwarded-Proto only from the proxy on this machine (the default too).
forwarded_allow_ips = "127.0.0.1,::1"
