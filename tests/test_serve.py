"""`flask serve` runs the whole site: it migrates the database, serves pages through
gunicorn, keeps the mail worker running and stops it when the site stops.

Each test starts the real command in its own process, on a free port and a fresh
SQLite file, and looks at it from outside: HTTP, the database file and /proc.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import free_port, wait_for

from leadsite import models  # noqa: F401  (puts every table on the metadata)
from leadsite.config import SETTINGS
from leadsite.extensions import db

ROOT = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = 60


def process_table() -> dict[int, tuple[int, str, str]]:
    """Every process on the machine: pid -> (parent pid, state, command line)."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        # The command name in brackets may hold spaces; the fields follow it.
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        table[int(entry.name)] = (
            int(ppid),
            state,
            cmdline.replace(b"\0", b" ").decode(),
        )
    return table


def is_running(pid: int) -> bool:
    found = process_table().get(pid)
    return found is not None and found[1] not in ("Z", "X")


class Served:
    """A `flask serve` process and what it shows the outside world."""

    def __init__(self, tmp_path: Path) -> None:
        self.port = free_port()
        self.database = tmp_path / "site.db"
        self.log_path = tmp_path / "serve.log"
        env = {
            **os.environ,
            # Only what this test sets; nothing from the developer's shell or .env.
            **{name: "" for name in SETTINGS},
            "PORT": str(self.port),
            "DATABASE_URL": f"sqlite:///{self.database}",
            "SITE_DIR": str(ROOT / "tests" / "site"),
        }
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", "serve"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def ensure_alive(self) -> None:
        if self.process.poll() is not None:
            pytest.fail(
                f"flask serve exited with {self.process.returncode}:\n{self.log()}"
            )

    def get(self, path: str = "/") -> tuple[int, str] | None:
        """Status and body, or None while nothing answers on the port yet."""
        self.ensure_alive()
        url = f"http://127.0.0.1:{self.port}{path}"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return None

    def children(self) -> dict[int, str]:
        table = process_table()
        return {
            pid: cmdline
            for pid, (ppid, state, cmdline) in table.items()
            if ppid == self.process.pid and state not in ("Z", "X")
        }

    def mail_worker(self) -> int | None:
        """The pid of the running `flask outbox work` child, if there is one."""
        self.ensure_alive()
        workers = [
            pid for pid, cmdline in self.children().items() if "outbox work" in cmdline
        ]
        assert len(workers) <= 1, f"more than one mail worker: {workers}"
        return workers[0] if workers else None

    def wait_until_serving(self) -> str:
        try:
            status, body = wait_for(self.get, timeout=STARTUP_SECONDS)
        except AssertionError:
            pytest.fail(f"no answer on port {self.port}:\n{self.log()}")
        assert status == 200, self.log()
        return body

    def wait_for_mail_worker(self, timeout: float = 15) -> int:
        try:
            return wait_for(self.mail_worker, timeout=timeout)
        except AssertionError:
            pytest.fail(f"no running mail worker after {timeout} s:\n{self.log()}")

    def stop(self) -> None:
        """Kill whatever is left, children included, so no test leaks a process."""
        leftovers = list(self.children()) if self.process.poll() is None else []
        for pid in [self.process.pid, *leftovers]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@pytest.fixture
def served(tmp_path):
    site = Served(tmp_path)
    yield site
    site.stop()


@pytest.mark.parametrize(
    "stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"]
)
def test_serve_migrates_serves_and_stops_the_mail_worker(served, stop_signal):
    body = served.wait_until_serving()
    assert "Compliant Content Co." in body

    engine = sa.create_engine(f"sqlite:///{served.database}")
    try:
        tables = set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert set(db.metadata.tables) | {"alembic_version"} <= tables

    mail_worker = served.wait_for_mail_worker()
    web_workers = [pid for pid in served.children() if pid != mail_worker]
    assert web_workers, served.log()

    served.process.send_signal(stop_signal)
    assert served.process.wait(timeout=60) == 0, served.log()
    assert not is_running(mail_worker), "the mail worker outlived flask serve"
    assert not [pid for pid in web_workers if is_running(pid)]


def test_serve_restarts_a_mail_worker_that_stopped(served):
    served.wait_until_serving()
    first = served.wait_for_mail_worker()

    os.kill(first, signal.SIGKILL)

    try:
        wait_for(lambda: served.mail_worker() not in (None, first), 30)
    except AssertionError:
        pytest.fail(f"the mail worker was not started again:\n{served.log()}")
    assert "The mail worker stopped" in served.log()
    status, _ = served.get()
    assert status == 200
