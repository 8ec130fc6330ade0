"""One benchmark run, all on 127.0.0.1: the post page (`pages`), signups on SQLite
and PostgreSQL (`signups`), the leads export (`exports`), each against its floor.

It writes its tables into bench/RESULTS.md (between the `bench:` markers, see
`report`) and its logs under bench/out/. Run it through bench/run.sh, which
checks the tools first; bench/README.md explains each figure and each setting.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from exports import export
from pages import pages
from report import (
    CONNECTIONS,
    REPEAT,
    SECONDS,
    WRK_THREADS,
    load_now,
    report,
    write_results,
)
from servers import ThrowawayPostgres
from signups import BENCH_SETTINGS, signups
from sqlalchemy import create_engine, text

from leadsite.config import normalise_database_url

BENCH = Path(__file__).resolve().parent


def prepare_database(url: str) -> None:
    """Empty the database and create the site's tables (as `flask db upgrade`)."""
    from leadsite import create_app
    from leadsite.extensions import db

    app = create_app({"SECRET_KEY": "x" * 32, "DATABASE_URL": url, "SITE_URL": "x"})
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()


def wrk_once(url: str, seconds: int, env: dict) -> dict:
    done = subprocess.run(
        ["wrk", f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s"]
        + ["--timeout", "30s", "-s", str(BENCH / "get.lua"), url],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=True,
        timeout=seconds + 60,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("BENCH "))
    figures = json.loads(line.removeprefix("BENCH "))
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


class Run:
    """What one run started (to stop it, and only it) and what it measured."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.processes: list = []
        self.rows: list[tuple[str, str, dict, float | None]] = []
        self.notes: list[str] = []
        self.targets: list[tuple[str, str, bool]] = []

    def start(self, process):
        self.processes.append(process)
        return process

    def stop(self, process) -> None:
        process.stop()
        self.processes.remove(process)

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        self.processes.clear()

    def interleaved(self, targets: dict[str, tuple[str, dict]]) -> dict[str, dict]:
        """wrk on each target in turn, REPEAT rounds, on new connections each time,
        so that a slower minute of a shared machine slows them all alike; each
        target's median run, with `turns`: the requests/s of every run, in order,
        so a reader sees how far they spread. (gunicorn's workers keep the
        keep-alive connections they accept, and who accepts how many is luck: one
        run alone may have one worker doing nearly all the work.)"""
        runs: dict[str, list[dict]] = {name: [] for name in targets}
        for _ in range(REPEAT):
            for name, (url, env) in targets.items():
                runs[name].append(wrk_once(url, SECONDS, env))
        return {
            name: {
                **sorted(found, key=lambda f: f["rps"])[len(found) // 2],
                "turns": [f["rps"] for f in found],
            }
            for name, found in runs.items()
        }


def postgres_version(url: str) -> str:
    engine = create_engine(normalise_database_url(url))
    with engine.connect() as connection:
        found = connection.execute(text("SHOW server_version")).scalar()
    engine.dispose()
    return found.split()[0]


def main() -> None:
    started, load = datetime.now(UTC), load_now()
    # run.sh's `timeout` sends SIGTERM: stop what was started before leaving.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped: out of time"))
    out = BENCH / "out" / f"bench-{started:%Y%m%d-%H%M%S}"
    out.mkdir(parents=True)
    run = Run(out)
    throwaway = None
    try:
        pg_url = os.environ.get("BENCH_DATABASE_URL")
        if not pg_url:
            throwaway = ThrowawayPostgres()
            pg_url = throwaway.url
        sqlite_url = f"sqlite:///{out / 'site.db'}"
        databases = (("SQLite", sqlite_url), ("PostgreSQL", pg_url))
        for _, url in databases:
            prepare_database(url)
        print("The post page ...", flush=True)
        pages(run, sqlite_url)
        for label, url in databases:
            print(f"Signups on {label} ...", flush=True)
            signups(run, label, url)
        for label, url in databases:
            print(f"The export on {label} ...", flush=True)
            export(run, label, url)
        block = report(run, started, postgres_version(pg_url), BENCH_SETTINGS, load)
    finally:
        run.stop_all()
        if throwaway:
            throwaway.stop()
    for scratch in (out / "site.db", out / "site.db-wal", out / "site.db-shm"):
        scratch.unlink(missing_ok=True)
    write_results(block)
    print(block)
    print(f"\nWritten to {BENCH / 'RESULTS.md'}; logs in {out}.")


if __name__ == "__main__":
    main()
