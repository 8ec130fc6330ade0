"""The page cache's front layer answers a fresh public page before Flask: the same
page, headers and ETag Flask would send, new tokens each time, and never a page a
change in this process has made stale."""

from __future__ import annotations

import dataclasses
import re
import time

import pytest
from conftest import form_on
from sqlalchemy import select

from leadsite.extensions import db
from leadsite.models import Person

POST = "/blog/meeting-notes"


@pytest.fixture
def flask_requests(app) -> list[str]:
    """The paths of the requests that reached Flask."""
    seen: list[str] = []

    @app.before_request
    def note():
        from flask import request

        seen.append(request.path)

    return seen


def tokens(html: str) -> list[str]:
    return re.findall(
        r'name="(?:[\w-]+-)?form_token" type="hidden" value="([^"]+)"', html
    )


def test_a_fresh_page_is_answered_before_flask_with_the_same_page(
    client, flask_requests
):
    first = client.get(POST, headers={"Referer": "https://a.example/"})
    second = client.get(POST, headers={"Referer": "https://b.example/"})
    assert flask_requests == [POST]  # the second never reached Flask
    assert second.status_code == 200
    for header in ("Content-Type", "ETag", "Cache-Control", "Content-Security-Policy"):
        assert second.headers[header] == first.headers[header], header
    assert int(second.headers["Content-Length"]) == len(second.data)
    assert "https://b.example/" in second.text  # this visit's referrer
    assert set(tokens(first.text)).isdisjoint(tokens(second.text))
    strip = lambda html: re.sub(r"(form_token|referrer)[^>]*>", "", html)  # noqa: E731
    assert strip(first.text.replace("a.example", "b.example")) == strip(second.text)
    assert (
        client.get(POST, headers={"If-None-Match": first.headers["ETag"]}).status_code
        == 304
    )
    plain, head = client.get(POST), client.head(POST)  # no referrer in either
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Length"] == plain.headers["Content-Length"]
    assert flask_requests == [POST]


def test_its_tokens_work(app, client):
    client.get("/subscribe")
    hidden = form_on(client.get("/subscribe").text, {"email": ""})["hidden"]
    sent = client.post("/subscribe", data={**hidden, "email": "front@example.com"})
    assert sent.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Person.email)) == "front@example.com"


def test_a_browser_with_a_session_goes_through_flask(client, flask_requests):
    client.get(POST)
    client.set_cookie("session", "anything")
    assert client.get(POST).status_code == 200
    assert flask_requests == [POST, POST]


def test_a_post_in_this_process_makes_every_page_checked_again(client, flask_requests):
    client.get(POST)
    client.get("/contact")
    hidden = form_on(client.get("/subscribe").text, {"email": ""})["hidden"]
    client.post("/subscribe", data={**hidden, "email": "again@example.com"})
    client.get(POST)
    client.get(POST)
    assert flask_requests == [POST, "/contact", "/subscribe", "/subscribe", POST]


def test_a_page_is_checked_again_after_the_fresh_seconds(app, client, flask_requests):
    app.config["PAGE_CACHE_FRESH_SECONDS"] = 0  # nothing stays fresh
    client.get(POST)
    client.get(POST)
    assert flask_requests == [POST, POST]


def test_errors_and_unknown_pages_never_reach_the_front(client, flask_requests):
    assert client.get("/blog/no-such-post").status_code == 404
    assert client.get("/blog/no-such-post").status_code == 404
    assert flask_requests == ["/blog/no-such-post"] * 2


def test_post_views_are_counted_for_pages_the_front_answers(
    app, client, flask_requests
):
    for _ in range(3):
        client.get(POST)
    client.get(POST, headers={"User-Agent": "ExampleBot/1.0"})
    assert flask_requests == [POST]
    views = app.extensions["post_views"]
    assert sum(views.counts.values()) == 3


def test_when_a_page_is_due_for_a_check_one_request_checks_it(
    app, client, flask_requests
):
    client.get(POST)
    cache = app.extensions["page_cache"]
    ((key, fresh),) = cache.fresh.items()
    due = dataclasses.replace(fresh, until=time.monotonic() - 1)
    cache.fresh[key] = due
    assert cache.stale_or_check(key, due) is None  # this request checks, in Flask
    assert client.get(POST).status_code == 200  # meanwhile: the page as it was
    assert flask_requests == [POST]
    cache.fresh[key] = dataclasses.replace(fresh, until=time.monotonic() - 1)
    assert client.get(POST).status_code == 200  # the first to ask goes to Flask
    assert flask_requests == [POST, POST]
