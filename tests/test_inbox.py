"""The inbox: a checked submission is kept in one write and answered at once; the
worker turns it into a lead and its mail, and a failing one is kept, never lost."""

from __future__ import annotations

import pytest
from conftest import form_on, submit_form
from sqlalchemy import func, select

from leadsite import inbox
from leadsite.extensions import db
from leadsite.models import (
    ContactMessage,
    OutboxMessage,
    Person,
    Submission,
    Subscription,
    UsedFormToken,
)
from leadsite.worker import run_round

FORMS = [
    ("/subscribe", {"email": "a@example.com", "name": "Ann"}),
    ("/free-resource", {"email": "a@example.com", "newsletter": "y"}),
    ("/state-guides", {"email": "a@example.com", "state": "CA"}),
    ("/contact", {"email": "a@example.com", "name": "Ann", "message": "Hello"}),
]


@pytest.fixture
def app_config(app_config):
    return {**app_config, "INBOX_AT_ONCE": False}  # the worker does it


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(("page", "data"), FORMS)
def test_a_submission_is_kept_at_once_and_becomes_a_lead_in_the_worker(
    app, client, page, data
):
    response = submit_form(client, page, data)
    assert response.status_code == 302
    assert count(app, Submission) == 1 and count(app, UsedFormToken) == 0
    assert count(app, Person) == 0 and count(app, OutboxMessage) == 0
    with app.app_context():
        assert run_round() >= 1
    assert count(app, Submission) == 0 and count(app, UsedFormToken) == 1
    assert count(app, Person) == 1 and count(app, OutboxMessage) >= 1
    with app.app_context():
        person = db.session.scalar(select(Person))
        assert person.email == "a@example.com"
        if page == "/contact":
            message = db.session.scalar(select(ContactMessage))
            assert (message.body, message.page) == ("Hello", "/contact")
        else:
            consent = db.session.scalar(select(Subscription)).consents[0]
            assert consent.page == page


def test_a_failing_submission_is_kept_with_its_error_and_tried_again(
    app, client, monkeypatch
):
    submit_form(client, "/subscribe", {"email": "b@example.com"})

    def broken(data, source):
        raise RuntimeError("database hiccup")

    monkeypatch.setitem(inbox.RULES, "opt_in", broken)
    with app.app_context():
        assert inbox.process_waiting() == 0
        row = db.session.scalar(select(Submission))
        assert (row.attempts, row.last_error) == (1, "RuntimeError: database hiccup")
        assert inbox.process_waiting() == 0  # it waits a little before a new try
        row.claimed_until = None
        db.session.commit()
    monkeypatch.undo()
    with app.app_context():
        assert inbox.process_waiting() == 1
    assert count(app, Submission) == 0 and count(app, Person) == 1


def test_handling_a_submission_twice_changes_nothing(app, client):
    """After a crash between the lead's commit and the submission's delete."""
    submit_form(client, "/subscribe", {"email": "c@example.com"})
    with app.app_context():
        row = db.session.scalar(select(Submission))
        data, source = dict(row.data), inbox.signups.Source(**row.data["source"])
        inbox.RULES[row.kind](data, source)  # handled once, submission still there
        db.session.commit()
        assert inbox.process_waiting() == 1
    assert count(app, Person) == 1 and count(app, Subscription) == 1
    assert count(app, OutboxMessage) == 1  # one confirmation mail, not two


def test_a_bot_leaves_nothing_in_the_inbox(app, client):
    submit_form(client, "/subscribe", {"email": "d@example.com", "website": "x"})
    assert count(app, Submission) == 0 and count(app, UsedFormToken) == 0


def test_the_worker_starts_once_forms_stop_arriving(app, client):
    submit_form(client, "/subscribe", {"email": "e@example.com"})
    with app.app_context():
        assert inbox.process_waiting(settle=True) == 0  # more may be on the way
        row = db.session.scalar(select(Submission))
        row.received_at -= inbox.QUIET
        db.session.commit()
        assert inbox.process_waiting(settle=True) == 1
    assert count(app, Person) == 1


def test_a_steady_stream_waits_no_longer_than_the_longest_wait(app, client):
    for number in range(2):
        submit_form(client, "/subscribe", {"email": f"s{number}@example.com"})
    with app.app_context():
        oldest = db.session.scalar(select(Submission).order_by(Submission.id))
        oldest.received_at -= inbox.LONGEST_WAIT
        db.session.commit()
        assert inbox.process_waiting(settle=True) == 2  # the newest is brand new


def test_a_token_works_once_while_its_submission_waits_and_after(app, client):
    form = form_on(client.get("/contact").text, {"message": ""})
    fields = {**form["hidden"], **FORMS[3][1]}
    assert client.post("/contact", data=fields).status_code == 302
    again = client.post("/contact", data=fields)  # still waiting in the inbox
    assert again.status_code == 200 and "sent once already" in again.text
    with app.app_context():
        assert inbox.process_waiting() == 1
    later = client.post("/contact", data=fields)  # a lead now; the token is kept
    assert later.status_code == 200 and "sent once already" in later.text
    assert count(app, ContactMessage) == 1 and count(app, Submission) == 0
