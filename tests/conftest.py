"""Shared fixtures: the app on SQLite and on PostgreSQL, a real SMTP server, a live
server and a real browser.

Every test that asks for `app` (or `client`, `live_server`, ...) runs twice, once per
database. PostgreSQL is TEST_DATABASE_URL's server, or else a throwaway one started
from the installed binaries; each test process (pytest-xdist worker) gets a database
of its own there. Outside CI a missing PostgreSQL or Chromium skips with a reason;
with CI=true it fails instead, so CI never passes by skipping.
"""

from __future__ import annotations

import os
import shutil
import socket
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from postgres_server import Unavailable, find_pg_ctl, throwaway_server
from pytest_postgresql.janitor import DatabaseJanitor
from quick_start import quick_start
from serving import serving
from werkzeug.serving import make_server

from leadsite import create_app
from leadsite.config import normalise_database_url
from leadsite.extensions import db

TESTS = Path(__file__).parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def missing(reason: str) -> None:
    """Skip outside CI; fail in CI, where nothing may be skipped silently."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: a missing service is a failure)")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session", autouse=True)
def quicker_apps() -> Iterator[None]:
    """Start-up work each app repeats done once per process: see quick_start."""
    with quick_start():
        yield


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[sa.URL]:
    """A PostgreSQL server the tests may make databases on: TEST_DATABASE_URL's, or
    else a throwaway one of this test process's own."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if url:
        yield sa.make_url(normalise_database_url(url))
        return
    pg_ctl = find_pg_ctl()
    if pg_ctl is None:
        missing(
            "PostgreSQL tests need PostgreSQL installed (no pg_ctl found) "
            "or TEST_DATABASE_URL (see README, Testing)"
        )
    try:
        with throwaway_server(pg_ctl, free_port()) as server:
            yield server
    except Unavailable as exc:
        missing(str(exc))


@pytest.fixture(scope="session")
def postgres_url(postgres_server, worker_id) -> Iterator[str]:
    """An empty database of this test process's own (`<name>_gw0`, ...), so parallel
    workers never share tables; dropped at the end."""
    name = f"{postgres_server.database}_{worker_id}"
    janitor = DatabaseJanitor(
        user=postgres_server.username,
        password=postgres_server.password,
        host=postgres_server.host,
        port=postgres_server.port or 5432,
        dbname=name,
        maintenance_dbname=postgres_server.database,
    )
    janitor.drop()  # left over from a run that was killed
    janitor.init()
    # Each test commits many times: the server need not wait for the disk on this
    # throwaway database (the same rule as the throwaway server's NO_DURABILITY).
    admin = sa.create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(
            f'ALTER DATABASE "{name}" SET synchronous_commit = off'
        )
    admin.dispose()
    yield postgres_server.set(database=name).render_as_string(hide_password=False)
    janitor.drop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file with every table, made once per test process: a copy of it is
    much faster than making the tables for each test."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-that-is-long-enough",
            "DATABASE_URL": f"sqlite:///{path}",
            "SITE_DIR": str(TESTS / "site"),
        }
    )
    with app.app_context():
        db.create_all()
    close_app(app)
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def site_dir(tmp_path) -> Path:
    """A private copy of the test content folder, so a test may edit it."""
    target = tmp_path / "site"
    shutil.copytree(TESTS / "site", target)
    return target


@pytest.fixture
def app_config(database_url, site_dir, tmp_path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough",
        "DATABASE_URL": database_url,
        "SITE_DIR": str(site_dir),
        "SITE_URL": "http://site.test",
        "MAIL_SERVER": None,
        "MAIL_DEFAULT_SENDER": "hello@site.test",
        "OWNER_EMAIL": "owner@site.test",
        "WTF_CSRF_ENABLED": False,
    }


def build_app(config: dict):
    """An app on `config` with every table there and empty."""
    app = create_app(config)
    with app.app_context():
        empty_tables()
    return app


