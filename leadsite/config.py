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
    "OWNER_EMAIL": Setting(None, str, "Where notifications of new messages go."),
    "RESOURCE_LINK_DAYS": Setting(7, int, "Days a free-resource download link works."),
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
