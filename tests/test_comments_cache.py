"""Comments stay fast: each post's shown comments are rendered once per change,
a request checks at most one tiny query (or none, within the TTL), every change a
visitor could see gives a new version, and every worker sees it within seconds."""

from __future__ import annotations

from conftest import wait_for
from sqlalchemy import event, select
from test_comments_support import POST, add_comment, comments_section

from leadsite import create_app
from leadsite.admin.privacy import erase_person, purge_unconfirmed
from leadsite.comments import comments_version, rules
from leadsite.comments.cache import cache, read_state
from leadsite.extensions import db
from leadsite.models import Comment, CommentStatus, Person


def version(app) -> str:
    """The stored version itself, past any process's memory of it."""
    with app.app_context():
        return read_state(POST).version


def change(app, comment_id: int, work) -> None:
    with app.app_context():
        work(db.session.get(Comment, comment_id))
        db.session.commit()


def statements_during(app, work) -> list[str]:
    """The SQL statements that touch comments while `work()` runs."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        if "comment" in statement.lower():
            seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def test_every_visible_change_gives_a_new_version_and_nothing_else_does(app):
    seen = [version(app)]
    assert seen == [""]  # no thread yet
    pending = add_comment(app, "Waiting", CommentStatus.UNCONFIRMED, "a@example.com")
    change(app, pending, rules.confirm_comment)  # now waiting for the owner
    assert version(app) == ""  # nothing a visitor sees has changed

    steps = [
        lambda c: rules.approve(c),
        lambda c: rules.reply(c, "Thank you!"),
        lambda c: rules.mark_spam(c),
        lambda c: rules.approve(c),
    ]
    for step in steps:
        change(app, pending, step)
        seen.append(version(app))
    for closed in (True, False):
        with app.app_context():
            rules.set_closed(POST, closed)
            db.session.commit()
        seen.append(version(app))
    change(app, pending, rules.remove)
    seen.append(version(app))
    assert len(set(seen)) == len(seen) == 8, seen
    with app.app_context():
        assert comments_version(POST) == seen[-1]


def test_shown_comments_are_rendered_once_per_change_not_per_request(app, client):
    add_comment(app, "Kept in memory")
    app.extensions["comments"].ttl = 60
    first = statements_during(app, lambda: client.get(f"/blog/{POST}"))
    assert any("FROM comments" in s for s in first)  # rendered once...
    again = statements_during(app, lambda: client.get(f"/blog/{POST}"))
    assert again == []  # ...then served from memory, not even a version check

    app.extensions["comments"].ttl = 0
    checked = statements_during(app, lambda: client.get(f"/blog/{POST}"))
    assert len(checked) == 1 and "FROM comment_threads" in checked[0]
    assert "Kept in memory" in client.get(f"/blog/{POST}").get_data(as_text=True)


def test_every_worker_sees_a_change_within_the_ttl(app, app_config):
    other = create_app(app_config)
    other.extensions["comments"].ttl = 0.5
    try:
        browser = other.test_client()
        first = add_comment(app, "First words")
        later = add_comment(app, "Later words", CommentStatus.PENDING, "b@example.com")
        page = browser.get(f"/blog/{POST}").get_data(as_text=True)
        assert "First words" in page and "Later words" not in page

        change(app, later, rules.approve)  # in another "worker"
        wait_for(
            lambda: (
                "Later words" in browser.get(f"/blog/{POST}").get_data(as_text=True)
            ),
            timeout=3,
        )
        change(app, first, rules.mark_spam)
        wait_for(
            lambda: (
                "First words" not in browser.get(f"/blog/{POST}").get_data(as_text=True)
            ),
            timeout=3,
        )
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def test_erasing_a_person_takes_their_comments_off_the_post(app, client):
    add_comment(app, "Please forget me", email="forget@example.com")
    add_comment(app, "I stay", email="stay@example.com")
    assert "Please forget me" in client.get(f"/blog/{POST}").get_data(as_text=True)
    before = version(app)
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.email.like("forget%")))
        erase_person(person)
        cache().forget(POST)  # this process; other workers wait out the TTL
    assert version(app) != before
    section = comments_section(client.get(f"/blog/{POST}").get_data(as_text=True))
    assert "Please forget me" not in section and "I stay" in section


def test_purging_old_leads_keeps_published_comments(app, client):
    add_comment(app, "Still worth reading", email="old@example.com")
    with app.app_context():
        purge_unconfirmed(days=0)
        assert db.session.scalar(select(Person.id)) is None  # the lead is gone...
        comment = db.session.scalar(select(Comment))
        assert (comment.body, comment.person_id) == ("Still worth reading", None)
    page = client.get(f"/blog/{POST}").get_data(as_text=True)
    assert "Still worth reading" in page  # ...the published words are not


def test_a_moderation_change_shows_at_once_with_a_new_etag(app, client):
    waiting = add_comment(app, "Approved later", CommentStatus.PENDING, "c@example.com")
    before = client.get(f"/blog/{POST}")
    assert "Approved later" not in before.get_data(as_text=True)
    change(app, waiting, rules.approve)
    with app.app_context():
        cache().forget(POST)
    after = client.get(
        f"/blog/{POST}", headers={"If-None-Match": before.headers["ETag"]}
    )
    assert after.status_code == 200 and "Approved later" in after.text
