"""Rate limits: per client (IPv6 by /64) across every public form, per address
(the confirmation cooldown), in the database or in Redis; a friendly 429."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from datetime import timedelta

import pytest
from conftest import build_app, free_port, missing, submit_form
from sqlalchemy import func, select

from leadsite import create_app
from leadsite.extensions import db
from leadsite.models import (
    ContactMessage,
    OutboxMessage,
    Person,
    RateLimitCounter,
    utcnow,
)
from leadsite.security.ratelimit import client_network

CONTACT = {"name": "Pat", "email": "p@example.com", "message": "My words\nhere"}


def people(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Person))


def from_address(client, address: str):
    client.environ_base["REMOTE_ADDR"] = address
    return client


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:1:2:3", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("not an address", "not an address"),
    ],
)
def test_clients_are_counted_by_address_and_ipv6_by_its_64(address, key):
    assert client_network(address) == key


def test_the_limit_is_shared_by_every_form_and_says_when_to_come_back(app, client):
    app.config.update(FORM_RATE_LIMIT=2, FORM_RATE_WINDOW=600)
    assert (
        submit_form(client, "/subscribe", {"email": "a@example.com"}).status_code == 302
    )
    assert (
        submit_form(client, "/", {"footer-email": "b@example.com"}).status_code == 302
    )
    response = submit_form(client, "/contact", CONTACT)
    assert response.status_code == 429
    # The window slides: a count still weighs on the next window for a while.
    assert 1 <= int(response.headers["Retry-After"]) <= 2 * 600
    page = response.text
    assert "Please try again in about" in page and "minute" in page
    # What the visitor typed is on the page to copy; the hidden fields are not.
    assert "My words\nhere</textarea>" in page and "p@example.com" in page
    assert "form_token" not in page.split("</main>")[0]
    assert "Content-Security-Policy" in response.headers
    with app.app_context():
        assert db.session.scalar(select(func.count(ContactMessage.id))) == 0
    assert people(app) == 2


def test_other_clients_are_not_held_up_and_ipv6_neighbours_share(app):
    app.config.update(FORM_RATE_LIMIT=1)

    def send(address: str, email: str) -> int:
        client = from_address(app.test_client(), address)
        return submit_form(client, "/subscribe", {"email": email}).status_code

    assert send("2001:db8:1:2::1", "a@example.com") == 302
    assert send("2001:db8:1:2::99", "b@example.com") == 429  # the same /64
    assert send("2001:db8:1:3::1", "c@example.com") == 302  # another /64
    assert send("198.51.100.7", "d@example.com") == 302


def test_a_forged_forwarded_for_does_not_dodge_the_limit(app):
    app.config.update(FORM_RATE_LIMIT=1)
    client = app.test_client()
    codes = [
        submit_form(
            client,
            "/subscribe",
            {"email": f"x{i}@example.com"},
            headers={"X-Forwarded-For": f"192.0.2.{i}"},
        ).status_code
        for i in range(3)
    ]
    assert codes == [302, 429, 429]


def test_behind_one_proxy_the_proxy_s_address_is_used(app_config):
    app = build_app({**app_config, "TRUSTED_PROXY_HOPS": 1, "FORM_RATE_LIMIT": 1})
    client = app.test_client()

    def send(forwarded: str, email: str) -> int:
        headers = {"X-Forwarded-For": forwarded}
        return submit_form(
            client, "/subscribe", {"email": email}, headers=headers
        ).status_code

    assert send("198.51.100.1", "a@example.com") == 302
    assert send("198.51.100.2", "b@example.com") == 302  # another visitor
    # A visitor who adds their own header is still known by what nginx saw.
    assert send("192.0.2.50, 198.51.100.1", "c@example.com") == 429
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_counters_are_purged_when_their_window_is_over(app, client):
    with app.app_context():
        db.session.add(
            RateLimitCounter(key="old", hits=5, expires_at=utcnow() - timedelta(1))
        )
        db.session.commit()
    submit_form(client, "/subscribe", {"email": "a@example.com"})
    with app.app_context():
        keys = db.session.scalars(select(RateLimitCounter.key)).all()
    assert len(keys) == 1 and keys[0].startswith("forms:ip:127.0.0.1:")


def test_one_address_gets_one_confirmation_per_cooldown_from_any_client(app):
    for i in range(3):
        client = from_address(app.test_client(), f"198.51.100.{i}")
        submit_form(client, "/subscribe", {"email": "target@example.com"})
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1


@pytest.fixture
def redis_url():
    server = shutil.which("redis-server")
    if server is None:
        missing("the Redis test needs redis-server (apt-get install redis-server)")
    port = free_port()
    process = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(10)


def test_with_redis_the_limit_is_shared_by_separate_hosts(app_config, redis_url):
    """Two app instances stand for two hosts; they share only the Redis server."""
    config = {**app_config, "RATELIMIT_STORAGE_URL": redis_url, "FORM_RATE_LIMIT": 2}
    hosts = [build_app(config), create_app(config)]
    codes = [
        submit_form(
            hosts[i % 2].test_client(), "/subscribe", {"email": f"r{i}@example.com"}
        ).status_code
        for i in range(4)
    ]
    assert codes == [302, 302, 429, 429]
    with hosts[0].app_context():
        assert db.session.scalar(select(func.count(RateLimitCounter.key))) == 0
    for host in hosts:
        with host.app_context():
            db.session.remove()
            db.engine.dispose()


def test_mail_to_unconfirmed_addresses_over_the_hourly_cap_waits_its_turn(
    mail_app_config, smtp_server
):
    from leadsite.models import DeliveryAttempt, OutboxStatus
    from leadsite.outbox import deliver_due

    app = build_app({**mail_app_config, "CONFIRM_MAIL_PER_HOUR": 2})
    client = app.test_client()
    for i in range(3):
        submit_form(client, "/subscribe", {"email": f"c{i}@example.com"})
    submit_form(client, "/contact", CONTACT)
    with app.app_context():
        # The cap covers all mail to unconfirmed addresses: the first two
        # confirmations go, the third and the contact auto-reply wait; the owner's
        # notice is not capped.
        assert deliver_due() == {"sent": 3}
        waiting = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.QUEUED)
            .order_by(OutboxMessage.id)
        ).all()
        assert [(m.kind, m.to_address) for m in waiting] == [
            ("confirm", "c2@example.com"),
            ("contact_reply", CONTACT["email"]),
            ("cap_notice", "owner@site.test"),  # the owner hears what waits
        ]
        assert all(m.attempts == 0 for m in waiting)
        assert db.session.scalar(select(func.count(DeliveryAttempt.id))) == 3
        assert deliver_due() == {"sent": 1}  # the notice; the rest waits the hour
        later = utcnow() + timedelta(minutes=61)
        assert deliver_due(now=later) == {"sent": 2}
        db.session.remove()
        db.engine.dispose()
    assert sorted(
        m["To"] for m in smtp_server.messages if "confirm" in m["Subject"].lower()
    ) == [
        "c0@example.com",
        "c1@example.com",
        "c2@example.com",
    ]


def test_expired_counters_are_purged_at_most_once_a_minute(app, client, monkeypatch):
    from leadsite.security import ratelimit

    def add_expired(key: str) -> None:
        with app.app_context():
            db.session.add(
                RateLimitCounter(key=key, hits=1, expires_at=utcnow() - timedelta(1))
            )
            db.session.commit()

    def keys() -> list[str]:
        with app.app_context():
            return sorted(db.session.scalars(select(RateLimitCounter.key)).all())

    clock = [1000.0]
    monkeypatch.setattr(ratelimit.time, "monotonic", lambda: clock[0])
    submit_form(client, "/subscribe", {"email": "a@example.com"})  # purges
    add_expired("old")
    clock[0] += 30
    submit_form(client, "/subscribe", {"email": "b@example.com"})
    assert "old" in keys()  # within the minute: left for later
    clock[0] += 31
    submit_form(client, "/subscribe", {"email": "c@example.com"})
    assert "old" not in keys()
