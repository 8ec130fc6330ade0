"""One benchmark run, all on 127.0.0.1: the post page, signups, the leads export.

It writes its tables into bench/RESULTS.md (between the `bench:` markers) and its
logs under bench/out/. Run it through bench/run.sh, which checks the tools first;
bench/README.md explains each figure and each setting.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from html.parser import HTMLParser
from http.client import HTTPConnection
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlencode

from loadgen import Outcome, post_forms
from servers import (
    PYTHON,
    ROOT,
    ThrowawayPostgres,
    free_port,
    get,
    gunicorn,
    mail_worker,
    nginx,
    site_environment,
    smtp_sink,
)
from sqlalchemy import create_engine, delete, insert, text

from leadsite.config import normalise_database_url

BENCH = Path(__file__).resolve().parent
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))
SIGNUPS = int(os.environ.get("BENCH_SIGNUPS", "1600"))
FLOOR_SIGNUPS = int(os.environ.get("BENCH_FLOOR_SIGNUPS", "4800"))
WARM_UP = 160  # POSTs before the measured ones, not counted
EXPORT_ROWS = int(os.environ.get("BENCH_EXPORT_ROWS", "100000"))
WRK_THREADS, CONNECTIONS = 2, 16
POST_PATH = "/blog/what-to-bring-to-an-iep-meeting"
# All load comes from 127.0.0.1, which the per-client form limit (10 per 10 minutes)
# would stop at once. Nothing else differs from production.
BENCH_SETTINGS = {"FORM_RATE_LIMIT": "1000000000"}


def engine_for(url: str):
    return create_engine(normalise_database_url(url))


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
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("BENCH "))
    figures = json.loads(line.removeprefix("BENCH "))
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def wrk(url: str, seconds: int, **env: str) -> dict:
    """GETs with wrk and get.lua, REPEAT times on new connections; the run with
    the median requests per second. gunicorn's workers keep the keep-alive
    connections they accepted, and who accepts how many is luck: one run alone
    may have one worker doing nearly all the work."""
    runs = sorted(
        (wrk_once(url, seconds, env) for _ in range(REPEAT)), key=lambda f: f["rps"]
    )
    return runs[len(runs) // 2]


class HiddenFields(HTMLParser):
    """The hidden fields of the first form on a page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self.forms = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.forms += tag == "form"
        if tag == "input" and attrs.get("type") == "hidden" and self.forms == 1:
            self.fields[attrs["name"]] = attrs.get("value") or ""


def harvest(port: int, count: int) -> list[list[tuple[str, str]]]:
    """Open the form `count` times, as browsers would, and keep each page's cookie
    (public pages set none, so this stays empty) and hidden fields, one page per
    signup: a form token works once, so every POST needs a page of its own."""

    def one_browser(_number: int) -> list[tuple[str, str]]:
        connection = HTTPConnection("127.0.0.1", port, timeout=30)
        cookie, forms = "", []
        for _ in range(count // CONNECTIONS):
            connection.request("GET", "/subscribe", headers={"Cookie": cookie})
            response = connection.getresponse()
            html = response.read().decode()
            cookie = (response.getheader("Set-Cookie") or cookie).split(";", 1)[0]
            forms.append((cookie, urlencode(HiddenFields(html).fields)))
        connection.close()
        return forms

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(one_browser, range(CONNECTIONS)))


def stored_emails(url: str, table: str, run: str) -> set[str]:
    engine = engine_for(url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(f"SELECT email FROM {table} WHERE email LIKE :run"),
            {"run": f"bench-{run}-%"},
        )
        emails = {row[0] for row in rows}
    engine.dispose()
    return emails


def inbox_drained(url: str, limit: float = 300) -> float:
    """Wait until the worker has turned every submission into a lead (see
    leadsite/inbox.py); how long that took."""
    engine, started = engine_for(url), time.monotonic()
    try:
        while time.monotonic() - started < limit:
            with engine.connect() as connection:
                if not connection.execute(
                    text("SELECT count(*) FROM submissions")
                ).scalar():
                    return time.monotonic() - started
            time.sleep(0.1)
        raise RuntimeError(f"submissions still waiting after {limit} s")
    finally:
        engine.dispose()


def check(name: str, outcome: Outcome, stored: set[str]) -> tuple[str, bool]:
    """Every POST answered 302 is stored, nothing else is, and no 5xx: the
    sentence for the Checks list, and whether all is well."""
    accepted = outcome.accepted()
    statuses = outcome.statuses()
    errors = sum(n for code, n in statuses.items() if int(code) >= 500)
    others = {code: n for code, n in statuses.items() if code not in ("302", "303")}
    if accepted == stored:
        verdict = "none lost"
    else:
        verdict = f"{len(accepted - stored)} LOST, {len(stored - accepted)} extra"
    return (
        f"{name}: {outcome.requests:,} POSTs, {len(accepted):,} answered with the "
        f"thank-you redirect, {len(stored):,} stored: {verdict}; "
        + (f"{errors} answers 5xx" if errors else "no 5xx")
        + (f"; other answers: {others}" if others else "")
        + "."
    ), accepted == stored and not errors


