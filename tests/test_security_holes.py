"""Small holes closed: a cap on the number of fields in any form submission, HSTS
with includeSubDomains as a setting, and a sliding rate-limit window that lets no
more than the limit through around a window's edge (database and Redis)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from conftest import build_app, close_app
from test_security_ratelimit import redis_url  # noqa: F401  (a fixture)

from leadsite.extensions import db
from leadsite.security import ratelimit
from leadsite.security.ratelimit import TooManySubmissions, check_submission

WINDOW = 600
LIMIT = 10


def test_an_urlencoded_post_with_too_many_fields_gets_the_friendly_413(app, client):
    app.config["MAX_FORM_PARTS"] = 50
    body = urlencode([("email", "a@example.com")] + [("x", "")] * 60)
    response = client.post(
        "/subscribe", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "more than the form can take" in page and "KB" not in page

    body = urlencode([("email", "a@example.com")] + [("x", "")] * 40)
    response = client.post(
        "/subscribe", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code != 413  # under the cap: the form's own answer


def test_multipart_posts_have_the_same_cap(app, client):
    app.config["MAX_FORM_PARTS"] = 50
    data = {"email": "a@example.com", **{f"x{n}": "" for n in range(60)}}
    response = client.post("/subscribe", data=data, content_type="multipart/form-data")
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("setting", "header"),
    [
        (False, "max-age=31536000"),
        (True, "max-age=31536000; includeSubDomains"),
    ],
)
def test_hsts_include_subdomains_is_a_setting(app_config, setting, header):
    app = build_app(
        {
            **app_config,
            "SITE_URL": "https://site.test",
            "HSTS_INCLUDE_SUBDOMAINS": setting,
        }
    )
    try:
        response = app.test_client().get("/", base_url="https://site.test")
        assert response.headers["Strict-Transport-Security"] == header
    finally:
        close_app(app)


def hits_at(app, monkeypatch, moment: float, count: int) -> int:
    """Send `count` submissions at `moment` (epoch); how many got through."""
    monkeypatch.setattr(ratelimit.time, "time", lambda: moment)
    allowed = 0
    for _ in range(count):
        with app.test_request_context(
            "/subscribe", method="POST", environ_base={"REMOTE_ADDR": "203.0.113.9"}
        ):
            try:
                check_submission()
                allowed += 1
            except TooManySubmissions as refused:
                retry_after = refused.retry_after
                assert 1 <= retry_after <= 2 * WINDOW
            db.session.remove()
    return allowed


def edge_case(app, monkeypatch) -> None:
    app.config.update(FORM_RATE_LIMIT=LIMIT, FORM_RATE_WINDOW=WINDOW)
    edge = 1_800_000_000 // WINDOW * WINDOW + WINDOW  # a window boundary
    # The whole limit at the very end of one window...
    assert hits_at(app, monkeypatch, edge - 2, LIMIT) == LIMIT
    # ...leaves no room at the start of the next: a fixed window would let
    # another LIMIT through here. (A refused try counts too.)
    assert hits_at(app, monkeypatch, edge + 2, LIMIT) == 0
    # Half a window on, half the previous window still counts, with this
    # window's refused tries: 5 + 10 already, so nothing yet.
    assert hits_at(app, monkeypatch, edge + WINDOW // 2, 1) == 0
    # A full window after the burst, there is room again.
    assert hits_at(app, monkeypatch, edge + WINDOW + WINDOW // 2 + 1, 1) == 1


def test_the_window_slides_in_the_database(app, monkeypatch):
    edge_case(app, monkeypatch)


def test_the_window_slides_in_redis(app_config, redis_url, monkeypatch):  # noqa: F811
    app = build_app({**app_config, "RATELIMIT_STORAGE_URL": redis_url})
    try:
        edge_case(app, monkeypatch)
    finally:
        close_app(app)
