"""The dashboard's numbers and charts, and post views counted in memory and written
in batches with an upsert."""

from __future__ import annotations

import re
import time
from datetime import date, timedelta

from conftest import wait_for
from sqlalchemy import select
from test_admin_support import add_lead, add_message, signed_in_client

from leadsite import postviews
from leadsite.admin.charts import bar_chart, day_chart
from leadsite.extensions import db
from leadsite.models import utcnow
from leadsite.models.admin import PostViewDay

POST = "/blog/meeting-notes"


def stored_views(app) -> list[tuple[date, str, int]]:
    with app.app_context():
        rows = db.session.scalars(select(PostViewDay).order_by(PostViewDay.slug))
        return [(r.day, r.slug, r.views) for r in rows]


def read(client, path: str = POST, **kwargs) -> int:
    """Read a post as a browser does: the page, then the images in it, among them
    the counting image (so a page a shared cache served still counts)."""
    page = client.get(path, **kwargs)
    pixel = re.search(r'<img class="view-pixel" src="([^"]+)"', page.text)
    if pixel:
        seen = client.get(pixel[1], **kwargs)
        assert seen.headers["Cache-Control"] == "no-store"
        assert seen.mimetype == "image/gif"
    return page.status_code


def test_the_page_itself_counts_nothing_its_image_does(app, client):
    client.get(POST)
    counter = app.extensions["post_views"]
    assert not counter.counts
    read(client)
    assert dict(counter.counts) == {(utcnow().date(), "meeting-notes"): 1}


def test_views_are_written_in_batches_not_per_request(app, client):
    today = utcnow().date()
    app.extensions["post_views"].last_flush += 3600  # only the count is due here
    assert read(client) == 200
    for _ in range(postviews.FLUSH_VIEWS - 2):
        assert client.get(POST + "/seen.gif").status_code == 200
    time.sleep(0.2)
    assert stored_views(app) == []  # nothing written yet: no write per view
    read(client)  # the batch's last view has the writer thread write it
    batch = [(today, "meeting-notes", postviews.FLUSH_VIEWS)]
    wait_for(lambda: stored_views(app) == batch)
    read(client)
    app.extensions["post_views"].flush()  # as at exit: added to the same row
    assert stored_views(app) == [(today, "meeting-notes", postviews.FLUSH_VIEWS + 1)]


def test_views_still_in_memory_are_written_at_exit(app, client):
    read(client)
    counter = app.extensions["post_views"]
    postviews.COUNTERS.add(counter)  # as for every app that is not a test's
    try:
        postviews.flush_all()  # what atexit runs when a worker stops
    finally:
        postviews.COUNTERS.discard(counter)
    assert stored_views(app) == [(utcnow().date(), "meeting-notes", 1)]


def test_robots_head_requests_and_missing_posts_are_not_counted(app, client):
    read(client, headers={"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1)"})
    read(client, headers={"User-Agent": "Some-Spider/1.0"})
    read(client, headers={"User-Agent": "AhrefsCrawler"})
    client.head(POST + "/seen.gif")
    assert read(client, "/blog/no-such-post") == 404
    client.get("/blog/no-such-post/seen.gif")
    read(client, "/blog/")
    read(client, headers={"User-Agent": "Mozilla/5.0 (iPhone)"})
    counter = app.extensions["post_views"]
    assert dict(counter.counts) == {(utcnow().date(), "meeting-notes"): 1}


def test_a_batch_is_also_written_after_a_few_seconds(app, client):
    counter = app.extensions["post_views"]
    read(client)
    assert stored_views(app) == []
    counter.last_flush -= postviews.FLUSH_SECONDS  # as if FLUSH_SECONDS had passed
    read(client)
    wait_for(lambda: stored_views(app) == [(utcnow().date(), "meeting-notes", 2)])


