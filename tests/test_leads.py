"""The four lead flows end to end: form, outbox, real SMTP, mailed link, result."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import urlencode, urlsplit
from urllib.request import Request, urlopen

import pytest
from conftest import form_on, submit_form
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from leadsite.extensions import db
from leadsite.models import (
    Consent,
    ContactMessage,
    Download,
    LinkToken,
    OutboxMessage,
    OutboxStatus,
    Person,
    Subscription,
    utcnow,
)
from leadsite.outbox import compose, deliver_due


@pytest.fixture
def app_config(app_config, smtp_server):
    """Every app in this module delivers through the real SMTP server."""
    return {**app_config, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_server.port}


def deliver(app) -> None:
    with app.app_context():
        deliver_due()


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def subscriptions(app) -> list[tuple[str, str, str, str]]:
    with app.app_context():
        rows = db.session.scalars(select(Subscription).order_by(Subscription.id))
        return [(s.person.email, s.purpose, s.topic, s.status) for s in rows]


def age_outbox(app, minutes: int) -> None:
    """Make every queued or sent mail `minutes` older: the cooldowns run out."""
    with app.app_context():
        for message in db.session.scalars(select(OutboxMessage)):
            message.created_at -= timedelta(minutes=minutes)
        db.session.commit()


def link_in(message, path_start: str) -> str:
    """The first link in a mail's text part whose path starts with `path_start`."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    for url in re.findall(r"https?://\S+", text):
        if urlsplit(url).path.startswith(path_start):
            return url
    raise AssertionError(f"no {path_start} link in:\n{text}")


def local(url: str) -> str:
    """A mailed absolute link (built from SITE_URL) as a path for the test client."""
    assert url.startswith("http://site.test/"), url
    return url[len("http://site.test") :]


