"""Her account without a terminal: a new password by mail (once, for 30 minutes,
the same answer for any address, throttled), changing the password, two-step
sign-in from the Account page, and the list of her sign-ins with sign-out."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from conftest import build_app, close_app
from sqlalchemy import select, update
from test_admin_support import OWNER, PASSWORD, make_owner, sign_in, signed_in_client

from leadsite.admin import resets
from leadsite.admin.words import admin_time, plural
from leadsite.content import SiteError, load_settings
from leadsite.extensions import db
from leadsite.models import OutboxMessage, utcnow
from leadsite.models.admin import AdminSession, AdminUser, PasswordReset
from leadsite.outbox import deliver_due

NEW_PASSWORD = "a brand new long password"
FIREFOX = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
)
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
LINK = re.compile(r"http://site\.test(/admin/reset-password/[\w-]+)")


@pytest.fixture
def app_config(app_config, smtp_server):
    """Every app in this module delivers through the real SMTP server."""
    return {**app_config, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_server.port}


def owner(app) -> AdminUser:
    with app.app_context():
        user = db.session.scalar(select(AdminUser).where(AdminUser.email == OWNER))
        db.session.expunge(user)
        return user


def ask_for_link(client, email=OWNER, ip="127.0.0.1"):
    return client.post(
        "/admin/forgot-password",
        data={"email": email},
        environ_overrides={"REMOTE_ADDR": ip},
    )


def count(app, model) -> int:
    with app.app_context():
        return db.session.query(model).count()


def test_a_reset_link_comes_by_mail_and_works_once(app, smtp_server):
    other_browser = signed_in_client(app)
    client = app.test_client()
    sign_in_page = client.get("/admin/sign-in").get_data(as_text=True)
    assert 'href="/admin/forgot-password">Forgotten your password?' in sign_in_page

    answer = ask_for_link(client).get_data(as_text=True)
    unknown = ask_for_link(client, "stranger@example.com").get_data(as_text=True)
    assert "If owner@example.com is the address of the admin account" in answer
    assert answer.replace(OWNER, "X") == unknown.replace("stranger@example.com", "X")
    assert count(app, PasswordReset) == 1 and count(app, OutboxMessage) == 1

    with app.app_context():
        deliver_due()
    [mail] = smtp_server.messages
    assert mail["To"] == OWNER
    assert mail["Subject"] == "Your link to choose a new password"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    path = LINK.search(text)[1]
    assert f'href="http://site.test{path}"' in html
    assert "works once, for the next 30 minutes" in text
    token = path.rsplit("/", 1)[1]
    with app.app_context():
        row = db.session.scalar(select(PasswordReset))
        assert row.token_hash != token and token not in row.token_hash
        assert len(row.token_hash) == 64
        assert row.expires_at - row.created_at == timedelta(minutes=30)

    page = client.get(path).get_data(as_text=True)
    assert "Choose a new password" in page
    mismatch = client.post(path, data={"password": NEW_PASSWORD, "confirm": "other"})
    assert "The two new passwords are not the same." in mismatch.get_data(True)
    short = client.post(path, data={"password": "short", "confirm": "short"})
    assert "at least 12 characters" in short.get_data(as_text=True)
    assert count(app, AdminSession) == 1  # nothing changed yet

    done = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.headers["Location"] == "/admin/sign-in?why=new-password"
    assert "Your new password is set" in client.get(done.headers["Location"]).text
    assert other_browser.get("/admin/").status_code == 302  # signed out there too
    assert count(app, AdminSession) == 0
    assert sign_in(app.test_client()).status_code == 200  # the old one: refused
    assert sign_in(app.test_client(), password=NEW_PASSWORD).status_code == 302

    again = client.get(path)
    assert again.status_code == 410
    assert "This link no longer works" in again.get_data(as_text=True)
    reused = client.post(path, data={"password": "third password here", "confirm": "x"})
    assert reused.status_code == 410
    assert sign_in(app.test_client(), password=NEW_PASSWORD).status_code == 302


def test_a_reset_link_expires_after_30_minutes(app):
    make_owner(app)
    with app.app_context():
        resets.request_reset(OWNER, "127.0.0.1")
        text = db.session.scalar(select(OutboxMessage)).body_text
    path = LINK.search(text)[1]
    with app.app_context():
        db.session.execute(
            update(PasswordReset).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
    client = app.test_client()
    assert client.get(path).status_code == 410
    response = client.post(
        path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 410
    assert sign_in(app.test_client()).status_code == 302  # the password is unchanged
    assert app.test_client().get("/admin/reset-password/made-up").status_code == 410


def test_asking_for_links_is_throttled_per_address_and_per_client(app):
    make_owner(app)
    client = app.test_client()
    for n in range(resets.REQUESTS_PER_ACCOUNT):
        assert ask_for_link(client, ip=f"192.0.2.{n}").status_code == 200
    refused = ask_for_link(client, ip="192.0.2.99")  # a new client, the same address
    assert refused.status_code == 429
    assert "wait 60 minutes" in refused.get_data(as_text=True)
    assert count(app, PasswordReset) == resets.REQUESTS_PER_ACCOUNT
    for n in range(resets.REQUESTS_PER_ACCOUNT):  # an unknown address: the same
        assert ask_for_link(client, "nobody@example.com", f"192.0.2.{n}").status_code
    assert ask_for_link(client, "nobody@example.com").status_code == 429

    flood = app.test_client()
    for n in range(resets.REQUESTS_PER_CLIENT):
        ask_for_link(flood, f"person{n}@example.com", ip="198.51.100.5")
    assert ask_for_link(flood, "new@example.com", ip="198.51.100.5").status_code == 429
    assert ask_for_link(flood, "new@example.com", ip="198.51.100.6").status_code == 200


def test_change_password_needs_the_current_one_and_signs_out_elsewhere(app):
    client = signed_in_client(app)
    elsewhere = app.test_client()
    assert sign_in(elsewhere).status_code == 302
    data = {"current": "not my password", "password": NEW_PASSWORD}
    wrong = client.post(
        "/admin/account/password", data={**data, "confirm": NEW_PASSWORD}
    )
    assert "That password or code doesn&#39;t match" in wrong.get_data(as_text=True)
    assert count(app, AdminSession) == 2

    data["current"] = PASSWORD
    response = client.post("/admin/account/password", data={**data, "confirm": "x"})
    assert "The two new passwords are not the same." in response.get_data(True)
    response = client.post(
        "/admin/account/password", data={**data, "confirm": NEW_PASSWORD}
    )
    assert response.headers["Location"] == "/admin/account"
    page = client.get("/admin/account").get_data(as_text=True)
    assert "Your password is changed. Any other device is signed out." in page
    assert elsewhere.get("/admin/").status_code == 302
    assert count(app, AdminSession) == 1
    assert sign_in(app.test_client(), password=NEW_PASSWORD).status_code == 302


def test_two_step_sign_in_is_turned_on_and_off_on_the_account_page(app):
    client = signed_in_client(app)
    assert "Set up two-step sign-in" in client.get("/admin/account").text
    page = client.get("/admin/account/two-step").get_data(as_text=True)
    assert 'src="data:image/svg+xml;charset=utf-8,%3Csvg' in page
    secret = owner(app).totp_pending_secret
    assert secret and owner(app).totp_secret is None
    key = re.search(r'<p class="secret-key" id="secret-key">([A-Z2-7 ]+)</p>', page)[1]
    assert key.replace(" ", "") == secret
    phone = pyotp.TOTP(secret)

    wrong = client.post(
        "/admin/account/two-step", data={"code": "000000", "password": PASSWORD}
    )
    assert "doesn&#39;t match. Nothing was changed." in wrong.get_data(as_text=True)
    no_password = client.post(
        "/admin/account/two-step", data={"code": phone.now(), "password": "nope"}
    )
    assert "Nothing was changed" in no_password.get_data(as_text=True)
    assert owner(app).totp_secret is None

    response = client.post(
        "/admin/account/two-step", data={"code": phone.now(), "password": PASSWORD}
    )
    assert response.headers["Location"] == "/admin/account"
    assert "Two-step sign-in is on." in client.get("/admin/account").text
    assert owner(app).totp_secret == secret and owner(app).totp_pending_secret is None
    assert sign_in(app.test_client()).status_code == 200  # a code is needed now
    next_code = phone.at(utcnow() + timedelta(seconds=30))
    assert sign_in(app.test_client(), code=next_code).status_code == 302

    refused = client.post(
        "/admin/account/two-step/off", data={"password": PASSWORD, "code": "123456"}
    )
    assert "Nothing was changed" in refused.get_data(as_text=True)
    assert owner(app).totp_secret == secret
    with app.app_context():  # as if a minute had passed: no code used lately
        db.session.execute(update(AdminUser).values(totp_last_step=None))
        db.session.commit()
    later = phone.now()
    response = client.post(
        "/admin/account/two-step/off", data={"password": PASSWORD, "code": later}
    )
    assert response.headers["Location"] == "/admin/account"
    assert owner(app).totp_secret is None
    assert sign_in(app.test_client()).status_code == 302


def test_her_sign_ins_are_listed_and_can_be_signed_out(app):
    make_owner(app)
    laptop, phone, tablet = (app.test_client() for _ in range(3))
    laptop.environ_base["HTTP_USER_AGENT"] = FIREFOX
    phone.environ_base["HTTP_USER_AGENT"] = IPHONE
    tablet.environ_base["REMOTE_ADDR"] = "203.0.113.4"
    for client in (laptop, phone, tablet):
        assert sign_in(client).status_code == 302
    page = laptop.get("/admin/account").get_data(as_text=True)
    assert "3 signed-in devices" in page
    assert "Firefox 128 on Windows <strong>(this browser)</strong>" in page
    assert "Mobile Safari 17 on iOS (iPhone)" in page
    assert "203.0.113.4" in page

    with app.app_context():
        phone_id = db.session.scalar(
            select(AdminSession.id).where(AdminSession.user_agent == IPHONE)
        )
    response = laptop.post(f"/admin/account/sessions/{phone_id}/end")
    assert response.headers["Location"] == "/admin/account"
    assert phone.get("/admin/").status_code == 302
    assert laptop.get("/admin/").status_code == 200
    assert "2 signed-in devices" in laptop.get("/admin/account").text

    response = tablet.post("/admin/account/sessions/end-all")
    assert response.headers["Location"] == "/admin/sign-in?why=everywhere"
    assert "You are signed out on every device." in tablet.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    assert laptop.get("/admin/").status_code == 302
    assert count(app, AdminSession) == 0


def test_one_session_cannot_be_ended_by_another_account(app):
    make_owner(app)
    make_owner(app, "second@example.com")
    first, second = app.test_client(), app.test_client()
    sign_in(first)
    sign_in(second, "second@example.com")
    with app.app_context():
        first_id = db.session.scalar(
            select(AdminSession.id).join(AdminUser).where(AdminUser.email == OWNER)
        )
    second.post(f"/admin/account/sessions/{first_id}/end")
    assert first.get("/admin/").status_code == 200


def test_the_admin_has_its_own_layout_and_her_time_zone(app):
    client = signed_in_client(app)
    with app.app_context():
        db.session.execute(
            update(AdminUser).values(
                password_changed_at=datetime(2026, 7, 1, 14, 3, tzinfo=UTC)
            )
        )
        db.session.commit()
    page = client.get("/admin/account").get_data(as_text=True)
    assert 'class="site-footer"' not in page and "footer-signup" not in page
    assert 'aria-label="Main"' not in page  # the public menu
    assert '<span class="admin-badge">Admin</span>' in page
    assert (
        'Last changed <time datetime="2026-07-01T14:03:00Z">'
        "Jul 1, 2026, 10:03 AM EDT</time>" in page
    )


def test_times_follow_the_time_zone_setting(app_config, site_dir):
    settings = site_dir / "settings.toml"
    text = settings.read_text().replace("America/New_York", "America/Los_Angeles")
    settings.write_text(text)
    app = build_app(app_config)
    try:
        with app.app_context():
            winter = datetime(2026, 1, 5, 17, 30, tzinfo=UTC)
            assert str(admin_time(winter)) == (
                '<time datetime="2026-01-05T17:30:00Z">Jan 5, 2026, 9:30 AM PST</time>'
            )
            assert admin_time(None) == ""
    finally:
        close_app(app)


@pytest.mark.parametrize(
    ("zone", "accepted"),
    [
        ("America/Chicago", True),
        ("Europe/Paris", True),
        ("Eastern", False),
        ("America/Nowhere", False),
        ("../etc/passwd", False),
    ],
)
def test_the_time_zone_setting_is_checked(site_dir, zone, accepted):
    settings = site_dir / "settings.toml"
    settings.write_text(settings.read_text().replace('"America/New_York"', f'"{zone}"'))
    if accepted:
        assert load_settings(site_dir).site.time_zone == zone
    else:
        with pytest.raises(SiteError, match="site.time_zone: .*not a known time zone"):
            load_settings(site_dir)


def test_the_time_zone_defaults_to_new_york(site_dir):
    settings = site_dir / "settings.toml"
    settings.write_text(
        settings.read_text().replace('time_zone = "America/New_York"', "")
    )
    assert load_settings(site_dir).site.time_zone == "America/New_York"


@pytest.mark.parametrize(
    ("count", "words", "expected"),
    [
        (0, ("mail",), "0 mails"),
        (1, ("mail",), "1 mail"),
        (2, ("mail",), "2 mails"),
        (1, ("person", "people"), "1 person"),
        (3, ("person", "people"), "3 people"),
    ],
)
def test_plural(count, words, expected):
    assert plural(count, *words) == expected
