"""Signups (`POST /subscribe`) on one database: with the SMTP server up, then
stopped, the mail worker (`flask outbox work`) running throughout as deployed,
against a bare Flask route inserting one row into the same database.

Each POST is what a browser sends from the subscribe page: the form's fields
(the empty honeypot included) with a new address, and `Sec-Fetch-Site` and
`Origin` saying it came from the site's own page. A signup is a lead once it is
answered, so right after each phase every address answered with the thank-you
redirect is looked up among the people: none may be missing.
"""

from __future__ import annotations

import os
from html.parser import HTMLParser
from urllib.parse import urlencode

from loadgen import Outcome, post_forms
from servers import free_port, get, gunicorn, mail_worker, site_environment, smtp_sink
from sqlalchemy import create_engine, text

from leadsite.config import normalise_database_url

SIGNUPS = int(os.environ.get("BENCH_SIGNUPS", "1600"))
FLOOR_SIGNUPS = int(os.environ.get("BENCH_FLOOR_SIGNUPS", "3200"))
ROUNDS = 4  # turns of site (SMTP up, then stopped) and floor
WARM_UP = 160  # POSTs before the measured ones, not counted
# As deployed behind nginx, which passes on each visitor's address: every POST
# comes from an address of its own (loadgen.py), so the per-client form limit
# (10 per 10 minutes) applies as in production and stops none of them.
BENCH_SETTINGS = {"TRUSTED_PROXY_HOPS": "1"}


class FormFields(HTMLParser):
    """The named inputs of the first form on a page, with their values."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self.forms = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.forms += tag == "form"
        if tag == "input" and self.forms == 1 and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""


def query(url: str, sql: str, **params) -> list:
    engine = create_engine(normalise_database_url(url))
    try:
        with engine.connect() as connection:
            return list(connection.execute(text(sql), params))
    finally:
        engine.dispose()


def stored_emails(url: str, table: str, run: str) -> set[str]:
    """The stored addresses loadgen made for `run` (its label's start)."""
    sql = f"SELECT email FROM {table} WHERE email LIKE :run"  # noqa: S608
    return {row[0] for row in query(url, sql, run=f"bench-{run}%")}


def outbox_now(url: str) -> str:
    rows = query(url, "SELECT status, count(*) FROM outbox GROUP BY status")
    return ", ".join(f"{n:,} {status}" for status, n in sorted(rows)) or "empty"


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
        f"thank-you redirect, {len(stored):,} stored right after: {verdict}; "
        + (f"{errors} answers 5xx" if errors else "no 5xx")
        + (f"; other answers: {others}" if others else "")
    ), accepted == stored and not errors and not others


def figures_of(outcome: Outcome) -> dict:
    return {
        "rps": outcome.rps,
        "p50_us": outcome.percentile_us(0.50),
        "p99_us": outcome.percentile_us(0.99),
    }


def merged(parts: list[Outcome]) -> Outcome:
    """One outcome of several turns: every answer, and the time they took."""
    return Outcome(
        [a for part in parts for a in part.answers], sum(p.seconds for p in parts)
    )


def fresh_floor_table(url: str) -> None:
    from bench.floor import metadata

    engine = create_engine(normalise_database_url(url))
    metadata.drop_all(engine)
    metadata.create_all(engine)
    engine.dispose()