def test_subscribe_double_opt_in_welcome_and_one_click_unsubscribe(
    app, client, smtp_server
):
    response = submit_form(
        client,
        "/subscribe",
        {
            "email": "  Parent@Example.COM ",
            "name": "Sam",
            "page": "/blog/first-meeting",
            "utm_source": "instagram",
            "utm_medium": "social",
            "utm_campaign": "fall",
        },
        # Another site sent her straight to the button (our own pages are `page`).
        headers={"Referer": "https://l.instagram.com/"},
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "check your email" in page
    assert smtp_server.messages == []  # nothing is sent during the request
    assert subscriptions(app) == [("Parent@example.com", "newsletter", "", "pending")]
    with app.app_context():
        consent = db.session.scalar(select(Consent))
        assert (consent.form, consent.page) == ("subscribe-page", "/blog/first-meeting")
        assert (consent.utm_source, consent.utm_medium, consent.utm_campaign) == (
            "instagram",
            "social",
            "fall",
        )
        assert consent.referrer == "https://l.instagram.com/"
        assert consent.wording_version == "newsletter-2026-11"

    deliver(app)
    [confirmation] = smtp_server.messages
    assert confirmation["To"] == "Parent@example.com"
    assert "confirm" in confirmation["Subject"].lower()
    confirm_url = link_in(confirmation, "/confirm/")

    # A GET (what a mail scanner does) changes nothing and shows one button.
    page = client.get(local(confirm_url)).get_data(as_text=True)
    assert "<button" in page and "Confirm" in page
    assert subscriptions(app)[0][3] == "pending"

    response = client.post(local(confirm_url))
    assert "You're confirmed" in response.get_data(as_text=True)
    assert subscriptions(app)[0][3] == "confirmed"
    client.post(local(confirm_url))  # a second press sends no second welcome

    deliver(app)
    assert len(smtp_server.messages) == 2
    welcome = smtp_server.messages[1]
    assert welcome["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click = welcome["List-Unsubscribe"].strip("<>")
    text = welcome.get_body(preferencelist=("plain",)).get_content()
    assert "PO Box 1, Testtown" in text  # the postal address
    visible = link_in(welcome, "/unsubscribe/")
    assert client.get(local(visible)).status_code == 200
    assert subscriptions(app)[0][3] == "confirmed"

    fresh = app.test_client()  # no cookie, no CSRF token, as a mail provider posts
    app.config["WTF_CSRF_ENABLED"] = True
    response = fresh.post(local(one_click), data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert subscriptions(app)[0][3] == "unsubscribed"


def test_same_answer_whatever_the_state_and_no_duplicates(app, client, smtp_server):
    def submit() -> str:
        response = submit_form(client, "/subscribe", {"email": "a@example.com"})
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        return page.split("</main>")[0]  # the footer form has a fresh token

    first = submit()
    pending_again = submit()
    assert first == pending_again
    assert count(app, Person) == 1 and count(app, Subscription) == 1
    assert count(app, OutboxMessage) == 1  # no fresh mail within 15 minutes

    age_outbox(app, minutes=16)
    submit()
    assert count(app, OutboxMessage) == 2  # after the cooldown, one fresh mail

    with app.app_context():
        db.session.scalar(select(Subscription)).confirm()
        db.session.commit()
    assert submit() == first
    with app.app_context():
        db.session.scalar(select(Subscription)).unsubscribe()
        db.session.commit()
    assert submit() == first
    assert subscriptions(app) == [("a@example.com", "newsletter", "", "pending")]
    assert count(app, Consent) == 2  # the fresh opt-in after unsubscribing


def statements_of(app, action) -> tuple[list[str], int]:
    """The SQL statements `action()` runs (transaction control left out) and how
    many transactions it commits."""
    seen, commits = [], []

    def committed(conn):
        commits.append(conn)

    def record(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith("BEGIN"):
            seen.append(" ".join(statement.split()))

    with app.app_context():
        engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", record)
    sa_event.listen(engine, "commit", committed)
    try:
        action()
    finally:
        sa_event.remove(engine, "before_cursor_execute", record)
        sa_event.remove(engine, "commit", committed)
    return seen, len(commits)


def test_a_sign_up_is_one_transaction_of_few_statements(app, client):
    """The lead, its consent, its link, its mail and the rate-limit count are one
    commit; a new address needs no lookup beyond its own, and a repeat the cooldown
    holds back writes nothing but the count (no link for a mail never sent)."""
    page = form_on(client.get("/subscribe").get_data(as_text=True), {"email": ""})

    def submit(email):
        response = client.post("/subscribe", data={**page["hidden"], "email": email})
        assert response.status_code == 302

    submit("warm@example.com")  # the once-a-minute purge of old counts ran here
    new, commits = statements_of(app, lambda: submit("new@example.com"))
    assert commits == 1
    assert len(new) <= 8, "\n".join(new)
    assert new[0].startswith("INSERT INTO rate_limit_counters")
    assert not [s for s in new if s.startswith(("SAVEPOINT", "RELEASE"))]
    assert sum(s.startswith("INSERT INTO link_tokens") for s in new) == 1
    assert sum(s.startswith("INSERT INTO outbox") for s in new) == 1
    assert sum(s.startswith("INSERT INTO consents") for s in new) == 1

    again, commits = statements_of(app, lambda: submit("new@example.com"))
    assert commits == 1
    assert len(again) <= 4, "\n".join(again)
    assert not [s for s in again if not s.startswith(("SELECT", "INSERT INTO rate"))]
    assert count(app, LinkToken) == 2 and count(app, OutboxMessage) == 2


def test_a_sign_up_renders_its_mail_before_its_transaction_begins(
    app, client, monkeypatch
):
    """On SQLite a sign-up's transaction holds the write lock every other form
    waits for: it runs statements only, the mail being rendered before it."""
    page = form_on(client.get("/subscribe").get_data(as_text=True), {"email": ""})
    steps = []
    inline = compose.INLINER.inline
    spy = SimpleNamespace(inline=lambda html: steps.append("render") or inline(html))
    monkeypatch.setattr(compose, "INLINER", spy)
    with app.app_context():
        engine = db.engine
    begun = lambda conn: steps.append("begin")  # noqa: E731
    sa_event.listen(engine, "begin", begun)
    try:
        response = client.post(
            "/subscribe", data={**page["hidden"], "email": "early@example.com"}
        )
    finally:
        sa_event.remove(engine, "begin", begun)
    assert response.status_code == 302
    assert steps == ["render", "begin"]
    with app.app_context():
        queued = db.session.scalars(select(OutboxMessage.to_address)).all()
    assert queued == ["early@example.com"]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"email": ""}, "Please enter your email address."),
        ({"email": "not-an-address"}, "complete email address"),
        ({"email": "a@b"}, "complete email address"),
        ({"email": "x@example.com", "name": "n" * 101}, "under 100 characters"),
    ],
)
def test_subscribe_errors_are_clear_and_keep_what_was_typed(app, client, data, error):
    response = submit_form(client, "/subscribe", {"name": "Robin", **data})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert error in page
    assert 'aria-invalid="true"' in page
    assert "<title>Error:" in page
    if data.get("email"):
        assert f'value="{data["email"]}"' in page
    assert count(app, Person) == 0