def figures_of(outcome: Outcome) -> dict:
    return {
        "rps": outcome.rps,
        "p50_us": outcome.percentile_us(0.50),
        "p99_us": outcome.percentile_us(0.99),
    }


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


SERVER_HEADERS = {"date", "server", "connection", "content-length", "transfer-encoding"}


def response_headers(headers: dict) -> list[list[str]]:
    """The headers the app itself sent (gunicorn adds the rest)."""
    return [[k, v] for k, v in headers.items() if k.lower() not in SERVER_HEADERS]


def interleaved(targets: dict[str, tuple[str, dict]]) -> dict[str, dict]:
    """wrk on each target in turn, REPEAT rounds, so that a slower minute of a
    shared machine slows them all alike; each target's median run."""
    runs: dict[str, list[dict]] = {name: [] for name in targets}
    for _ in range(REPEAT):
        for name, (url, env) in targets.items():
            runs[name].append(wrk_once(url, SECONDS, env))
    return {
        name: sorted(found, key=lambda f: f["rps"])[len(found) // 2]
        for name, found in runs.items()
    }


def pages(run: Run, sqlite_url: str) -> None:
    """The post page under gunicorn, against a bare Flask route and nginx serving
    the same bytes: a visit, a repeat view (304), and a visitor with a session
    cookie, whom the front layer leaves to Flask. The site and its floors run at
    once and are measured in turns."""
    port = free_port()
    env = site_environment(port, sqlite_url)
    site = run.start(gunicorn("site-pages", "wsgi:app", env, run.out))
    url = f"http://127.0.0.1:{port}{POST_PATH}"
    status, headers, body = get(url)
    assert status == 200, status
    assert "Set-Cookie" not in headers, "public pages set no cookie"
    folder = run.out / "static" / "blog"
    folder.mkdir(parents=True, exist_ok=True)
    page_file = folder / (POST_PATH.rsplit("/", 1)[1] + ".html")
    page_file.write_bytes(body)
    header_file = run.out / "post-headers.json"
    header_file.write_text(json.dumps(response_headers(headers)))

    floors = {}
    for name, extra in (
        ("floor-page", {}),
        # The same route sending the site's headers as well: the same response.
        ("floor-page-headers", {"BENCH_PAGE_HEADERS": str(header_file)}),
    ):
        floor_port = free_port()
        floor_env = {
            **os.environ,
            "PORT": str(floor_port),
            "BENCH_PAGE_FILE": str(page_file),
            **extra,
        }
        floors[name] = run.start(
            gunicorn(name, "bench.floor:page_app", floor_env, run.out)
        )
        floors[name].url = f"http://127.0.0.1:{floor_port}{POST_PATH}"
    found = interleaved(
        {
            "first": (url, {}),
            "bare": (floors["floor-page"].url, {}),
            "same": (floors["floor-page-headers"].url, {}),
            "revalidated": (url, {"BENCH_ETAG": headers["ETag"]}),
            # A session cookie (the owner signed in) sends the request to Flask.
            "signed_in": (url, {"BENCH_COOKIE": "session=owner-signed-in"}),
        }
    )
    first, bare, same = found["first"], found["bare"], found["same"]
    revalidated, signed_in = found["revalidated"], found["signed_in"]
    for process in (site, *floors.values()):
        run.stop(process)
    site = run.start(gunicorn("site-nocache", "bench.nocache:app", env, run.out))
    uncached = wrk(url, SECONDS)
    run.stop(site)

    nginx_port = free_port()
    server_conf = (
        f"        root {run.out / 'static'};\n"
        "        location /blog/ { default_type text/html; try_files $uri.html =404; }"
    )
    server = run.start(nginx("nginx-static", nginx_port, server_conf, run.out))
    ceiling = wrk(f"http://127.0.0.1:{nginx_port}{POST_PATH}", SECONDS)
    run.stop(server)

    for name, figures in [
        (f"Post page, a visit (no cookie; {len(body):,} bytes)", first),
        ("Post page, repeat view (If-None-Match: 304)", revalidated),
        ("Post page, with a session cookie (through Flask)", signed_in),
        ("Post page, page cache off (for comparison)", uncached),
        ("Floor: bare Flask route, same response (body and headers)", same),
        ("Bare Flask route, same body only (two headers)", bare),
        ("Ceiling: nginx serving the same bytes as a file", ceiling),
    ]:
        run.rows.append(("pages", name, figures, same["rps"]))
        if figures is first:
            ratio = first["rps"] / same["rps"]
            measured = (
                f"{ratio:.2f} a visit ({first['rps'] / bare['rps']:.2f} of the route "
                f"sending the body only); {revalidated['rps'] / same['rps']:.2f} "
                f"repeat view (304); {signed_in['rps'] / same['rps']:.2f} with a "
                "session cookie"
            )
            run.targets.append(
                ("Post page at least 1.0 x its floor", measured, ratio >= 1)
            )
        if figures["status_errors"] or figures["socket_errors"]:
            run.notes.append(
                f"{name}: {figures['status_errors']} error answers, "
                f"{figures['socket_errors']} socket errors."
            )


def warm_up(port: int, path: str, forms, run_label: str) -> None:
    time.sleep(3.5)  # FORM_MIN_SECONDS, for the site's forms
    outcome = post_forms(port, path, forms, run_label)
    assert set(outcome.statuses()) <= {"302", "303"}, outcome.statuses()


def signups(run: Run, label: str, url: str) -> None:
    """Signup POSTs with the SMTP server up, then stopped, against the floor: a
    bare Flask route inserting one row into the same database."""
    prepare_database(url)
    smtp_port, port = free_port(), free_port()
    mail = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port)}
    env = site_environment(port, url, **mail, **BENCH_SETTINGS)
    smtp = run.start(smtp_sink(smtp_port, run.out))
    worker = run.start(mail_worker(env, run.out))
    site = run.start(gunicorn(f"site-{label}", "wsgi:app", env, run.out))
    # A short warm-up first, for the site and its floor alike: each worker thread
    # opens its database connection and fills its statement caches.
    warm_up(port, "/subscribe", harvest(port, WARM_UP), label + "warm")
    inbox_drained(url)
    outcomes, drained = {}, {}
    for phase in ("up", "stopped"):
        if phase == "stopped":
            run.stop(smtp)
        forms = harvest(port, SIGNUPS)
        time.sleep(3.5)  # FORM_MIN_SECONDS: a form sent sooner is a bot's
        outcomes[phase] = post_forms(port, "/subscribe", forms, label + phase)
        drained[phase] = inbox_drained(url)
    run.stop(site)
    run.stop(worker)

    from bench.floor import metadata

    engine = engine_for(url)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    engine.dispose()
    floor_port = free_port()
    floor_env = {**os.environ, "PORT": str(floor_port), "BENCH_FLOOR_DATABASE_URL": url}
    floor = run.start(
        gunicorn(f"floor-insert-{label}", "bench.floor:insert_app", floor_env, run.out)
    )
    warm_up(
        floor_port,
        "/signup",
        [[("", "")] * (WARM_UP // CONNECTIONS)] * CONNECTIONS,
        "floorwarm" + label,
    )
    empty = [[("", "")] * (FLOOR_SIGNUPS // CONNECTIONS)] * CONNECTIONS
    bare = post_forms(floor_port, "/signup", empty, "floor" + label)
    run.stop(floor)

    all_well = True
    for phase, outcome in outcomes.items():
        name = f"Signup POST, {label}, SMTP server {phase}"
        note, well = check(name, outcome, stored_emails(url, "people", label + phase))
        run.notes.append(
            note[:-1]
            + f"; every one a lead {drained[phase]:.1f} s after the last answer."
        )
        all_well &= well
        run.rows.append(("signups", name, figures_of(outcome), bare.rps))
    stored = stored_emails(url, "bench_floor", "floor" + label)
    run.notes.append(check(f"Floor, {label}", bare, stored)[0])
    up, down = outcomes["up"], outcomes["stopped"]
    ratios = [outcome.rps / bare.rps for outcome in (up, down)]
    run.targets.append(
        (
            f"Signups on {label} at least 0.5 x the one-row insert, none lost",
            f"{ratios[0]:.2f} with SMTP up, {ratios[1]:.2f} stopped; "
            + ("none lost, no 5xx" if all_well else "SEE THE CHECKS"),
            min(ratios) >= 0.5 and all_well,
        )
    )
    change = down.percentile_us(0.99) / up.percentile_us(0.99) - 1
    run.targets.append(
        (
            f"Signup p99 on {label} unchanged with SMTP stopped",
            f"{up.percentile_us(0.99) / 1000:.0f} ms up, "
            f"{down.percentile_us(0.99) / 1000:.0f} ms stopped ({change:+.0%})",
            change <= 0.25,
        )
    )
    name = f"Floor: bare Flask route inserting one row, {label}"
    run.rows.append(("signups", name, figures_of(bare), bare.rps))


def seed(url: str, rows: int) -> None:
    """`rows` sign-ups, each with its person and its consent record."""
    from leadsite.models import Consent, Person, Subscription, utcnow

    now, engine = utcnow(), engine_for(url)
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


def export(run: Run, label: str, url: str) -> None:
    """`flask leads export` of no rows (the command's start-up alone), a tenth of
    EXPORT_ROWS and all of them: the time and the process's peak memory."""
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
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.monotonic() - started
        start_up = start_up or seconds
        with target.open(encoding="utf-8-sig", newline="") as file:
            written = sum(1 for _ in file) - 1
        target.unlink()  # made-up leads, and large
        figures = {"seconds": seconds, "export": seconds - start_up}
        figures |= {"peak_mb": usage.ru_maxrss / 1024, "written": written}
        figures["exit"] = os.waitstatus_to_exitcode(status)
        name = f"{rows:,} rows, {label}" if rows else f"No rows (start-up), {label}"
        run.rows.append(("export", name, figures, None))
    small, large = [row[2] for row in run.rows[-2:]]
    growth = large["peak_mb"] / small["peak_mb"] - 1
    run.targets.append(
        (
            f"Export of {EXPORT_ROWS:,} rows on {label}: under 5 s, flat memory",
            f"{large['export']:.1f} s for the export itself ({large['seconds']:.1f} "
            f"s with the command's start-up); peak memory {small['peak_mb']:.0f} MB "
            f"for a tenth, {large['peak_mb']:.0f} MB for all ({growth:+.0%})",
            large["export"] < 5 and growth <= 0.1 and large["written"] == EXPORT_ROWS,
        )
    )


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


def report(run: Run, started: datetime, postgres: str) -> str:
    ms = lambda us: f"{us / 1000:.1f} ms"  # noqa: E731
    lines = [
        f"Run of {started:%Y-%m-%d %H:%M} UTC (`bench/run.sh`), on:",
        "",
        *machine(postgres),
        "",
        "Pages: wrk, 2 threads, 16 connections, "
        f"the median of {REPEAT} runs of {SECONDS} s a row. Signups: "
        f"{CONNECTIONS} keep-alive connections, "
        f"{SIGNUPS:,} POSTs a row ({FLOOR_SIGNUPS:,} for the floors), each "
        "answer checked (bench/loadgen.py). The load generators run on the same "
        "2 cores as the servers. gunicorn as in gunicorn.conf.py (2 workers of "
        "4 threads, access log on); the site with `APP_ENV=production`.",
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
        "| `flask leads export` | Time | Less start-up | Peak memory (RSS) | Rows |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for kind, name, figures, _ in run.rows:
        if kind == "export":
            lines.append(
                f"| {name} | {figures['seconds']:.2f} s | {figures['export']:.2f} s "
                f"| {figures['peak_mb']:.0f} MB | {figures['written']:,} |"
            )
    lines += ["", "Checks:", "", *[f"- {note}" for note in run.notes], ""]
    lines += ["Targets of the issue, from this run:", ""]
    lines += ["| Target | Measured | Met |", "| --- | --- | --- |"]
    for target, measured, met in run.targets:
        lines.append(f"| {target} | {measured} | {'yes' if met else '**no**'} |")
    lines.append("")
    settings = ", ".join(f"`{k}={v}`" for k, v in BENCH_SETTINGS.items())
    lines.append(
        f"Bench setting: {settings}, because all the load comes from 127.0.0.1; the "
        "rest as in production: bot trap and cross-site check on (each POST sends "
        "the hidden fields of a page of its own, at least 3 s old), the worker "
        "(inbox and mail) running throughout."
    )
    return "\n".join(lines)


def write_results(block: str) -> None:
    """Replace the bench block of RESULTS.md; the Lighthouse block stays."""
    path = BENCH / "RESULTS.md"
    text_now = path.read_text() if path.exists() else "# Benchmark results\n"
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    new = f"{start}\n{block}\n{end}"
    if start in text_now:
        pattern = re.escape(start) + ".*?" + re.escape(end)
        text_now = re.sub(pattern, lambda _: new, text_now, flags=re.S)
    else:
        text_now = text_now.rstrip() + "\n\n## Server benchmark\n\n" + new + "\n"
    path.write_text(text_now)


def postgres_version(url: str) -> str:
    engine = engine_for(url)
    with engine.connect() as connection:
        found = connection.execute(text("SHOW server_version")).scalar()
    engine.dispose()
    return found.split()[0]


def main() -> None:
    started = datetime.now(UTC)
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
        prepare_database(sqlite_url)
        print("The post page ...", flush=True)
        pages(run, sqlite_url)
        for label, url in databases:
            print(f"Signups on {label} ...", flush=True)
            signups(run, label, url)
        for label, url in databases:
            print(f"The export on {label} ...", flush=True)
            export(run, label, url)
        block = report(run, started, postgres_version(pg_url))
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
