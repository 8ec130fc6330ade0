"""How the app meets the network: which proxy headers to believe, which host
names to answer to, and never the Werkzeug debugger in production.

- TRUSTED_PROXY_HOPS: X-Forwarded-For/-Proto are believed for exactly that many
  proxies (ProxyFix), so a visitor cannot forge their address to dodge a limit.
  X-Forwarded-Host is never believed.
- TRUSTED_HOSTS: any other Host header gets a 400 (Flask 3.1), so a forged host
  cannot reach a page. Mailed links use SITE_URL regardless (`mail.absolute_url`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import click
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

DEVELOPMENT_HOSTS = ["127.0.0.1", "localhost"]


def trusted_hosts(config) -> list[str] | None:
    """TRUSTED_HOSTS as a list: as configured (comma-separated), else SITE_URL's
    host, plus 127.0.0.1 and localhost outside production. `*` turns the check off
    (for a test that sends a forged Host on purpose); None is Flask's "any host"."""
    given = config.get("TRUSTED_HOSTS")
    if given == "*":
        return None
    if isinstance(given, str):
        given = [h.strip() for h in given.split(",") if h.strip()]
    if given:
        return list(given)
    hosts = [urlsplit(config["SITE_URL"]).hostname or ""]
    if config["APP_ENV"] != "production":
        hosts += DEVELOPMENT_HOSTS
    return [h for h in dict.fromkeys(hosts) if h]


def refuse_debugger(app: Flask) -> None:
    """In production: debug mode off whatever FLASK_DEBUG or instance config say
    (errors then get the friendly page, never a traceback), and no `flask run`,
    whose development server would offer the Werkzeug debugger."""
    app.config["DEBUG"] = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    context = click.get_current_context(silent=True)
    if context is not None and context.info_name == "run":
        raise RuntimeError(
            "Refusing to start: `flask run` is the development server and may offer "
            "the debugger. In production use `flask serve` (or gunicorn)."
        )


def init_app(app: Flask) -> None:
    hops = app.config["TRUSTED_PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)
    if app.config["APP_ENV"] == "production":
        refuse_debugger(app)