def test_footer_form_on_every_page_posts_to_subscribe(app, client):
    page = client.get("/").get_data(as_text=True)
    assert 'name="footer-email"' in page
    response = submit_form(client, "/", {"footer-email": "f@example.com"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Consent.form)) == "subscribe-footer"


def test_twenty_parallel_submissions_make_one_row_and_one_mail(app, live_server):
    app.config["FORM_RATE_LIMIT"] = 100  # one test client stands for 20 people

    def form_page(_):
        with urlopen(f"{live_server.url}/subscribe", timeout=30) as response:
            return form_on(response.read().decode(), {"email": ""})["hidden"]

    with ThreadPoolExecutor(max_workers=20) as pool:
        hidden = list(pool.map(form_page, range(20)))  # each page its own token

    def submit(index):
        body = urlencode({**hidden[index], "email": "same@example.com"}).encode()
        request = Request(f"{live_server.url}/subscribe", data=body, method="POST")
        with urlopen(request, timeout=30) as response:
            return response.status

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(submit, range(20)))
    assert statuses == [200] * 20  # urllib follows the redirect to the thanks page
    assert count(app, Person) == 1
    assert count(app, Subscription) == 1
    assert count(app, OutboxMessage) == 1


def test_free_resource_link_download_and_expiry(app, client, smtp_server):
    response = submit_form(
        client,
        "/free-resource",
        {"email": "r@example.com", "resource": "first-iep-meeting-checklist"},
    )
    assert response.status_code == 302
    assert subscriptions(app) == [
        ("r@example.com", "resource", "first-iep-meeting-checklist", "pending")
    ]
    deliver(app)
    [mail] = smtp_server.messages
    url = link_in(mail, "/download/")
    assert (
        client.get(local(url).replace("/download/", "/download/x")).status_code == 404
    )

    response = client.get(local(url))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert count(app, Download) == 1
    assert subscriptions(app)[0][3] == "confirmed"  # the link reached a real inbox

    app.config["RESOURCE_LINK_DAYS"] = -1  # every link is now too old
    response = client.get(local(url))
    assert response.status_code == 410
    assert "Send me a fresh link" in response.get_data(as_text=True)
    age_outbox(app, minutes=16)  # the address's cooldown is over
    renew = client.post(local(url) + "/renew")
    assert renew.status_code == 302
    deliver(app)
    assert len(smtp_server.messages) == 2
    assert count(app, Download) == 1


def test_free_resource_newsletter_box_is_optional(app, client, smtp_server):
    data = {"resource": "first-iep-meeting-checklist"}
    submit_form(client, "/free-resource", {**data, "email": "no@example.com"})
    submit_form(
        client,
        "/free-resource",
        {**data, "email": "yes@example.com", "newsletter": "y"},
    )
    assert sorted(s[:2] for s in subscriptions(app)) == [
        ("no@example.com", "resource"),
        ("yes@example.com", "newsletter"),
        ("yes@example.com", "resource"),
    ]
    page = client.get("/free-resource").get_data(as_text=True)
    checkbox = re.search(r'<input[^>]*name="newsletter"[^>]*>', page).group(0)
    assert "checked" not in checkbox


def test_state_waitlist_several_states_and_thanks_names_the_state(
    app, client, smtp_server
):
    for state in ("CA", "TX", "CA"):
        response = submit_form(
            client, "/state-guides", {"email": "w@example.com", "state": state}
        )
        assert response.status_code == 302
    assert "Texas" in client.get(response.headers["Location"].replace("CA", "TX")).text
    assert "California" in client.get(response.headers["Location"]).text
    assert [s[2] for s in subscriptions(app)] == ["CA", "TX"]

    deliver(app)
    [confirmation] = smtp_server.messages  # one address, one mail per cooldown
    confirm_url = link_in(confirmation, "/confirm/")
    assert "Texas" in client.get(local(confirm_url)).text  # confirmed with it
    page = client.post(local(confirm_url)).text
    assert "California" in page and "Texas" in page
    assert [s[3] for s in subscriptions(app)] == ["confirmed", "confirmed"]
    deliver(app)
    assert len(smtp_server.messages) == 2  # one welcome, for the link pressed
    assert "California" in smtp_server.messages[1]["Subject"]

    response = submit_form(
        client, "/state-guides", {"email": "w@example.com", "state": "ZZ"}
    )
    assert "Please choose your state from the list." in response.text


