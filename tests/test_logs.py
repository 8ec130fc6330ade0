"""Logs keep no secrets: real gunicorn's access log shows no mailed-link token
(not in the path, not in the referrer), nginx's documented format cuts them too,
and the outbox worker's log masks visitors' addresses."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
from conftest import free_port, missing

from leadsite import create_app
from leadsite.extensions import db
from leadsite.models import Person, Subscription
from leadsite.outbox import MailKind, deliver_due
from leadsite.outbox.queue import queue_mail
from leadsite.security.logs import mask_address, redact_path
from leadsite.tokens import TokenPurpose, make_token

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'gunicorn.db'}"


def get(url: str, referrer: str = "") -> int:
    request = Request(url, headers={"Referer": referrer} if referrer else {})
    try:
        with urlopen(request, timeout=10) as response:
            return response.status
    except HTTPError as error:
        return error.code
    except OSError:
        return 0  # not listening (yet)


def test_gunicorn_access_log_has_no_token(sqlite_url, site_dir, tmp_path):
    secret = "gunicorn-test-secret-key-long-enough"
    setup = create_app(
        {"DATABASE_URL": sqlite_url, "SITE_DIR": str(site_dir), "SECRET_KEY": secret}
    )
    with setup.app_context():
        db.drop_all()
        db.create_all()
        subscription = Subscription(
            person=Person(email="p@example.com"), purpose="newsletter"
        )
        db.session.add(subscription)
        db.session.flush()
        token = make_token(TokenPurpose.UNSUBSCRIBE, {"s": subscription.id})
        db.session.commit()
        db.engine.dispose()
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("FLASK_")},
        "DATABASE_URL": sqlite_url,
        "SITE_DIR": str(site_dir),
        "SECRET_KEY": secret,
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
    }
    log = tmp_path / "access.log"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    # gunicorn.conf.py is read as in production: its logger and its log format.
    process = subprocess.Popen(
        [str(gunicorn), "--access-logfile", str(log), "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while get(base + "/robots.txt") != 200:
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        assert get(f"{base}/unsubscribe/{token}") == 200  # a real, working link
        assert get(f"{base}/download/{token}?utm_source=mail") == 404
        assert get(f"{base}/blog/", referrer=f"{base}/confirm/{token}") == 200
    finally:
        process.terminate()
        process.wait(30)
    text = log.read_text()
    assert "/unsubscribe/[token] " in text
    assert "/download/[token]?utm_source=mail" in text
    assert f"{base}/confirm/[token]" in text  # the referrer, cut too
    assert token not in text


def test_nginx_log_format_cuts_the_tokens(tmp_path):
    """Real nginx with the documented log format (the deploy file's block, as is)
    logs each mailed link's path without its token."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        missing("the nginx log test needs nginx (Debian's nginx package)")
    conf = (ROOT / "deploy/nginx/leadsite.conf").read_text()
    block = conf.split("# --- access log without secrets ---")[1]
    block = block.split("# --- end of access log without secrets ---")[0]
    assert (
        conf.count("access_log /var/log/nginx/leadsite.access.log leadsite_private")
        == 3
    )
    port, log = free_port(), tmp_path / "access.log"
    (tmp_path / "nginx.conf").write_text(
        f"""
        daemon off; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;
        events {{}}
        http {{
            {block}
            client_body_temp_path {tmp_path}; proxy_temp_path {tmp_path};
            fastcgi_temp_path {tmp_path}; uwsgi_temp_path {tmp_path};
            scgi_temp_path {tmp_path};
            server {{
                listen 127.0.0.1:{port};
                access_log {log} leadsite_private;
                location / {{ return 204; }}
            }}
        }}
        """
    )
    process = subprocess.Popen(
        [nginx, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while get(base + "/") != 204:
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.1)
        for path in ("/confirm/", "/confirm-comment/", "/unsubscribe/", "/download/"):
            get(f"{base}{path}SECRET123/one-click?x=1", referrer=f"{base}{path}SECRET9")
    finally:
        process.terminate()
        process.wait(10)
    text = log.read_text()
    assert "SECRET" not in text
    for path in ("/confirm/", "/confirm-comment/", "/unsubscribe/", "/download/"):
        assert f'"GET {path}[token]/one-click?x=1 HTTP/1.1" 204' in text
        assert f'"{base}{path}[token]"' in text
        assert redact_path(f"{path}SECRET/x") == f"{path}[token]/x"  # as gunicorn's


def test_the_worker_log_masks_addresses(app, smtp_server, caplog):
    assert mask_address("jane@example.org") == "j***@example.org"
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    smtp_server.stop()  # the server is away: the worker logs the failure
    with app.app_context():
        queue_mail(
            kind=MailKind.CONTACT_NOTICE,
            to="jane.doe@example.org",
            subject="Hi",
            text="Hello",
        )
        db.session.commit()
        with caplog.at_level(logging.INFO, logger="leadsite.outbox"):
            deliver_due()
    smtp_server.start()
    assert "j***@example.org" in caplog.text
    assert "jane.doe" not in caplog.text
