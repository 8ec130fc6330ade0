"""A throwaway PostgreSQL server for the tests, started from the installed binaries
with pytest-postgresql's executor, so no one has to set one up to run the suite.

PostgreSQL refuses to run as root. As root (CI, containers) its programs run as the
`postgres` user that the distribution's package makes, through `runuser`.
"""

from __future__ import annotations

import glob
import os
import pwd
import shlex
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from pytest_postgresql.executors import PostgreSQLExecutor

# Debian and Ubuntu keep the server programs off PATH, one folder per version.
DEBIAN_PG_CTL = "/usr/lib/postgresql/*/bin/pg_ctl"
# Nothing here must survive a crash, so the server need not wait for the disk.
NO_DURABILITY = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


class Unavailable(Exception):
    """PostgreSQL cannot run on this machine; the message says why."""


def find_pg_ctl() -> str | None:
    """pg_ctl from PATH, else the newest Debian-style install, else None."""
    found = shutil.which("pg_ctl")
    if found:
        return found

    def version(path: str) -> int:
        number = Path(path).parts[-3]
        return int(number) if number.isdigit() else 0

    return max(glob.glob(DEBIAN_PG_CTL), key=version, default=None)


def run_as_postgres(pg_ctl: str, folder: Path) -> tuple[str, Path]:
    """A pg_ctl stand-in in `folder` that runs the real one as `postgres`, and a
    folder inside it that `postgres` owns, for the data, socket and log."""
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        raise Unavailable(
            "PostgreSQL refuses to run as root and there is no `postgres` user "
            "to run it as"
        ) from None
    folder.chmod(0o711)  # `postgres` may pass through, not list or write
    own = folder / "postgres"
    own.mkdir()
    os.chown(own, user.pw_uid, user.pw_gid)
    wrapper = folder / "pg_ctl"
    wrapper.write_text(
        f'#!/bin/sh\ncd / && exec runuser -u postgres -- {shlex.quote(pg_ctl)} "$@"\n'
    )
    wrapper.chmod(0o755)
    return str(wrapper), own


@contextmanager
def throwaway_server(pg_ctl: str, port: int) -> Iterator[sa.URL]:
    """Start a new server on 127.0.0.1:`port` in a temporary folder; yield the URL
    of its `postgres` database (superuser, no password); stop and delete it after."""
    folder = Path(tempfile.mkdtemp(prefix="leadsite-postgres-"))
    try:
        executable, own = pg_ctl, folder
        if os.geteuid() == 0:
            executable, own = run_as_postgres(pg_ctl, folder)
        executor = PostgreSQLExecutor(
            executable=executable,
            host="127.0.0.1",
            port=port,
            datadir=str(own / "data"),
            unixsocketdir=str(own),
            logfile=str(own / "postgresql.log"),
            startparams="-w",
            dbname="postgres",
            user="postgres",
            postgres_options=NO_DURABILITY,
        )
        executor.start()
        try:
            yield sa.URL.create(
                "postgresql+psycopg",
                username="postgres",
                host="127.0.0.1",
                port=port,
                database="postgres",
            )
        finally:
            executor.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
