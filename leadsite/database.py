"""Engine set-up per database: SQLite gets WAL, a busy timeout, foreign keys and
write-locking transactions; PostgreSQL needs nothing special.

SQLite's plain `BEGIN` takes the write lock only at the first write, so a
read-then-write under two gunicorn workers fails with "database is locked" whatever
the busy timeout. `BEGIN IMMEDIATE` takes the lock at the start, where waiting works.
A read that will write nothing (`short_read`: a page view's queries) begins with a
plain `BEGIN`: under WAL it reads a snapshot and neither waits for a writer nor
makes one wait.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from .extensions import db

READ_ONLY = "leadsite_read_only"  # a connection execution option, read at BEGIN

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
        read_only = connection.get_execution_options().get(READ_ONLY)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def under_way(session: Session) -> bool:
    """Whether the session has a transaction or changes that a read must join."""
    return session.in_transaction() or bool(
        session.new or session.dirty or session.deleted
    )


@contextmanager
def short_read():
    """Reads that write nothing, in a transaction of their own ended right after,
    when the session held no transaction and no changes: on SQLite it takes no
    write lock (see above). Inside a transaction already under way, the reads
    simply join it."""
    session = db.session()
    clean = not under_way(session)
    if clean:
        session.connection(execution_options={READ_ONLY: True})
    try:
        yield
    finally:
        if clean:
            session.rollback()


@contextmanager
def read_connection() -> Iterator[Connection | Session]:
    """Where to run a query that writes nothing (`.execute(statement, params)`):
    the session itself when it has a transaction or changes under way, so they are
    seen; else a pooled connection in a read-only transaction of its own, ended
    right after (no ORM session to set up and tear down: a page view's query)."""
    if db.session.registry.has():  # else this request has no session to consult
        session = db.session()
        if under_way(session):
            yield session
            return
    with db.engine.connect().execution_options(**{READ_ONLY: True}) as connection:
        yield connection


class NewRow:
    """`INSERT … RETURNING` one row of `model`, loaded as the ORM's object (its
    session tracks it as if read): one statement, built once per dialect. The
    ORM's own INSERT (the unit of work, or an ORM-enabled `insert()`) costs about
    twice as much per row, which counts in a transaction that holds SQLite's
    write lock.

    `unique`: the columns of a unique constraint; a row that would break it is
    not inserted (ON CONFLICT DO NOTHING, on SQLite and PostgreSQL alike) and
    `insert` returns None, so the caller reads the row already there instead of
    undoing its transaction.
    """

    DIALECTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}

    def __init__(self, model, unique: tuple[str, ...] = ()) -> None:
        self.model = model
        self.unique = unique
        self.built: dict[str, object] = {}

    def statement(self, dialect: str):
        if dialect not in self.built:
            table = self.model.__table__
            statement = self.DIALECTS[dialect](table)
            if self.unique:
                statement = statement.on_conflict_do_nothing(index_elements=self.unique)
            returning = statement.returning(*table.c)
            self.built[dialect] = select(self.model).from_statement(returning)
        return self.built[dialect]

    def insert(self, **values):
        """The new row's object; None if `unique` found its row already there."""
        statement = self.statement(db.engine.dialect.name)
        return db.session.scalars(statement, values).first()
