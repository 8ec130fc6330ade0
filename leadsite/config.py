"""Configuration in layers: safe defaults here, then `instance/config.py`, then the
environment (and an optional `.env`), then the mapping a test passes in.

Every key the operator may set is listed in `SETTINGS`; the README documents each one
and a test keeps the two in step.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

DEV_SECRET_KEY = "dev-only-secret-key-change-me"


@dataclass(frozen=True)
class Setting:
    """One environment setting: its default and how to read its text."""

    default: object
    kind: type = str
    help: str = ""


SETTINGS: dict[str, Setting] = {
    "APP_ENV": Setting(
        "development", str, "`production` turns on the start-up checks."
    ),
    "SECRET_KEY": Setting(None, str, "Signs sessions, forms and mailed links."),
    "DATABASE_URL": Setting(
        None, str, "SQLAlchemy URL; SQLite in `instance/` if unset."
    ),
    "SITE_URL": Setting(
        None, str, "Canonical origin for links; `http://127.0.0.1:PORT` in development."
    ),
    "SITE_DIR": Setting(None, str, "Folder of the owner's content; `site/` if unset."),
    "PORT": Setting(8000, int, "Port of the `flask serve` command."),
    "MAIL_SERVER": Setting(None, str, "SMTP host; unset keeps mail in the outbox."),
    "MAIL_PORT": Setting(25, int, "SMTP port."),
    "MAIL_USE_TLS": Setting(False, bool, "STARTTLS after connecting."),
    "MAIL_USE_SSL": Setting(False, bool, "SMTP over TLS from the start."),
    "MAIL_USERNAME": Setting(None, str, "SMTP user name."),
    "MAIL_PASSWORD": Setting(None, str, "SMTP password."),
    "MAIL_DEFAULT_SENDER": Setting(
        "no-reply@localhost", str, "From address of every mail."
    ),
    "MAIL_TIMEOUT": Setting(10, int, "Seconds before an SMTP attempt gives up."),
    "MAIL_MAX_ATTEMPTS": Setting(
        30, int, "Tries before a mail counts as failed (retries span about a day)."
    ),
    "OWNER_EMAIL": Setting(None, str, "Where notifications of new messages go."),
    "RESOURCE_LINK_DAYS": Setting(7, int, "Days a free-resource download link works."),
    "PURGE_AFTER_DAYS": Setting(
        90, int, "Days after which `flask leads purge` removes unconfirmed leads."
    ),
    "SUPPRESSION_KEY": Setting(
        None, str, "Keys the erased-address list; set once, never change (see privacy)."
    ),
    "FORM_MIN_SECONDS": Setting(
        3, int, "A form sent sooner than this after it was shown counts as a bot."
    ),
    "FORM_MAX_SECONDS": Setting(
        86400, int, "A form sent later than this after it was shown counts as a bot."
    ),
    "FORM_RATE_LIMIT": Setting(
        10, int, "Form submissions one address (IPv6: one /64) may make per window."
    ),
    "FORM_RATE_WINDOW": Setting(600, int, "Seconds in that rate-limit window."),
    "CONFIRM_MAIL_PER_HOUR": Setting(
        100, int, "Confirmation mails sent per hour at most; the rest wait their turn."
    ),
    "RATELIMIT_STORAGE_URL": Setting(
        None, str, "`redis://...` keeps rate limits in Redis; unset: in the database."
    ),
    "TRUSTED_PROXY_HOPS": Setting(
        0, int, "Proxies in front of the site (1 behind nginx); 0 trusts no header."
    ),
    "TRUSTED_HOSTS": Setting(
        None, str, "Host names served, comma-separated; unset: SITE_URL's host."
    ),
    "MAX_CONTENT_LENGTH": Setting(
        524288, int, "Largest request body in bytes; larger gets a friendly 413."
    ),
    "PICTURE_MAX_BYTES": Setting(
        15 * 1024 * 1024, int, "Largest picture the admin may upload, in bytes."
    ),
}

TRUE_WORDS = {"1", "true", "yes", "on"}


def parse_value(name: str, raw: str) -> object:
    """Turn an environment string into the setting's type, or explain the problem."""
    kind = SETTINGS[name].kind
    if kind is bool:
        return raw.strip().lower() in TRUE_WORDS
    if kind is int:
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{name} must be a whole number, got {raw!r}") from None
    return raw


def normalise_database_url(url: str) -> str:
    """Accept `postgres://` (as hosting providers hand it out) and use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def environment_settings(environ: os._Environ | dict) -> dict[str, object]:
    """Read the known settings from the environment; unknown names are ignored."""
    found = {}
    for name in SETTINGS:
        raw = environ.get(name)
        if raw not in (None, ""):
            found[name] = parse_value(name, raw)
    return found


def instance_secret_key(instance_path: str) -> str:
    """A development key kept in the instance folder, so sessions survive restarts."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def check_production(config: dict) -> None:
    """Refuse to start a production site with development secrets or no origin."""
    if config["APP_ENV"] != "production":
        return
    problems = []
    key = config.get("SECRET_KEY")
    if not key or key == DEV_SECRET_KEY or len(key) < 24:
        problems.append("SECRET_KEY must be set to a long random value")
    if not config.get("SITE_URL"):
        problems.append(
            "SITE_URL must be set to the public origin, e.g. https://example.com"
        )
    if problems:
        raise RuntimeError("Refusing to start in production: " + "; ".join(problems))
