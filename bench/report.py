"""The bench block of RESULTS.md: the machine, the tables, the checks, the targets."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from datetime import datetime
from importlib.metadata import version
from pathlib import Path

# How each load is run (read by `measure` and the pages and signups phases too).
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))
WRK_THREADS, CONNECTIONS = 2, 16

BENCH = Path(__file__).resolve().parent


def tool_version(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return "missing"
    return (done.stdout or done.stderr).strip().splitlines()[0]


def first_value(path: str, key: str, separator: str) -> str:
    for line in Path(path).read_text().splitlines():
        if line.startswith(key):
            return line.split(separator, 1)[1].strip().strip('"')
    return "unknown"


def machine(postgres: str) -> list[str]:
    memory_kb = int(first_value("/proc/meminfo", "MemTotal", ":").split()[0])
    return [
        f"- CPU: {os.cpu_count()} cores, "
        + first_value("/proc/cpuinfo", "model name", ":"),
        f"- Memory: {memory_kb / 1024 / 1024:.1f} GiB",
        f"- System: {first_value('/etc/os-release', 'PRETTY_NAME', '=')}, "
        f"kernel {os.uname().release}",
        f"- Python {sys.version.split()[0]}, Flask {version('flask')}, gunicorn "
        f"{version('gunicorn')}, SQLAlchemy {version('sqlalchemy')}, SQLite "
        f"{sqlite3.sqlite_version}, PostgreSQL {postgres}",
        f"- {tool_version(['nginx', '-v'])}; "
        + tool_version(["wrk", "--version"]).split(" Copyright")[0],
    ]


def load_now() -> str:
    """The load average now: the machine may be shared, and the figures move
    with what else runs on it."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} (1, 5, 15 min)"


def report(run, started: datetime, postgres: str, settings: dict, load: str) -> str:
    from signups import FLOOR_SIGNUPS, ROUNDS, SIGNUPS

    ms = lambda us: f"{us / 1000:.1f} ms"  # noqa: E731
    minutes = (datetime.now(started.tzinfo) - started).total_seconds() / 60
    lines = [
        f"One run of `bench/run.sh`, started {started:%Y-%m-%d %H:%M} UTC, "
        f"{minutes:.0f} minutes; {load} at the start, {load_now()} at the end, on:",
        "",
        *machine(postgres),
        "",
        f"Pages: wrk, {WRK_THREADS} threads, {CONNECTIONS} connections, no "
        f"compression asked; {REPEAT} turns of {SECONDS} s for each row, the rows "
        "in turn, the median turn kept. Signups: "
        f"{CONNECTIONS} keep-alive connections, {SIGNUPS:,} POSTs a row "
        f"({FLOOR_SIGNUPS:,} for the floors) in {ROUNDS} turns, the rows in "
        "turn, each answer checked (bench/loadgen.py). The load generators run on "
        "the same cores as the servers. gunicorn as in gunicorn.conf.py (2 workers "
        "of 4 threads, access log on); the site with `APP_ENV=production`.",
        "",
        "| What | Requests/s | p50 | p99 | Ratio to its floor |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for kind, name, figures, floor in run.rows:
        if kind != "export":
            lines.append(
                f"| {name} | {figures['rps']:,.0f} | {ms(figures['p50_us'])} | "
                f"{ms(figures['p99_us'])} | {figures['rps'] / floor:.2f} |"
            )
    lines += [
        "",
        "| `flask leads export` | Time | Less start-up | Memory while writing (RSS) "
        "| Peak memory (RSS) | Rows |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind, name, figures, _ in run.rows:
        if kind == "export":
            writing = (
                f"{figures['writing_mb']:.0f} MB" if figures["writing_mb"] else "-"
            )
            lines.append(
                f"| {name} | {figures['seconds']:.2f} s | {figures['export']:.2f} s "
                f"| {writing} | {figures['peak_mb']:.0f} MB | {figures['written']:,} |"
            )
    lines += ["", "Checks:", "", *[f"- {note}" for note in run.notes], ""]
    lines += ["Targets of the issue, from this run:", ""]
    lines += ["| Target | Measured | Met |", "| --- | --- | --- |"]
    for target, measured, met in run.targets:
        lines.append(f"| {target} | {measured} | {'yes' if met else '**no**'} |")
    lines.append("")
    given = ", ".join(f"`{k}={v}`" for k, v in settings.items())
    lines.append(
        f"Bench setting: {given}, as deployed behind nginx: each signup POST comes "
        "from an address of its own in `X-Forwarded-For` (198.18.0.0/15, the range "
        "set aside for benchmarks), so the per-client form limit applies as in "
        "production and stops none. The rest as in production: honeypot and "
        "cross-site check on (each POST sends the subscribe form's fields, the "
        "empty honeypot included, with `Sec-Fetch-Site: same-origin`), the mail "
        "worker running throughout."
    )
    return "\n".join(lines)


def replace_block(name: str, heading: str, block: str) -> None:
    """Put `block` between RESULTS.md's `<!-- name:start/end -->` markers, or add it
    under `heading` at the end; the rest of the file stays."""
    path = BENCH / "RESULTS.md"
    text_now = path.read_text() if path.exists() else "# Benchmark results\n"
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    new = f"{start}\n{block}\n{end}"
    if start in text_now:
        pattern = re.escape(start) + ".*?" + re.escape(end)
        text_now = re.sub(pattern, lambda _: new, text_now, flags=re.S)
    else:
        text_now = text_now.rstrip() + f"\n\n## {heading}\n\n" + new + "\n"
    path.write_text(text_now)


def write_results(block: str) -> None:
    """Replace the bench block of RESULTS.md; the Lighthouse block stays."""
    replace_block("bench", "Server benchmark", block)
