"""The CSV export: the whole file compared as one string, formulas neutralised, the
filters applied, 100,000 rows streamed, and the same file from `flask leads export`."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, insert, select
from test_admin_support import add_lead, signed_in_client

from leadsite.admin.export import BATCH, neutralised
from leadsite.extensions import db
from leadsite.models import Consent, Person, Subscription
from leadsite.models.admin import AuditEvent

HEADER = (
    "email,name,purpose,state,resource,status,submitted_at_utc,confirmed_at_utc,"
    "source,page,utm_source,utm_medium,utm_campaign,referrer\r\n"
)


def at(day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def leads(app):
    """Four sign-ups of three people, with awkward names and sources."""
    add_lead(
        app,
        "ann@example.com",
        "waitlist",
        "CA",
        "confirmed",
        name="Ann",
        created_at=at(1, 9, 30),
        confirmed_at=at(1, 10),
        consent={
            "form": "waitlist",
            "page": "/state-guides",
            "utm_source": "instagram",
            "utm_medium": "social",
            "utm_campaign": "fall",
            "referrer": "https://l.instagram.com/",
        },
    )
    add_lead(
        app,
        "bo@example.com",
        "newsletter",
        "",
        "pending",
        name='Bo "B", Jr',
        created_at=at(2),
        consent={"form": "subscribe-footer", "page": "/blog/meeting-notes"},
    )
    add_lead(
        app,
        "ann@example.com",
        "resource",
        "first-iep-meeting-checklist",
        "confirmed",
        created_at=at(3),
        confirmed_at=at(3, 9, 5),
        consent={"form": "resource", "page": "/free-resource"},
    )
    add_lead(
        app,
        "cy@example.com",
        "newsletter",
        "",
        "unsubscribed",
        name='=HYPERLINK("http://evil.example","click")',
        created_at=at(4),
        consent={"form": "subscribe-page", "utm_campaign": "+cmd|' /C calc'!A0"},
    )


EVERYONE = (
    "\ufeff"
    + HEADER
    + "ann@example.com,Ann,waitlist,CA,,confirmed,2026-03-01 09:30:00,"
    "2026-03-01 10:00:00,waitlist,/state-guides,instagram,social,fall,"
    "https://l.instagram.com/\r\n"
    'bo@example.com,"Bo ""B"", Jr",newsletter,,,pending,2026-03-02 09:00:00,,'
    "subscribe-footer,/blog/meeting-notes,,,,\r\n"
    "ann@example.com,Ann,resource,,first-iep-meeting-checklist,confirmed,"
    "2026-03-03 09:00:00,2026-03-03 09:05:00,resource,/free-resource,,,,\r\n"
    'cy@example.com,"\'=HYPERLINK(""http://evil.example"",""click"")",'
    "newsletter,,,unsubscribed,2026-03-04 09:00:00,,subscribe-page,,,,"
    "'+cmd|' /C calc'!A0,\r\n"
)


def test_export_is_the_whole_expected_file(app, leads):
    client = signed_in_client(app)
    response = client.get("/admin/leads/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.mimetype_params["charset"] == "utf-8"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="leads-'
    )
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_data().decode("utf-8") == EVERYONE
    assert response.get_data().startswith(b"\xef\xbb\xbf")


def test_export_follows_the_filters_on_screen(app, leads):
    client = signed_in_client(app)
    response = client.get("/admin/leads/export.csv?purpose=newsletter&status=pending")
    assert response.get_data(as_text=True) == (
        "\ufeff"
        + HEADER
        + 'bo@example.com,"Bo ""B"", Jr",newsletter,,,pending,2026-03-02 09:00:00,,'
        "subscribe-footer,/blog/meeting-notes,,,,\r\n"
    )
    response = client.get("/admin/leads/export.csv?state=CA&since=2026-03-01")
    lines = response.get_data(as_text=True).splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["ann@example.com"]
    page = client.get("/admin/leads?state=CA").get_data(as_text=True)
    assert 'href="/admin/leads/export.csv?state=CA"' in page
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "export")
        )
        details = [e.detail for e in events]
    assert details == [
        "1 rows as CSV; filter: purpose=newsletter, status=pending",
        "1 rows as CSV; filter: state=CA, since=2026-03-01",
    ]


def test_export_with_a_bad_date_goes_back_to_the_form(app, leads):
    client = signed_in_client(app)
    response = client.get("/admin/leads/export.csv?since=last+week")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Please enter a date as year-month-day" in page
    assert 'value="last week"' in page  # what was typed is kept


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+15551234567", "'+15551234567"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Ann=Bob", "Ann=Bob"),
        ("ann@example.com", "ann@example.com"),
        ("", ""),
    ],
)
def test_formula_cells_are_neutralised(cell, expected):
    assert neutralised([cell]) == [expected]


def test_cli_export_writes_the_same_file(app, runner, leads, tmp_path):
    target = tmp_path / "leads.csv"
    result = runner.invoke(args=["leads", "export", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes().decode("utf-8") == EVERYONE
    result = runner.invoke(
        args=["leads", "export", "--purpose", "waitlist", "--state", "ca"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.decode("utf-8").count("\r\n") == 2
    result = runner.invoke(args=["leads", "export", "--state", "XX"])
    assert result.exit_code == 2
    assert "two-letter state code" in result.output
    with app.app_context():
        actors = db.session.scalars(select(AuditEvent.actor)).all()
    assert actors == ["command line", "command line"]


# Enough rows for several batches and dozens of pieces; the 100,000-row export,
# its time and its memory, is measured by bench/run.sh.
ROWS = 30_000


def test_export_streams_its_rows_without_holding_them(app):
    with app.app_context():
        db.session.execute(
            insert(Person),
            [{"email": f"p{n}@example.com", "name": f"P {n}"} for n in range(ROWS)],
        )
        ids = db.session.scalars(select(Person.id).order_by(Person.id)).all()
        db.session.execute(
            insert(Subscription),
            [{"person_id": i, "purpose": "newsletter", "topic": ""} for i in ids],
        )
        db.session.commit()
        engine = db.engine
    client = signed_in_client(app)
    reads = []  # the export's reads: each one's server-side cursor name, if any

    def note_read(_conn, cursor, statement, _parameters, _context, _many):
        if "FROM subscriptions" in statement and "consents" in statement:
            reads.append(getattr(cursor, "name", None))

    event.listen(engine, "before_cursor_execute", note_read)
    try:
        response = client.get("/admin/leads/export.csv", buffered=False)
        assert response.is_streamed
        assert len(reads) <= 1  # (the test client takes the first piece at once)
        lines = chunks = 0
        for chunk in response.response:
            chunks += 1
            lines += chunk.count(b"\r\n")
        response.close()
    finally:
        event.remove(engine, "before_cursor_execute", note_read)
    assert lines == ROWS + 1
    assert chunks > 20  # it went out in pieces of about 64 KB, not in one go
    if engine.dialect.name == "sqlite":
        # ... read in short reads of BATCH rows, never all at once: full ones and
        # 1 empty, each ended before its rows go out (a read holds the write lock).
        assert len(reads) == ROWS // BATCH + 1
    else:
        # ... read in one query through a server-side cursor, BATCH rows a fetch.
        assert len(reads) == 1
        assert reads[0]


def test_export_reads_in_batches_by_id(app, leads):
    """A tiny batch size exercises the paging: every row, once, in order."""
    from leadsite.admin.export import csv_chunks
    from leadsite.admin.leads import LeadFilter

    with app.app_context():
        text = "".join(csv_chunks(LeadFilter(), batch=1))
    assert text == EVERYONE
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 5


def test_each_sign_up_gets_its_latest_consent(app, leads):
    """A sign-up with several consent records shows its newest one, also when
    another sign-up's record came in between, and in batches of one."""
    from leadsite.admin.export import csv_chunks
    from leadsite.admin.leads import LeadFilter

    with app.app_context():
        first_two = select(Subscription.id).order_by(Subscription.id).limit(2)
        ann, bo = db.session.scalars(first_two)
        for subscription_id, page in (
            (ann, "/older"),
            (bo, "/bo-again"),
            (ann, "/new"),
        ):
            db.session.add(
                Consent(
                    subscription_id=subscription_id,
                    form="subscribe-footer",
                    page=page,
                    wording_version="newsletter-2026-11",
                )
            )
        db.session.commit()
        in_ones = "".join(csv_chunks(LeadFilter(), batch=1))
    text = signed_in_client(app).get("/admin/leads/export.csv").get_data(as_text=True)
    assert in_ones == text
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1:]
    assert [(row[0], row[8], row[9]) for row in rows] == [
        ("ann@example.com", "subscribe-footer", "/new"),
        ("bo@example.com", "subscribe-footer", "/bo-again"),
        ("ann@example.com", "resource", "/free-resource"),
        ("cy@example.com", "subscribe-page", ""),
    ]


def test_no_read_stays_open_while_the_file_goes_out(app):
    """Between two pieces of the file no read is left open, so a form can store a
    lead during a slow download (on SQLite a read holds the write lock)."""
    from leadsite.admin.export import csv_chunks
    from leadsite.admin.leads import LeadFilter

    with app.app_context():
        db.session.execute(
            insert(Person),
            [{"email": f"p{n}@example.com", "name": f"P {n}"} for n in range(3000)],
        )
        ids = db.session.scalars(select(Person.id).order_by(Person.id)).all()
        db.session.execute(
            insert(Subscription),
            [{"person_id": i, "purpose": "newsletter", "topic": ""} for i in ids],
        )
        db.session.commit()
        pieces = csv_chunks(LeadFilter(), batch=1000)
        first = next(pieces)
        assert 0 < first.count("\r\n") < 1000  # part of the first batch is out
        with db.engine.begin() as other:  # as a form would, between two pieces
            other.execute(insert(Person).values(email="new@example.com", name="New"))
        rest = "".join(pieces)
    assert (first + rest).count("\r\n") == 3001
