"""Bot traps: a honeypot and a signed render-time token on every public form. A
bot gets the same answer as a person; nothing is stored or sent. A used or
expired token, or a form another site sent, gets the form back with what was
typed: a person loses nothing."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from conftest import form_on, submit_form
from itsdangerous import TimestampSigner
from sqlalchemy import func, select

from leadsite.extensions import db
from leadsite.models import (
    ContactMessage,
    OutboxMessage,
    Person,
    UsedFormToken,
    utcnow,
)
from leadsite.security.bottrap import PLACEHOLDER, TOKEN_SALT

FORMS = [
    ("/subscribe", {"email": "p@example.com"}, "/thanks/subscribe"),
    ("/", {"footer-email": "p@example.com"}, "/thanks/subscribe"),
    ("/free-resource", {"email": "p@example.com"}, "/thanks/resource"),
    ("/state-guides", {"email": "p@example.com", "state": "CA"}, "/thanks/waitlist"),
    (
        "/contact",
        {"name": "Pat", "email": "p@example.com", "message": "Hello"},
        "/thanks/contact",
    ),
]


def stored(app) -> dict[str, int]:
    with app.app_context():
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Person, ContactMessage, OutboxMessage)
        }


NOTHING = {"Person": 0, "ContactMessage": 0, "OutboxMessage": 0}


def token_made(app, seconds_ago: float, key: str | None = None) -> str:
    """A form token as if the form had been shown `seconds_ago`."""

    class Then(TimestampSigner):
        def get_timestamp(self):
            return int(time.time() - seconds_ago)

    signer = Then(key or app.config["SECRET_KEY"], salt=TOKEN_SALT)
    return signer.sign("a-random-nonce-0123").decode()


def prefix_of(data: dict) -> str:
    return "footer-" if "footer-email" in data else ""


@pytest.mark.parametrize(("page", "data", "thanks"), FORMS)
def test_every_public_form_has_the_traps_and_a_person_gets_through(
    app, client, page, data, thanks
):
    html = client.get(page).text
    p = prefix_of(data)
    honeypot = re.search(rf'<input[^>]*name="{p}website"[^>]*>', html).group(0)
    assert 'tabindex="-1"' in honeypot and 'autocomplete="off"' in honeypot
    assert 'value=""' in honeypot
    assert re.search(
        rf'<div class="visually-hidden" aria-hidden="true"><label for="{p}website">'
        r"Leave this field empty</label>",
        html,
    )
    assert PLACEHOLDER not in html  # every placeholder was filled in
    response = submit_form(client, page, data)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(thanks)
    assert stored(app)["Person"] == 1


@pytest.mark.parametrize(("page", "data", "thanks"), FORMS)
@pytest.mark.parametrize("trick", ["honeypot", "no token", "other key", "too fast"])
def test_a_bot_sees_success_and_nothing_is_stored(
    app, client, page, data, thanks, trick
):
    p = prefix_of(data)
    form = form_on(client.get(page).text, data)
    fields = {**form["hidden"], **data}
    if trick == "honeypot":
        fields[f"{p}website"] = "https://spam.example"
    elif trick == "no token":
        del fields[f"{p}form_token"]
    elif trick == "other key":
        fields[f"{p}form_token"] = token_made(app, 10, key="not-our-secret-key")
    elif trick == "too fast":
        app.config["FORM_MIN_SECONDS"] = 3
    response = client.post(form["action"], data=fields)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(thanks)  # what a person sees
    assert stored(app) == NOTHING


def test_a_person_who_takes_their_time_gets_through(app, client):
    app.config["FORM_MIN_SECONDS"] = 3
    data = {"email": "slow@example.com", "form_token": token_made(app, 4)}
    assert submit_form(client, "/subscribe", data).status_code == 302
    assert stored(app)["Person"] == 1


def test_each_render_and_each_re_render_has_a_fresh_token(app, client):
    def tokens(html: str) -> list[str]:
        return re.findall(
            r'name="(?:footer-)?form_token" type="hidden" value="([^"]+)"', html
        )

    first, second = (
        tokens(client.get("/contact").text),
        tokens(client.get("/contact").text),
    )
    assert len(first) == 2  # the contact form and the footer form
    assert len(set(first + second)) == 4
    sent = form_on(client.get("/contact").text, {"message": ""})["hidden"]
    response = client.post("/contact", data={**sent, "name": "Kim", "message": "Hi"})
    assert "Please enter your email address." in response.text
    again = tokens(response.text)
    assert sent["form_token"] not in again and len(again) == 2
    # The re-rendered form works, and the visitor's words are still there.
    assert "Hi</textarea>" in response.text and 'value="Kim"' in response.text
    fixed = submit_form(
        client, "/contact", {"name": "Kim", "email": "k@example.com", "message": "Hi"}
    )
    assert fixed.status_code == 302 and stored(app)["ContactMessage"] == 1


def test_used_tokens_are_kept_in_the_database_and_purged_when_expired(app, client):
    with app.app_context():
        db.session.add(
            UsedFormToken(nonce="old-one", expires_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
    submit_form(client, "/subscribe", {"email": "a@example.com"})
    with app.app_context():
        rows = db.session.scalars(select(UsedFormToken)).all()
        assert [r.nonce for r in rows] != ["old-one"] and len(rows) == 1
        assert rows[0].expires_at > utcnow() + timedelta(hours=23)


@pytest.mark.parametrize(("page", "data", "thanks"), FORMS)
@pytest.mark.parametrize("trick", ["too old", "used", "other site", "other origin"])
def test_a_form_that_cannot_be_taken_comes_back_with_what_was_typed(
    app, client, page, data, thanks, trick
):
    p = prefix_of(data)
    form = form_on(client.get(page).text, data)
    fields = {**form["hidden"], **data}
    headers = {}
    if trick == "too old":
        fields[f"{p}form_token"] = token_made(app, 86400 + 5)
        notice = "open for a long time"
    elif trick == "used":
        assert client.post(form["action"], data=fields).status_code == 302
        with app.app_context():  # forget the first one, keep the used token
            db.session.execute(db.delete(OutboxMessage))
            db.session.execute(db.delete(ContactMessage))
            db.session.execute(db.delete(Person))
            db.session.commit()
        notice = "sent once already"
    elif trick == "other site":
        headers = {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}
        notice = "sent from another website"
    else:  # an older browser: no Fetch Metadata, only Origin
        headers = {"Origin": "https://evil.example"}
        notice = "sent from another website"
    response = client.post(form["action"], data=fields, headers=headers)
    assert response.status_code == 200
    assert notice in response.text and 'role="alert"' in response.text
    assert stored(app) == NOTHING
    again = form_on(response.text, data)
    for name, value in data.items():  # everything typed is still there
        assert value in response.text, name
    assert again["hidden"][f"{p}form_token"] != fields[f"{p}form_token"]
    resent = client.post(
        again["action"] or form["action"], data={**again["hidden"], **data}
    )
    assert resent.status_code == 302 and resent.headers["Location"].startswith(thanks)
    assert stored(app)["Person"] == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"},
        {"Sec-Fetch-Site": "none"},
        {"Origin": "http://localhost"},  # the test client's host
        {},  # not from a browser's page: no other site involved
    ],
)
def test_a_form_sent_from_our_own_pages_is_taken(app, client, headers):
    form = form_on(client.get("/subscribe").text, {"email": ""})
    fields = {**form["hidden"], "email": "own@example.com"}
    response = client.post("/subscribe", data=fields, headers=headers)
    assert response.status_code == 302 and stored(app)["Person"] == 1


def test_public_pages_need_no_session(app):
    """No cookie is set by a public page or by sending its form, CSRF on or off."""
    app.config["WTF_CSRF_ENABLED"] = True
    browser = app.test_client()
    for page, data, _thanks in FORMS:
        response = browser.get(page)
        assert "Set-Cookie" not in response.headers, page
        sent = submit_form(browser, page, data)
        assert sent.status_code == 302 and "Set-Cookie" not in sent.headers, page
    assert stored(app)["Person"] == 1 and browser.get_cookie("session") is None
