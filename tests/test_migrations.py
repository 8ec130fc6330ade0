"""The migrations build exactly the tables the models describe, on SQLite and on
PostgreSQL, so the two cannot drift apart.

Each test upgrades an empty database of its own: a new SQLite file, or a new
PostgreSQL database made on TEST_DATABASE_URL's server and dropped afterwards.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from leadsite import create_app
from leadsite.config import normalise_database_url
from leadsite.extensions import db
from leadsite.serve import upgrade_database

TESTS = Path(__file__).parent


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    """The URL of a database with nothing in it."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    server = sa.make_url(
        normalise_database_url(request.getfixturevalue("postgres_url"))
    )
    name = f"leadsite_migrations_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(autouse=True)
def restore_logging():
    """Alembic's logging set-up (migrations/env.py) rewires the root logger and turns
    other loggers off; put everything back for the tests that run after these."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    loggers = [
        x
        for x in logging.root.manager.loggerDict.values()
        if isinstance(x, logging.Logger)
    ]
    states = {logger: logger.disabled for logger in loggers}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for logger in logging.root.manager.loggerDict.values():
        if isinstance(logger, logging.Logger):
            logger.disabled = states.get(logger, False)


def make_app(database_url: str):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-that-is-long-enough",
            "DATABASE_URL": database_url,
            "SITE_DIR": str(TESTS / "site"),
        }
    )


def test_migrations_build_what_the_models_describe(empty_database):
    app = make_app(empty_database)
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names())
            context = MigrationContext.configure(
                connection, opts={"compare_type": True}
            )
            differences = compare_metadata(context, db.metadata)
        db.engine.dispose()

    assert set(db.metadata.tables) | {"alembic_version"} <= tables
    assert differences == [], (
        "The models and the migrations differ; generate a migration with "
        "`flask db migrate -m '...'`, read it, and commit it:\n"
        + "\n".join(map(str, differences))
    )


def test_upgrade_keeps_the_app_logger_on(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'site.db'}")
    app.logger.disabled = False
    with app.app_context():
        upgrade_database()
        db.engine.dispose()
    assert not app.logger.disabled
