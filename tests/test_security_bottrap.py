"""Bot traps with nothing per request: a honeypot and the cross-site check on every
public form. What the honeypot catches gets the usual answer and is held for the
owner ("Suspected spam"), never mailed; she can release it into the normal flow.
A form another site sent comes back with what was typed: a person loses nothing."""

from __future__ import annotations

import re
import time

import pytest
from conftest import form_on, submit_form
from sqlalchemy import func, select
from test_admin_support import signed_in_client

from leadsite.extensions import db
from leadsite.models import ContactMessage, HeldSubmission, OutboxMessage, Person

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


def prefix_of(data: dict) -> str:
    return "footer-" if "footer-email" in data else ""


@pytest.mark.parametrize(("page", "data", "thanks"), FORMS)
def test_every_public_form_has_the_honeypot_and_a_person_gets_through_at_once(
    app, client, page, data, thanks
):
    html = client.get(page).text
    p = prefix_of(data)
    honeypot = re.search(rf'<input[^>]*name="{p}leave_blank"[^>]*>', html).group(0)
    assert 'tabindex="-1"' in honeypot and 'autocomplete="off"' in honeypot
    assert 'data-lpignore="true"' in honeypot and 'value=""' in honeypot
    assert re.search(
        rf'<div class="visually-hidden" aria-hidden="true"><label for="{p}leave_blank">'
        r"Leave this field empty</label>",
        html,
    )
    assert "token" not in html.lower()  # nothing per request in the page
    response = submit_form(client, page, data)  # sent at once: no waiting rule
    assert response.status_code == 302
    assert response.headers["Location"].startswith(thanks)
    assert stored(app)["Person"] == 1  # a lead the moment the visitor is thanked


def test_a_public_page_is_the_same_bytes_for_everyone(client):
    first = client.get("/free-resource")
    time.sleep(1.1)
    again = client.get("/free-resource", headers={"Referer": "https://other.example/"})
    assert first.data == again.data


@pytest.mark.parametrize(("page", "data", "thanks"), FORMS)
def test_what_the_honeypot_catches_is_held_never_mailed_and_can_be_released(
    app, client, page, data, thanks
):
    signed_in = signed_in_client(app)
    p = prefix_of(data)
    form = form_on(client.get(page).text, data)
    fields = {**form["hidden"], **data, f"{p}leave_blank": "https://spam.example"}
    response = client.post(form["action"], data=fields)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(thanks)  # the usual answer
    assert stored(app) == NOTHING
    with app.app_context():
        held = db.session.scalars(select(HeldSubmission)).one()
        assert held.reason == "honeypot" and held.field("email") == "p@example.com"
        assert held.honeypot == "https://spam.example"
        held_id = held.id
    listing = signed_in.get("/admin/spam").text
    assert "p@example.com" in listing and "Release" in listing
    released = signed_in.post(f"/admin/spam/{held_id}/release")
    assert released.status_code == 302
    assert "went through" in signed_in.get("/admin/spam").text
    counts = stored(app)
    assert counts["Person"] == 1 and counts["OutboxMessage"] >= 1
    with app.app_context():
        assert db.session.scalar(select(func.count(HeldSubmission.id))) == 0


def test_a_held_form_can_be_deleted(app, client):
    signed_in = signed_in_client(app)
    form = form_on(client.get("/subscribe").text, {"email": ""})
    fields = {**form["hidden"], "email": "x@example.com", "leave_blank": "y"}
    client.post("/subscribe", data=fields)
    with app.app_context():
        held_id = db.session.scalars(select(HeldSubmission.id)).one()
    signed_in.post(f"/admin/spam/{held_id}/delete")
    assert "Nothing is held" in signed_in.get("/admin/spam").text
    assert stored(app) == NOTHING


@pytest.mark.parametrize(("page", "data", "thanks"), FORMS)
@pytest.mark.parametrize("trick", ["other site", "other origin"])
def test_a_form_another_site_sent_comes_back_with_what_was_typed(
    app, client, page, data, thanks, trick
):
    form = form_on(client.get(page).text, data)
    fields = {**form["hidden"], **data}
    if trick == "other site":
        headers = {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}
    else:  # an older browser: no Fetch Metadata, only Origin
        headers = {"Origin": "https://evil.example"}
    response = client.post(form["action"], data=fields, headers=headers)
    assert response.status_code == 200
    assert "sent from another website" in response.text
    assert 'role="alert"' in response.text
    assert stored(app) == NOTHING
    again = form_on(response.text, data)
    for name, value in data.items():  # everything typed is still there
        assert value in response.text, name
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