def test_contact_stores_notifies_owner_and_auto_replies(app, client, smtp_server):
    data = {
        "name": "Evil\r\nBcc: victim@example.com",
        "email": "parent@example.com",
        "message": "Hello,\nCan you help with our IEP?",
    }
    response = submit_form(client, "/contact", data)
    assert "invisible character we can" in response.text  # a line break in a name
    assert count(app, ContactMessage) == 0
    data["name"] = "Evil Bcc: victim@example.com"
    response = submit_form(client, "/contact", data)
    assert response.status_code == 302
    with app.app_context():
        message = db.session.scalar(select(ContactMessage))
        assert message.body == "Hello,\nCan you help with our IEP?"
    deliver(app)
    notice, reply = sorted(smtp_server.messages, key=lambda m: m["To"])
    assert notice["To"] == "owner@site.test"
    assert notice["Reply-To"] == "parent@example.com"
    assert notice["Bcc"] is None and "victim" not in str(notice["Subject"])
    assert "hello@site.test" in notice["From"]
    assert "Can you help with our IEP?" in notice.get_body(("plain",)).get_content()
    assert reply["To"] == "parent@example.com"
    assert "two business days" in reply.get_body(("plain",)).get_content()
    assert "Can you help" not in reply.get_body(("plain",)).get_content()
    envelope_rcpts = sorted(
        r for e in smtp_server.recorder.envelopes for r in e.rcpt_tos
    )
    assert envelope_rcpts == ["owner@site.test", "parent@example.com"]


def test_contact_message_too_long_keeps_the_text(app, client):
    text = "word " * 1001
    response = submit_form(
        client, "/contact", {"name": "Kim", "email": "k@example.com", "message": text}
    )
    page = response.text
    assert "Please keep your message under 5000 characters." in page
    assert "word word word" in page and 'value="Kim"' in page
    assert count(app, ContactMessage) == 0


def test_tokens_are_bound_to_their_purpose(app, client, smtp_server):
    submit_form(client, "/subscribe", {"email": "t@example.com"})
    deliver(app)
    token = link_in(smtp_server.messages[0], "/confirm/").rsplit("/", 1)[1]
    assert client.post(f"/unsubscribe/{token}").status_code == 404
    assert client.post(f"/unsubscribe/{token}/one-click").status_code == 404
    assert client.get(f"/download/{token}").status_code == 404
    assert subscriptions(app)[0][3] == "pending"


def test_smtp_outage_loses_nothing(app, client, smtp_server):
    smtp_server.stop()
    for i in range(3):
        response = submit_form(client, "/subscribe", {"email": f"o{i}@example.com"})
        assert response.status_code == 302
    deliver(app)
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage)).all()
        assert {m.status for m in rows} == {OutboxStatus.QUEUED}
        assert all(m.next_attempt_at > utcnow() for m in rows)
        for m in rows:
            m.next_attempt_at = utcnow()
        db.session.commit()
    smtp_server.start()
    deliver(app)
    deliver(app)
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "o0@example.com",
        "o1@example.com",
        "o2@example.com",
    ]


def test_confirmed_fresh_opt_in_lifts_an_erasure(app, client, smtp_server):
    from leadsite.privacy import is_suppressed, suppress

    with app.app_context():
        suppress("back@example.com", "erased")
        db.session.commit()
    submit_form(client, "/subscribe", {"email": "back@example.com"})
    with app.app_context():
        assert is_suppressed("back@example.com")  # not until they confirm
    deliver(app)
    client.post(local(link_in(smtp_server.messages[0], "/confirm/")))
    with app.app_context():
        assert not is_suppressed("back@example.com")
    assert subscriptions(app)[0][3] == "confirmed"
