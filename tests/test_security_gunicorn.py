"""Under real gunicorn with two worker processes, on SQLite and PostgreSQL: the
per-client limit holds whichever worker answers, and the headers are there."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener, urlopen

from conftest import form_on, free_port
from sqlalchemy import func, select

from leadsite import create_app
from leadsite.extensions import db
from leadsite.models import Person

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 3
BURST = 6
ROUNDS = 10


def posting_workers(log: Path) -> set[str]:
    """The process ids that answered a POST, from gunicorn's access log."""
    lines = log.read_text().splitlines() if log.exists() else []
    return {line.split()[0] for line in lines if " POST " in line}


def start_gunicorn(env: dict, port: int, access_log: Path) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    return subprocess.Popen(
        [
            str(gunicorn),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--access-logfile",
            str(access_log),
            "--access-logformat",
            "%(p)s %(m)s %(s)s",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode()
        try:
            with urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not start")


def post_once(browser, base: str, index: int) -> int:
    """Open the page (a new connection each time) and send its form."""
    with browser.open(f"{base}/subscribe", timeout=10) as response:
        hidden = form_on(response.read().decode(), {"email": ""})["hidden"]
    body = urlencode({**hidden, "email": f"g{index}@example.com"}).encode()
    request = Request(f"{base}/subscribe", data=body, method="POST")
    try:
        with browser.open(request, timeout=10) as response:
            return response.status  # 200: the thanks page after the redirect
    except HTTPError as error:
        return error.code


def test_the_limit_holds_across_two_gunicorn_workers(database_url, site_dir, tmp_path):
    secret = "gunicorn-test-secret-key-long-enough"
    setup = create_app(
        {"DATABASE_URL": database_url, "SITE_DIR": str(site_dir), "SECRET_KEY": secret}
    )
    with setup.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("FLASK_")},
        "DATABASE_URL": database_url,
        "SITE_DIR": str(site_dir),
        "SECRET_KEY": secret,
        "PORT": str(port),
        "FORM_RATE_LIMIT": str(LIMIT),
        "WEB_CONCURRENCY": "2",
    }
    log = tmp_path / "access.log"
    process = start_gunicorn(env, port, log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/", process)
        with urlopen(base + "/", timeout=10) as response:
            headers = response.headers
        browser = build_opener(HTTPCookieProcessor(CookieJar()))  # as a browser
        codes: list[int] = []
        # Bursts of visitors at once, until both workers have answered some forms.
        with ThreadPoolExecutor(max_workers=BURST) as pool:
            for _round in range(ROUNDS):
                start = len(codes)
                indexes = range(start, start + BURST)
                codes += pool.map(lambda i: post_once(browser, base, i), indexes)
                if len(posting_workers(log)) == 2:
                    break
    finally:
        process.terminate()
        process.wait(30)

    assert len(posting_workers(log)) == 2, "both workers answered forms"
    assert sorted(codes) == [200] * LIMIT + [429] * (len(codes) - LIMIT)
    with setup.app_context():
        assert db.session.scalar(select(func.count(Person.id))) == LIMIT
        db.engine.dispose()
    # No version in the Server header; the security headers are there.
    assert not any(ch.isdigit() for ch in headers.get("Server", ""))
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