def test_upsert_adds_to_existing_days(app):
    day = date(2026, 3, 2)
    with app.app_context():
        postviews.add_views({(day, "a"): 3, (day, "b"): 1})
        postviews.add_views({(day, "a"): 4, (day + timedelta(days=1), "a"): 2})
    assert stored_views(app) == [
        (day, "a", 7),
        (day + timedelta(days=1), "a", 2),
        (day, "b", 1),
    ]


def test_views_are_kept_if_the_database_is_away(app, client, monkeypatch):
    counter = app.extensions["post_views"]
    read(client)

    def fail(_counts):
        raise RuntimeError("database restarting")

    monkeypatch.setattr(postviews, "add_views", fail)
    counter.flush()
    assert sum(counter.counts.values()) == 1
    monkeypatch.undo()
    counter.flush()
    assert stored_views(app) == [(utcnow().date(), "meeting-notes", 1)]


def test_dashboard_shows_totals_waitlist_and_charts(app):
    for n in range(3):
        add_lead(app, f"ca{n}@example.com", "waitlist", "CA", "confirmed")
    add_lead(app, "tx@example.com", "waitlist", "TX", "confirmed")
    add_lead(app, "tx2@example.com", "waitlist", "TX", "pending")
    add_lead(app, "news@example.com", "newsletter", "", "pending")
    add_lead(
        app,
        "res@example.com",
        "resource",
        "first-iep-meeting-checklist",
        created_at=utcnow() - timedelta(days=100),  # before the chart's 90 days
    )
    add_message(app, "writer@example.com", "Hello")
    client = signed_in_client(app)
    read(client)

    page = client.get("/admin/").get_data(as_text=True)
    assert page.count("<h1>") == 1
    rows = {
        "Newsletter subscribers": (1, 0, 0),
        "Free resource requests": (0, 1, 0),
        "Waitlist entries": (1, 4, 0),
    }
    for label, (pending, confirmed, left) in rows.items():
        assert (
            f'{label}</a></th><td class="number">{pending}</td>'
            f'<td class="number">{confirmed}</td><td class="number">{left}</td>'
        ) in page
    # Waitlist: a table sorted by count, and a chart with a text alternative.
    assert page.index('<th scope="row">California</th><td class="number">3<') < (
        page.index('<th scope="row">Texas</th><td class="number">1<')
    )
    assert '<svg id="waitlist-chart" class="chart" role="img"' in page
    assert "4 in all, across 2 states; the most is California with 3." in page
    # Sign-ups per day: 6 in the window (the resource request is older).
    assert '<svg id="signups-chart"' in page
    assert "6 in the 90 days from" in page
    assert "busiest day was " + utcnow().date().isoformat() + " with 6" in page
    # Post views: this process's counts are written before the page is drawn.
    assert '<svg id="views-chart"' in page
    assert 'Taking notes in an IEP meeting</a></th><td class="number">1<' in page


def test_day_chart_describes_itself():
    start = date(2026, 1, 1)
    series = [(start + timedelta(days=n), n % 3) for n in range(6)]
    chart = day_chart(series, "c", "Sign-ups <per> day")
    assert chart.summary == (
        "6 in the 6 days from 2026-01-01 to 2026-01-06. The busiest day was "
        "2026-01-06 with 2; 2 days had none."
    )
    assert '<title id="c-title">Sign-ups &lt;per&gt; day</title>' in chart.svg
    assert f'<desc id="c-desc">{chart.summary}</desc>' in chart.svg
    assert 'aria-labelledby="c-title c-desc"' in chart.svg
    assert chart.svg.count("<rect") == 6
    assert "<title>2026-01-03: 2</title>" in chart.svg
    empty = day_chart([(start, 0)], "e", "Nothing")
    assert empty.summary == "None in the 1 days shown."


def test_bar_chart_escapes_labels_and_draws_one_bar_per_row():
    chart = bar_chart([("A <b>", 4), ("C", 1)], "w", "Per state")
    assert "A &lt;b&gt;" in chart.svg
    assert chart.svg.count("<rect") == 2
    assert bar_chart([], "w", "Per state").summary == "No one is on it yet."
