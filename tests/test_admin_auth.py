"""Signing in to the admin: accounts from the command line, the same answer for any
failure, growing delays, server-side sessions and their time limits, CSRF, and the
rule that every admin page needs a signed-in owner."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from conftest import build_app
from sqlalchemy import select, update
from test_admin_support import OWNER, PASSWORD, make_owner, sign_in, signed_in_client

from leadsite.admin import accounts, throttle
from leadsite.admin.blueprint import OPEN_ENDPOINTS
from leadsite.extensions import db
from leadsite.models import utcnow
from leadsite.models.admin import AdminSession, AdminUser, AuditEvent, SignInThrottle

WRONG = "Those sign-in details don&#39;t match."


def admin_rules(app) -> list[tuple[str, str]]:
    """(method, path) of every admin route, with 1 for each id in the path."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin/") or rule.endpoint in OPEN_ENDPOINTS:
            continue
        path = re.sub(r"<int:[^>]+>", "1", rule.rule)
        path = re.sub(r"<any\(([a-z]+)[^>]*>", r"\1", path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, path))
    return found


def test_every_admin_route_is_refused_when_signed_out(app, client):
    rules = admin_rules(app)
    assert len(rules) >= 20  # the walk found the routes
    for method, path in rules:
        response = client.open(path, method=method)
        assert response.status_code == 302, (method, path)
        assert response.headers["Location"].startswith("/admin/sign-in"), path
        assert response.headers["Cache-Control"] == "no-store"