RESTART_SEQUENCES = sa.text(
    "SELECT setval(format('%I.%I', schemaname, sequencename), 1, false)"
    " FROM pg_sequences WHERE last_value IS NOT NULL"
)


def empty_tables() -> None:
    """Make the tables if any is missing, else empty them all: much faster than
    making them anew for each test. Numbering starts again at 1 on both."""
    tables = db.metadata.sorted_tables
    present = set(sa.inspect(db.engine).get_table_names())
    if not present.issuperset(table.name for table in tables):
        db.drop_all()
        db.create_all()
        return
    with db.engine.begin() as connection:
        for table in reversed(tables):
            connection.execute(table.delete())
        if connection.dialect.name == "postgresql":
            # DELETE and a reset of the used sequences: on these few rows, ten
            # times faster than TRUNCATE, which makes a new file for each table.
            connection.execute(RESTART_SEQUENCES)


def close_app(app) -> None:
    """Return the app's database connections, so the next test can empty tables."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(app_config):
    app = build_app(app_config)
    yield app
    close_app(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class SMTPRecorder:
    """Keeps every message a real aiosmtpd server receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.messages.append(
            message_from_bytes(envelope.content, policy=policy.default)
        )
        return "250 Message accepted for delivery"


class SMTPServer:
    """A real SMTP server on 127.0.0.1 that a test can stop and start again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.recorder = SMTPRecorder()
        self.controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.recorder.messages

    def start(self) -> None:
        self.controller = Controller(
            self.recorder, hostname="127.0.0.1", port=self.port
        )
        self.controller.start()

    def stop(self) -> None:
        if self.controller:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_app_config(app_config, smtp_server) -> dict:
    """App settings that deliver through the test's SMTP server."""
    return {**app_config, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_server.port}


class LiveServer:
    """The app served over HTTP on 127.0.0.1 from a thread, for the browser."""

    def __init__(self, app) -> None:
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.running = serving(self.server)

    def __enter__(self):
        self.running.__enter__()
        return self

    def __exit__(self, *exc):
        self.running.__exit__(*exc)


@pytest.fixture
def live_server(app):
    app.config["SITE_URL"] = "http://placeholder"
    with LiveServer(app) as server:
        app.config["SITE_URL"] = server.url
        yield server


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        missing(f"browser tests need Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


def wait_for(predicate, timeout: float = 10.0, interval: float = 0.05):
    """Poll until `predicate()` is truthy; return its value or fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


class FormFinder(HTMLParser):
    """Every <form> on a page: its action, and its hidden and other field names."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {"action": attrs.get("action"), "hidden": {}, "names": set()}
            )
        elif tag in ("input", "textarea", "select") and self.forms and "name" in attrs:
            self.forms[-1]["names"].add(attrs["name"])
            if attrs.get("type") == "hidden":
                self.forms[-1]["hidden"][attrs["name"]] = attrs.get("value") or ""


def form_on(html: str, data: dict) -> dict:
    """The form on the page that has most of `data`'s fields (the first on a tie)."""
    finder = FormFinder()
    finder.feed(html)
    assert finder.forms, "no form on the page"
    return max(finder.forms, key=lambda form: len(form["names"] & set(data)))


def submit_form(client, page: str, data: dict, **kwargs):
    """Open `page`, then send its form as a browser would: its hidden fields (CSRF,
    form token, where the visitor came from) with `data` typed over them."""
    form = form_on(client.get(page).get_data(as_text=True), data)
    return client.post(
        form["action"] or page, data={**form["hidden"], **data}, **kwargs
    )


def assert_accessible(page) -> None:
    """axe-core finds no violation on the page; its report explains any it finds."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.fixture
def mailing_browser_config(app_config, smtp_server) -> dict:
    """For browser tests: real SMTP and CSRF on, as a visitor meets the site."""
    return {
        **app_config,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_server.port,
        "WTF_CSRF_ENABLED": True,
    }
