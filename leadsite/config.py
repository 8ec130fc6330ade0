"""Configuration in layers: safe defaults here, then `instance/config.py`, then the
environment (and an optional `.env`), then the mapping a test passes in.

Every key the operator may set is listed in `SETTINGS`, and nowhere else; the README
documents each one (what it does, and its default) and a test keeps the two in step.
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


SETTINGS: dict[str, Setting] = {
    "APP_ENV": Setting("development", str),
    "SECRET_KEY": Setting(None, str),
    "DATABASE_URL": Setting(None, str),
    "SITE_URL": Setting(None, str),
    "SITE_DIR": Setting(None, str),
    "PORT": Setting(8000, int),
    "MAIL_SERVER": Setting(None, str),
    "MAIL_PORT": Setting(25, int),
    "MAIL_USE_TLS": Setting(False, bool),
    "MAIL_USE_SSL": Setting(False, bool),
    "MAIL_USERNAME": Setting(None, str),
    "MAIL_PASSWORD": Setting(None, str),
    "MAIL_DEFAULT_SENDER": Setting("no-reply@localhost", str),
    "MAIL_LIST_SENDER": Setting(None, str),
    "DKIM_SELECTOR": Setting(None, str),
    "DKIM_DOMAIN": Setting(None, str),
    "DKIM_PRIVATE_KEY_FILE": Setting(None, str),
    "MAIL_TIMEOUT": Setting(10, int),
    "MAIL_MAX_ATTEMPTS": Setting(30, int),
    "OWNER_EMAIL": Setting(None, str),
    "RESOURCE_LINK_DAYS": Setting(7, int),
    "PURGE_AFTER_DAYS": Setting(90, int),
    "SUPPRESSION_KEY": Setting(None, str),
    "FORM_RATE_LIMIT": Setting(10, int),
    "FORM_RATE_WINDOW": Setting(600, int),
    "CONFIRM_MAIL_PER_HOUR": Setting(100, int),
    "UNCONFIRMED_MAIL_GAP_MINUTES": Setting(15, int),
    "UNCONFIRMED_MAIL_PER_DAY": Setting(3, int),
    "BOUNCE_MAILBOX_URL": Setting(None, str),
    "BOUNCE_CHECK_MINUTES": Setting(15, int),
    "RATELIMIT_STORAGE_URL": Setting(None, str),
    "TRUSTED_PROXY_HOPS": Setting(0, int),
    "TRUSTED_HOSTS": Setting(None, str),
    "MAX_CONTENT_LENGTH": Setting(524288, int),
    "MAX_FORM_PARTS": Setting(100, int),
    "HSTS_INCLUDE_SUBDOMAINS": Setting(False, bool),
    "PICTURE_MAX_BYTES": Setting(15 * 1024 * 1024, int),
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
