"""`flask backup` and `flask restore FILE`: a copy of the whole database, and the
way back to it.

- SQLite: SQLite's online backup API copies the live database into a new file, a
  consistent copy even while the site is writing; a restore copies it back the same
  way.
- PostgreSQL: `pg_dump --format=custom` (a consistent snapshot, the site may keep
  running) and `pg_restore --clean --single-transaction` (all of it or nothing).

Backups go to `instance/backups/` unless `--output` names a file, readable by the
site's user only: they hold every lead. Before a restore replaces the data, the
current data is backed up too, so a restore of the wrong file can be undone.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import URL, make_url

from .extensions import db

BACKUP_DIR = "backups"


class BackupError(click.ClickException):
    """A problem the operator can fix, explained in one message."""


def database_url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def default_target(url: URL, prefix: str = "site") -> Path:
    """instance/backups/site-20261128-031500.db (or .dump for PostgreSQL)."""
    suffix = ".db" if url.get_backend_name() == "sqlite" else ".dump"
    folder = Path(current_app.instance_path) / BACKUP_DIR
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"{prefix}-{datetime.now(UTC):%Y%m%d-%H%M%S}"
    target, number = folder / f"{name}{suffix}", 1
    while target.exists():  # two in one second: never overwrite a backup
        number += 1
        target = folder / f"{name}-{number}{suffix}"
    return target


def private_file(path: Path) -> None:
    """Create the file empty, readable by its owner only, before data goes in."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.chmod(0o600)


def sqlite_copy(source: str | Path, target: str | Path) -> None:
    """Copy one SQLite database onto another with the online backup API."""
    reader = sqlite3.connect(source)
    try:
        writer = sqlite3.connect(target)
        try:
            reader.backup(writer)
        finally:
            writer.close()
    finally:
        reader.close()


def sqlite_backup(source: str, target: Path) -> None:
    """A backup file that stands alone (no -wal file beside it)."""
    sqlite_copy(source, target)
    writer = sqlite3.connect(target)
    try:
        writer.execute("PRAGMA journal_mode = DELETE")
    finally:
        writer.close()


def check_sqlite_backup(path: Path) -> None:
    try:
        reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            found = reader.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'people'"
            ).fetchone()
        finally:
            reader.close()
    except sqlite3.DatabaseError:
        found = None
    if not found:
        raise BackupError(f"{path} is not a SQLite backup of this site.")


def run_postgres_tool(program: str, arguments: list[str], url: URL) -> None:
    """Run pg_dump or pg_restore on the site's database; the password goes in the
    environment, never on the command line where `ps` would show it."""
    if shutil.which(program) is None:
        raise BackupError(
            f"{program} is not installed. On Debian or Ubuntu: "
            "sudo apt-get install postgresql-client"
        )
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    address = url.set(drivername="postgresql", password=None)
    command = [
        program,
        *arguments,
        "--dbname",
        address.render_as_string(hide_password=False),
    ]
    done = subprocess.run(command, env=environment, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{program} failed:\n{done.stderr.strip()}")


def back_up(target: Path) -> Path:
    """Copy the whole database to `target`; return it."""
    url = database_url()
    if url.get_backend_name() == "sqlite":
        if not Path(url.database or "").is_file():
            raise BackupError(f"There is no database at {url.database} yet.")
        private_file(target)
        sqlite_backup(url.database, target)
    else:
        private_file(target)
        run_postgres_tool("pg_dump", ["--format=custom", "--file", str(target)], url)
    return target


def restore(source: Path) -> None:
    """Replace every row in the database with those in the backup `source`."""
    url = database_url()
    db.session.remove()
    db.engine.dispose()  # no connection of ours may hold a lock meanwhile
    if url.get_backend_name() == "sqlite":
        check_sqlite_backup(source)
        sqlite_copy(source, url.database)
    else:
        options = ["--clean", "--if-exists", "--no-owner", "--no-privileges"]
        options += ["--single-transaction", "--exit-on-error", str(source)]
        run_postgres_tool("pg_restore", options, url)


def size(path: Path) -> str:
    return f"{path.stat().st_size / 1_000_000:.1f} MB"


@click.command("backup")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The backup file; default: instance/backups/site-<date>-<time>.",
)
@with_appcontext
def backup_command(output: Path | None) -> None:
    """Copy the whole database to a file (keep copies off the server too)."""
    target = back_up(output or default_target(database_url()))
    click.echo(f"Backed up the database to {target} ({size(target)}).")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the data.")
@with_appcontext
def restore_command(file: Path, yes: bool) -> None:
    """Replace all the data with the backup FILE. Stop the site and the mail worker
    first; the current data is backed up before it is replaced."""
    if not yes:
        click.confirm(
            f"Replace every lead, message and setting in the database with {file}?",
            abort=True,
        )
    safety = back_up(default_target(database_url(), prefix="before-restore"))
    click.echo(f"Saved the current data first, to {safety}.")
    try:
        restore(file)
    except BackupError as error:
        raise BackupError(f"{error.message}\nNothing was changed.") from None
    click.echo(f"Restored the database from {file}. Start the site again.")