def test_create_owner_reads_the_password_from_stdin_or_the_environment(app, runner):
    result = runner.invoke(
        args=["admin", "create-owner", "Owner@Example.com", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created the account owner@example.com" in result.output
    result = runner.invoke(
        args=["admin", "create-owner", "second@example.com"],
        env={"ADMIN_PASSWORD": "another long password"},
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        users = db.session.scalars(select(AdminUser).order_by(AdminUser.id)).all()
        assert [u.email for u in users] == ["owner@example.com", "second@example.com"]
        assert users[0].password_hash.startswith("$argon2id$")
        assert PASSWORD not in users[0].password_hash
    assert sign_in(app.test_client(), "second@example.com", "another long password")


def test_create_owner_refuses_a_short_password_and_a_taken_address(app, runner):
    short = runner.invoke(
        args=["admin", "create-owner", OWNER, "--password-stdin"], input="short\n"
    )
    assert short.exit_code == 1
    assert "at least 12 characters" in short.output
    make_owner(app)
    again = runner.invoke(
        args=["admin", "create-owner", OWNER, "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert again.exit_code == 1
    assert "already an account" in again.output


def test_create_owner_asks_twice_at_the_prompt(app, runner):
    result = runner.invoke(
        args=["admin", "create-owner", OWNER], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert sign_in(app.test_client()).status_code == 302


def test_set_password_changes_it_and_signs_out_everywhere(app, runner):
    client = signed_in_client(app)
    result = runner.invoke(
        args=["admin", "set-password", OWNER, "--password-stdin"],
        input="a brand new password\n",
    )
    assert result.exit_code == 0, result.output
    assert client.get("/admin/").status_code == 302  # the old session is gone
    assert WRONG in sign_in(app.test_client()).get_data(as_text=True)
    assert (
        sign_in(app.test_client(), password="a brand new password").status_code == 302
    )


def test_same_answer_for_unknown_account_and_wrong_password(app, client):
    make_owner(app)
    unknown = sign_in(client, "nobody@example.com", PASSWORD)
    wrong = sign_in(client, OWNER, "not the password at all")
    assert unknown.status_code == wrong.status_code == 200
    for response in (unknown, wrong):
        page = response.get_data(as_text=True)
        assert WRONG in page
        assert "not the password" not in page  # the password is never shown again
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [(e.action, e.actor) for e in events] == [
            ("sign-in-failed", "nobody@example.com"),
            ("sign-in-failed", OWNER),
        ]
        assert all(e.ip == "127.0.0.1" for e in events)
        logged = " ".join(f"{e.actor} {e.detail}" for e in events)
        assert PASSWORD not in logged and "not the password" not in logged


def test_sign_in_starts_a_new_session_and_sign_out_ends_it(app, client):
    make_owner(app)
    client.get("/admin/sign-in")  # a visitor's session exists before signing in
    before = client.get_cookie("session")
    response = sign_in(client, next="/admin/messages?show=all")
    assert response.headers["Location"] == "/admin/messages?show=all"
    after = client.get_cookie("session")
    assert after is not None and (before is None or before.value != after.value)
    assert after.http_only and after.same_site == "Lax"
    with app.app_context():
        assert db.session.query(AdminSession).count() == 1
    assert client.get("/admin/").status_code == 200

    copied = app.test_client()
    copied.set_cookie("session", after.value)
    assert copied.get("/admin/").status_code == 200  # a copy works while signed in

    response = client.post("/admin/sign-out")
    assert response.headers["Location"] == "/admin/sign-in?why=signed-out"
    with app.app_context():
        assert db.session.query(AdminSession).count() == 0
    refused = copied.get("/admin/leads")
    assert refused.status_code == 302
    assert refused.headers["Location"].startswith("/admin/sign-in")


def test_next_never_leads_off_the_admin(app, client):
    make_owner(app)
    response = sign_in(client, next="//evil.example/admin/")
    assert response.headers["Location"] == "/admin/"


def age_sessions(app, **ages) -> None:
    with app.app_context():
        db.session.execute(
            update(AdminSession).values(
                {column: utcnow() - age for column, age in ages.items()}
            )
        )
        db.session.commit()


def test_idle_session_times_out_after_30_minutes(app):
    client = signed_in_client(app)
    age_sessions(app, last_seen_at=timedelta(minutes=29))
    assert client.get("/admin/").status_code == 200  # and it counts as activity
    age_sessions(app, last_seen_at=timedelta(minutes=31))
    response = client.get("/admin/leads?status=pending")
    assert response.status_code == 302
    assert "why=idle" in response.headers["Location"]
    assert "next=/admin/leads?status%3Dpending" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "signed out after 30 minutes without activity" in page
    with app.app_context():
        assert db.session.query(AdminSession).count() == 0


def test_session_ends_after_12_hours_however_active(app):
    client = signed_in_client(app)
    age_sessions(app, created_at=timedelta(hours=12, minutes=1))
    response = client.get("/admin/")
    assert "why=expired" in response.headers["Location"]


def throttle_row(app, key: str) -> SignInThrottle | None:
    with app.app_context():
        return db.session.scalar(
            select(SignInThrottle).where(SignInThrottle.key == key)
        )


def unblock_now(app) -> None:
    """Let the current wait pass without sleeping through it."""
    with app.app_context():
        db.session.execute(update(SignInThrottle).values(blocked_until=utcnow()))
        db.session.commit()


def test_failures_make_the_wait_grow_and_unlock_clears_it(app, client, runner):
    make_owner(app)
    for _ in range(throttle.FREE_TRIES - 1):
        assert WRONG in sign_in(client, password="wrong password!").get_data(True)
    assert throttle_row(app, f"account:{OWNER}").blocked_until <= utcnow()

    waits = []
    for _ in range(3):
        unblock_now(app)
        sign_in(client, password="wrong password!")
        row = throttle_row(app, f"account:{OWNER}")
        waits.append((row.blocked_until - row.last_failure_at).total_seconds())
    assert waits == [2, 4, 8]

    # While waiting, even the right password is refused, with a plain reason.
    response = sign_in(client)
    assert response.status_code == 429
    assert "please wait 8 seconds" in response.get_data(as_text=True)
    # From another address the account is still waiting too.
    other = app.test_client()
    response = sign_in(other, environ_overrides={"REMOTE_ADDR": "203.0.113.9"})
    assert response.status_code == 429

    result = runner.invoke(args=["admin", "unlock", OWNER, "--ip", "127.0.0.1"])
    assert result.exit_code == 0, result.output
    assert "Cleared 2 sign-in delay(s)" in result.output
    assert throttle_row(app, f"account:{OWNER}") is None
    assert sign_in(client).status_code == 302


def test_the_wait_is_capped_never_a_lock_out():
    assert throttle.wait_after(throttle.FREE_TRIES - 1) == timedelta(0)
    assert throttle.wait_after(throttle.FREE_TRIES) == timedelta(seconds=2)
    assert throttle.wait_after(1000) == throttle.LONGEST_WAIT == timedelta(minutes=15)


def test_an_address_that_keeps_failing_waits_for_every_account(app):
    make_owner(app)
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    for n in range(throttle.FREE_TRIES):
        sign_in(attacker, f"guess{n}@example.com", "wrong password!")
    assert sign_in(attacker).status_code == 429
    assert sign_in(app.test_client()).status_code == 302  # the owner, elsewhere


def test_admin_pages_are_never_cached(app):
    client = signed_in_client(app)
    for path in ("/admin/", "/admin/sign-in", "/admin/leads"):
        response = client.get(path)
        assert response.headers["Cache-Control"] == "no-store", path
    page = client.get("/admin/").get_data(as_text=True)
    assert '<meta name="robots" content="noindex, nofollow">' in page


def test_a_post_without_the_csrf_token_is_refused(app_config):
    app = build_app({**app_config, "WTF_CSRF_ENABLED": True})
    make_owner(app)
    client = app.test_client()
    form = client.get("/admin/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)[1]
    assert sign_in(client).status_code == 400  # no token: not even a sign-in
    assert sign_in(client, csrf_token=token).status_code == 302

    response = client.post("/admin/sign-out")
    assert response.status_code == 400
    assert "Please try that again" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 200  # still signed in

    page = client.get("/admin/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    assert client.post("/admin/sign-out", data={"csrf_token": token}).status_code == 302
    assert client.get("/admin/").status_code == 302
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_two_step_sign_in_needs_a_fresh_code(app, runner, monkeypatch):
    make_owner(app)
    secret = pyotp.random_base32()
    app_on_the_phone = pyotp.TOTP(secret)
    monkeypatch.setattr(accounts, "new_totp_secret", lambda: secret)
    result = runner.invoke(args=["admin", "two-step", OWNER], input="000000\n")
    assert result.exit_code == 1  # a wrong code turns nothing on
    assert "does not match; nothing was changed" in result.output
    assert sign_in(app.test_client()).status_code == 302

    result = runner.invoke(
        args=["admin", "two-step", OWNER], input=app_on_the_phone.now() + "\n"
    )
    assert result.exit_code == 0, result.output
    assert f"secret={secret}" in result.output  # the link for the phone
    assert "Two-step sign-in is on" in result.output

    client = app.test_client()
    assert WRONG in sign_in(client).get_data(as_text=True)  # no code: refused
    assert WRONG in sign_in(client, code="123 456").get_data(as_text=True)
    # The code typed at set-up is used up; the next 30-second code works, once.
    next_code = app_on_the_phone.at(utcnow() + timedelta(seconds=30))
    assert sign_in(client, code=next_code).status_code == 302
    replay = app.test_client()
    assert WRONG in sign_in(replay, code=next_code).get_data(as_text=True)

    result = runner.invoke(args=["admin", "two-step", OWNER, "--off"])
    assert "Two-step sign-in is off" in result.output
    assert sign_in(app.test_client()).status_code == 302


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/admin/leads?q=x", "/admin/leads?q=x"),
        ("/admin/", "/admin/"),
        ("https://evil.example/", "/admin/"),
        ("//evil.example", "/admin/"),
        ("/blog/", "/admin/"),
        ("", "/admin/"),
    ],
)
def test_safe_next(app, target, expected):
    from leadsite.admin.auth import safe_next

    with app.test_request_context():
        assert safe_next(target) == expected


@pytest.mark.parametrize("field", ["email", "password"])
def test_control_characters_in_sign_in_get_a_friendly_error(app, client, field):
    make_owner(app)
    data = {"email": OWNER, "password": PASSWORD, field: "owner\x00@example.com"}
    response = client.post("/admin/sign-in", data=data)
    assert response.status_code == 200
    assert "invisible character we can&#39;t accept" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302  # still signed out
