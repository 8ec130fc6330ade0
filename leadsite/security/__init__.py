"""Abuse resistance and hardening, in one `init_app` step of the factory.

- `bottrap`: the honeypot on every public form (`GuardedForm`); what it catches
  is held for the owner, never dropped.
- `origin`: public forms refuse a POST another site's page made (no session
  needed, so public pages set no cookie).
- `ratelimit`: per-client submission limit and the hourly cap on confirmation
  mail, shared by all workers (database, or Redis).
- `domains`: throwaway and SMS-gateway mail domains the forms refuse.
- `hosts`: trusted proxy hops, trusted host names, no debugger in production.
- `headers`: CSP, HSTS and friends on every response.
- `files`: no dotfiles through the static and media routes.
- `failures`: friendly 413, 429 and 503 pages.
- `formlimits`: at most MAX_FORM_PARTS fields per submission, urlencoded too.
- `logs`: no mailed-link tokens or full addresses in the logs.
"""

from __future__ import annotations

from flask import Flask

from . import failures, files, formlimits, headers, hosts, ratelimit


def init_app(app: Flask) -> None:
    """Called last in the factory: the WSGI layers (headers, then ProxyFix) wrap
    everything else, WhiteNoise's static files included."""
    ratelimit.init_app(app)
    formlimits.init_app(app)
    files.init_app(app)
    failures.register(app)
    headers.init_app(app)
    hosts.init_app(app)  # ProxyFix outermost: every layer sees the real client