def signups(run, label: str, url: str) -> None:
    """The site with SMTP up, with it stopped, and the floor, in turns (ROUNDS
    rounds, so that a slower minute of a shared machine slows all three alike),
    the site's signups looked up right after each turn; then the two targets."""
    fresh_floor_table(url)
    smtp_port, port, floor_port = free_port(), free_port(), free_port()
    mail = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port)}
    env = site_environment(port, url, **mail, **BENCH_SETTINGS)
    floor_env = {**os.environ, "PORT": str(floor_port), "BENCH_FLOOR_DATABASE_URL": url}
    smtp = run.start(smtp_sink(smtp_port, run.out))
    worker = run.start(mail_worker(env, run.out))
    site = run.start(gunicorn(f"site-{label}", "wsgi:app", env, run.out))
    floor = run.start(
        gunicorn(f"floor-insert-{label}", "bench.floor:insert_app", floor_env, run.out)
    )
    fields = FormFields(get(f"http://127.0.0.1:{port}/subscribe")[2].decode()).fields
    fields.pop("email")
    form = urlencode(fields)
    browser = {"Origin": f"http://127.0.0.1:{port}", "Sec-Fetch-Site": "same-origin"}
    # A short warm-up, for the site and its floor alike: each worker thread opens
    # its database connection and fills its statement caches.
    post_forms(port, "/subscribe", form, WARM_UP, label + "warm", browser)
    post_forms(floor_port, "/signup", "", WARM_UP, "floorwarm" + label)

    parts: dict[str, list[Outcome]] = {"up": [], "stopped": [], "floor": []}
    lost = 0
    for turn in range(ROUNDS):
        for phase in ("up", "stopped"):
            if phase == "up" and smtp is None:
                smtp = run.start(smtp_sink(smtp_port, run.out))
            if phase == "stopped":
                run.stop(smtp)
                smtp = None
            tag = f"{label}{phase}{turn}"
            part = post_forms(port, "/subscribe", form, SIGNUPS // ROUNDS, tag, browser)
            lost += len(part.accepted() - stored_emails(url, "people", tag))
            parts[phase].append(part)
        tag = f"floor{label}{turn}"
        part = post_forms(floor_port, "/signup", "", FLOOR_SIGNUPS // ROUNDS, tag)
        parts["floor"].append(part)
    outbox = outbox_now(url)
    for process in (floor, site, worker):
        run.stop(process)

    outcomes = {phase: merged(found) for phase, found in parts.items()}
    held = query(url, "SELECT count(*) FROM held_submissions")[0][0]
    well = not lost and not held
    for phase in ("up", "stopped"):
        name = f"Signup POST, {label}, SMTP server {phase}"
        stored = stored_emails(url, "people", label + phase)
        note, fine = check(name, outcomes[phase], stored)
        well &= fine
        run.notes.append(note + ".")
    stored = stored_emails(url, "bench_floor", "floor" + label)
    run.notes.append(check(f"Floor, {label}", outcomes["floor"], stored)[0] + ".")
    run.notes.append(
        f"{label}: {lost} signups answered but not stored when looked up right after "
        f"their turn; {held} held as suspected spam; the outbox at the end (the SMTP "
        f"server stopped): {outbox}."
    )
    targets(run, label, outcomes, well)


def targets(run, label: str, outcomes: dict[str, Outcome], well: bool) -> None:
    """The rows, and the issue's two targets for this database."""
    bare = outcomes["floor"]
    for phase in ("up", "stopped"):
        name = f"Signup POST, {label}, SMTP server {phase}"
        run.rows.append(("signups", name, figures_of(outcomes[phase]), bare.rps))
    name = f"Floor: bare Flask route inserting one row, {label}"
    run.rows.append(("signups", name, figures_of(bare), bare.rps))

    up, down = outcomes["up"], outcomes["stopped"]
    ratios = [outcome.rps / bare.rps for outcome in (up, down)]
    run.targets.append(
        (
            f"Signups on {label} at least 0.25 x the one-row insert, none lost",
            f"{ratios[0]:.2f} with SMTP up, {ratios[1]:.2f} stopped; "
            + ("none lost, no 5xx" if well else "SEE THE CHECKS"),
            min(ratios) >= 0.25 and well,
        )
    )
    p99_up, p99_down = up.percentile_us(0.99), down.percentile_us(0.99)
    run.targets.append(
        (
            f"Signup p99 on {label} with SMTP stopped at most 1.2 x with it up",
            f"{p99_up / 1000:.0f} ms up, {p99_down / 1000:.0f} ms stopped "
            f"({p99_down / p99_up:.2f} x)",
            p99_down <= 1.2 * p99_up,
        )
    )
