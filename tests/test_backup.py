"""`flask backup` and `flask restore`: back up, change the data, restore, and the old
data is back. On SQLite always; on PostgreSQL when pg_dump and pg_restore are
installed (they are in CI, where a missing tool fails instead of skipping)."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest
from conftest import missing
from sqlalchemy import delete, select

from leadsite.extensions import db
from leadsite.models import Person


@pytest.fixture
def tools(database_url):
    if database_url.startswith("postgresql") and not (
        shutil.which("pg_dump") and shutil.which("pg_restore")
    ):
        missing("PostgreSQL backups need pg_dump and pg_restore (postgresql-client)")


@pytest.fixture
def instance(app, tmp_path, monkeypatch) -> Path:
    """The app's instance folder, where backups go by default, made private to the
    test."""
    folder = tmp_path / "instance"
    monkeypatch.setattr(app, "instance_path", str(folder))
    return folder


def add_person(app, email: str) -> None:
    with app.app_context():
        db.session.add(Person(email=email, name=""))
        db.session.commit()


def emails(app) -> list[str]:
    with app.app_context():
        found = list(db.session.scalars(select(Person.email).order_by(Person.email)))
        db.session.remove()
        return found


def replace_people(app, email: str) -> None:
    with app.app_context():
        db.session.execute(delete(Person))
        db.session.add(Person(email=email, name=""))
        db.session.commit()


def test_restore_brings_back_the_data_of_the_backup(app, runner, tools, instance):
    add_person(app, "before@example.com")
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    (backup,) = (instance / "backups").iterdir()
    assert f"Backed up the database to {backup}" in result.output
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600  # it holds every lead

    replace_people(app, "after@example.com")
    assert emails(app) == ["after@example.com"]

    result = runner.invoke(args=["restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    assert f"Restored the database from {backup}" in result.output
    assert emails(app) == ["before@example.com"]

    # The data the restore replaced was saved first, and can be brought back too.
    (safety,) = (instance / "backups").glob("before-restore-*")
    assert str(safety) in result.output
    assert runner.invoke(args=["restore", str(safety), "--yes"]).exit_code == 0
    assert emails(app) == ["after@example.com"]


def test_backup_to_a_named_file(app, runner, tools, instance, tmp_path):
    add_person(app, "named@example.com")
    target = tmp_path / "copies" / "tonight.backup"
    result = runner.invoke(args=["backup", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0
    replace_people(app, "other@example.com")
    assert runner.invoke(args=["restore", str(target), "--yes"]).exit_code == 0
    assert emails(app) == ["named@example.com"]


def test_restore_asks_first_and_no_changes_nothing(app, runner, tools, instance):
    add_person(app, "kept@example.com")
    runner.invoke(args=["backup"])
    (backup,) = (instance / "backups").iterdir()
    replace_people(app, "current@example.com")
    result = runner.invoke(args=["restore", str(backup)], input="n\n")
    assert "Replace every lead" in result.output
    assert result.exit_code == 1
    assert emails(app) == ["current@example.com"]


def test_restore_refuses_a_file_that_is_not_a_backup(
    app, runner, tools, instance, tmp_path
):
    add_person(app, "kept@example.com")
    notes = tmp_path / "notes.txt"
    notes.write_text("Not a backup, just notes.\n")
    result = runner.invoke(args=["restore", str(notes), "--yes"])
    assert result.exit_code == 1
    assert "Nothing was changed" in result.output
    assert emails(app) == ["kept@example.com"]
