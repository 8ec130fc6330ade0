"""The leads export, `flask leads export -o FILE` (the admin's CSV), of no rows
(the command's start-up alone), a tenth of EXPORT_ROWS and all of them, on one
database: the time, start-up included, and the process's peak memory (RSS).
Memory while writing that stays the same from a tenth to all the rows means the
export streams.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from servers import PYTHON, ROOT, free_port, site_environment
from sqlalchemy import create_engine, delete, insert

from leadsite.config import normalise_database_url

EXPORT_ROWS = int(os.environ.get("BENCH_EXPORT_ROWS", "100000"))


def seed(url: str, rows: int) -> None:
    """`rows` sign-ups, each with its person and its consent record."""
    from leadsite.models import Consent, Person, Subscription, utcnow

    now, engine = utcnow(), create_engine(normalise_database_url(url))
    with engine.begin() as connection:
        for model in (Consent, Subscription, Person):
            connection.execute(delete(model))
        for start in range(1, rows + 1, 10_000):
            ids = range(start, min(rows, start + 9_999) + 1)
            people = [
                {"id": i, "email": f"lead{i}@example.com", "name": f"Parent {i}"}
                for i in ids
            ]
            subscriptions = [
                {"id": i, "person_id": i, "purpose": "newsletter", "topic": ""}
                | {"status": "confirmed", "created_at": now, "confirmed_at": now}
                for i in ids
            ]
            consents = [
                {"subscription_id": i, "form": "subscribe-page", "page": "/subscribe"}
                | {
                    "wording_version": "1",
                    "utm_source": "news",
                    "referrer": "https://x",
                }
                for i in ids
            ]
            connection.execute(insert(Person), people)
            connection.execute(insert(Subscription), subscriptions)
            connection.execute(insert(Consent), consents)
    engine.dispose()


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def watch(pid: int, target: Path) -> tuple[int, object, int]:
    """Wait for the export; its exit status, resource usage, and the largest
    resident memory seen while it was writing the file (sampled every 20 ms).
    The peak of the whole process is set at start-up (imports, the app), so it
    alone cannot show whether writing the rows grows."""
    largest = 0
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return status, usage, largest
        try:
            if target.exists() and target.stat().st_size:
                largest = max(largest, rss_kb(pid))
        except (FileNotFoundError, ProcessLookupError):
            pass
        time.sleep(0.02)


def export(run, label: str, url: str) -> None:
    """The export of no rows, a tenth and all; the target counts the whole
    command, start-up included: what the owner waits for."""
    env = site_environment(free_port(), url)
    start_up = 0.0
    for rows in (0, EXPORT_ROWS // 10, EXPORT_ROWS):
        seed(url, rows)
        target = run.out / f"export-{label}.csv"
        command = ["-m", "flask", "--app", "wsgi", "leads", "export", "-o", str(target)]
        started = time.monotonic()
        process = subprocess.Popen(
            [PYTHON, *command], cwd=ROOT, env=env, stderr=subprocess.DEVNULL
        )
        status, usage, writing_kb = watch(process.pid, target)
        seconds = time.monotonic() - started
        start_up = start_up or seconds
        with target.open(encoding="utf-8-sig", newline="") as file:
            written = sum(1 for _ in file) - 1
        target.unlink()  # made-up leads, and large
        figures = {"seconds": seconds, "export": seconds - start_up}
        figures |= {"peak_mb": usage.ru_maxrss / 1024, "written": written}
        figures["writing_mb"] = writing_kb / 1024
        figures["exit"] = os.waitstatus_to_exitcode(status)
        name = f"{rows:,} rows, {label}" if rows else f"No rows (start-up), {label}"
        run.rows.append(("export", name, figures, None))
    small, large = [row[2] for row in run.rows[-2:]]
    growth = large["writing_mb"] / small["writing_mb"] - 1
    run.targets.append(
        (
            f"Export of {EXPORT_ROWS:,} rows on {label}: under 5 s, flat memory",
            f"{large['seconds']:.1f} s, the command's start-up included "
            f"({large['export']:.1f} s without); memory while writing "
            f"{small['writing_mb']:.0f} MB for a tenth, {large['writing_mb']:.0f} MB "
            f"for all ({growth:+.0%}); peak of the whole command "
            f"{large['peak_mb']:.0f} MB",
            large["seconds"] < 5
            and growth <= 0.1
            and large["written"] == EXPORT_ROWS
            and large["exit"] == 0,
        )
    )
