"""The leads as CSV for a spreadsheet: the filter on screen, one row per sign-up.

- UTF-8 with a byte order mark, so Excel shows accents and non-Latin names right.
- RFC 4180 quoting (the csv module), lines ending in CRLF.
- A cell that a spreadsheet would run as a formula (it starts with =, +, -, @, a
  tab or a carriage return) gets a leading apostrophe, so it is shown as text.
- 100,000 rows never sit in memory: they are read `BATCH` at a time and written
  as they come. On PostgreSQL that is one query read through a server-side cursor.
  On SQLite each batch is its own short read (keyset by id), read whole and ended
  before it is written: a slow download never holds a transaction open, nor the
  write lock a session's transaction takes there (see `database`).
- Each row comes from the database as text (dates, blanks, the latest consent
  record's source), so writing it is little more than the csv module's work.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence

from flask import Response, redirect, request, stream_with_context, url_for
from sqlalchemy import String, case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from ..database import short_read
from ..extensions import db
from ..models import Consent, Person, Purpose, Subscription, utcnow
from . import audit
from .blueprint import bp
from .leads import LeadFilter, apply_filter, filter_form

BATCH = 5000
CHUNK_CHARS = 64 * 1024
FORMULA_STARTS = frozenset("=+-@\t\r")  # first characters
HEADER = [
    "email",
    "name",
    "purpose",
    "state",
    "resource",
    "status",
    "submitted_at_utc",
    "confirmed_at_utc",
    "source",
    "page",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "referrer",
]


def neutralised(cells: Sequence[str]) -> list[str]:
    """The cells as text a spreadsheet shows as text, never runs as a formula (one
    list comprehension a row: 1.4 million cells for 100,000 rows)."""
    return ["'" + c if c[:1] in FORMULA_STARTS else c for c in cells]


class utc_text(FunctionElement):  # noqa: N801  (reads like the SQL function it is)
    """A stored timestamp as "YYYY-MM-DD HH:MM:SS" in UTC, or "" for none, made
    by the database: formatting 200,000 datetimes in Python took most of a second."""

    type = String()
    inherit_cache = True


@compiles(utc_text, "sqlite")
def _utc_text_sqlite(element, compiler, **kw):
    value = compiler.process(element.clauses, **kw)
    return f"coalesce(strftime('%Y-%m-%d %H:%M:%S', {value}), '')"


@compiles(utc_text, "postgresql")
def _utc_text_postgresql(element, compiler, **kw):
    value = compiler.process(element.clauses, **kw)
    return f"coalesce(to_char(timezone('UTC', {value}), 'YYYY-MM-DD HH24:MI:SS'), '')"


def or_blank(column):
    """The column, or "" where it is NULL (no name, no consent record)."""
    return func.coalesce(column, "")


def export_select(lead_filter: LeadFilter, after: int = 0, batch: int = 0):
    """The sign-ups the filter keeps, oldest first, each as its id and then the
    file's cells as text, with its person and its latest consent record.

    With `batch`, only the next `batch` after id `after`, each one's latest consent
    looked up through the index; without, the consents grouped once for all."""
    topic = Subscription.topic
    statement = select(
        Subscription.id,
        Person.email,
        or_blank(Person.name),
        Subscription.purpose,
        case((Subscription.purpose == Purpose.WAITLIST, topic), else_=""),
        case((Subscription.purpose == Purpose.RESOURCE, topic), else_=""),
        Subscription.status,
        utc_text(Subscription.created_at),
        utc_text(Subscription.confirmed_at),
        or_blank(Consent.form),
        or_blank(Consent.page),
        or_blank(Consent.utm_source),
        or_blank(Consent.utm_medium),
        or_blank(Consent.utm_campaign),
        or_blank(Consent.referrer),
    ).join(Person, Subscription.person_id == Person.id)
    if batch:
        mine = aliased(Consent)
        latest = (
            select(func.max(mine.id))
            .where(mine.subscription_id == Subscription.id)
            .correlate(Subscription)
            .scalar_subquery()
        )
        statement = statement.outerjoin(Consent, Consent.id == latest)
        statement = statement.where(Subscription.id > after).limit(batch)
    else:
        latest = (
            select(Consent.subscription_id, func.max(Consent.id).label("consent_id"))
            .group_by(Consent.subscription_id)
            .subquery()
        )
        statement = statement.outerjoin(
            latest, latest.c.subscription_id == Subscription.id
        ).outerjoin(Consent, Consent.id == latest.c.consent_id)
    return apply_filter(statement.order_by(Subscription.id), lead_filter)


def export_batches(
    lead_filter: LeadFilter, batch: int = BATCH
) -> Iterator[Sequence[Sequence[str]]]:
    """The rows as plain tuples, oldest sign-up first, `batch` at a time: from one
    streamed query, or on SQLite from one short read a batch (see above)."""
    if db.engine.dialect.name != "sqlite":
        streamed = db.session.connection().execution_options(yield_per=batch)
        yield from streamed.execute(export_select(lead_filter)).partitions()
        return
    last_id = 0
    while True:
        statement = export_select(lead_filter, last_id, batch)
        with short_read():  # ended before the batch is written
            rows = db.session.connection().execute(statement).all()
        if rows:
            last_id = rows[-1][0]
            yield rows
        if len(rows) < batch:
            return


def csv_chunks(lead_filter: LeadFilter, batch: int = BATCH) -> Iterator[str]:
    """The whole file, byte order mark first, in pieces of about 64 KB."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # RFC 4180: quotes as needed, CRLF line ends
    buffer.write("\ufeff")
    writer.writerow(HEADER)
    for rows in export_batches(lead_filter, batch):
        for row in rows:
            writer.writerow(neutralised(row[1:]))
            if buffer.tell() >= CHUNK_CHARS:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue()


def count_rows(lead_filter: LeadFilter) -> int:
    base = apply_filter(select(Subscription.id).join(Subscription.person), lead_filter)
    return db.session.scalar(select(func.count()).select_from(base.subquery()))


@bp.get("/leads/export.csv")
def export():
    """Download the leads the filter shows, as a CSV file, streamed as it is read."""
    form = filter_form()
    if request.args and not form.validate():
        return redirect(url_for("admin.leads", **request.args))  # shows the errors
    lead_filter = LeadFilter.from_form(form)
    audit.record(
        "export",
        f"{count_rows(lead_filter)} rows as CSV; filter: {lead_filter.describe()}",
    )
    db.session.commit()
    filename = f"leads-{utcnow():%Y-%m-%d}.csv"
    return Response(
        stream_with_context(csv_chunks(lead_filter)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
