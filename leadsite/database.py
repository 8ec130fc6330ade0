"""Engine set-up per database: SQLite gets WAL, a busy timeout, foreign keys and
write-locking transactions; PostgreSQL needs nothing special.

SQLite's plain `BEGIN` takes the write lock only at the first write, so a
read-then-write under two gunicorn workers fails with "database is locked" whatever
the busy timeout. `BEGIN IMMEDIATE` takes the lock at the start, where waiting works.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine

SQLITE_BUSY_TIMEOUT_MS = 10_000


def engine_options(url: str) -> dict:
    """Pool settings: PostgreSQL connections are tested before use (the server may
    have restarted); a SQLite file cannot go away, so its test would be wasted."""
    return {} if url.startswith("sqlite") else {"pool_pre_ping": True}


def configure_engine(engine: Engine) -> None:
    """Attach the SQLite connection and transaction hooks; a no-op elsewhere."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite would not).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
