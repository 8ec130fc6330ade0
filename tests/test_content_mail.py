"""Sending a published post to the newsletter: a review page with the count and the
exact mail, one mail per confirmed subscriber through a real SMTP server with the
list headers, and never a second time."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from test_admin_support import add_lead, signed_in_client
from test_content_support import add_post, stored

from leadsite.extensions import db
from leadsite.models import OutboxMessage
from leadsite.models.admin import Announcement
from leadsite.outbox import deliver_due


@pytest.fixture
def app_config(app_config, smtp_server):
    return {
        **app_config,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_server.port,
    }


@pytest.fixture
def subscribers(app):
    add_lead(app, "ann@example.com", "newsletter", "", "confirmed", name="Ann")
    add_lead(app, "bo@example.com", "newsletter", "", "confirmed")
    add_lead(app, "pending@example.com", "newsletter", "", "pending")
    add_lead(app, "wait@example.com", "waitlist", "CA", "confirmed")


@pytest.fixture
def admin(app):
    client = signed_in_client(app)
    client.get("/")
    return client


def deliver(app) -> None:
    with app.app_context():
        deliver_due()


def send(admin, post_id: int, content: str = "full", confirmed: str = "yes"):
    return admin.post(
        f"/admin/posts/{post_id}/email/send",
        data={"content": content, "confirmed": confirmed},
    )


def test_the_whole_post_goes_once_to_confirmed_subscribers(
    app, admin, subscribers, smtp_server
):
    post = stored(app, "meeting-notes")
    page = admin.get(f"/admin/posts/{post.id}/email").text
    assert "2 people have confirmed a newsletter subscription." in page
    review = admin.post(
        f"/admin/posts/{post.id}/email/review", data={"content": "full"}
    ).text
    assert "Send to 2 people" in review
    assert "Ask a friend to write down **who said what**" in review  # the exact text
    assert "/unsubscribe/their-own-link" in review  # a stand-in, not a token

    response = send(admin, post.id)
    assert response.status_code == 302
    deliver(app)
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "ann@example.com",
        "bo@example.com",
    ]
    mail = smtp_server.messages[0]
    assert mail["Subject"] == "Taking notes in an IEP meeting"
    assert mail["List-Unsubscribe"].startswith("<http://site.test/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "Ask a friend to write down **who said what**" in text
    assert "(http://site.test/free-resource)" in text  # links made absolute
    assert "<strong>who said what</strong>" in html
    assert 'href="http://site.test/blog/meeting-notes"' in html

    # A second send (another tab, a double click) is refused; nothing more goes.
    again = send(admin, post.id)
    assert "already sent to the newsletter" in admin.get(again.headers["Location"]).text
    deliver(app)
    assert len(smtp_server.messages) == 2
    with app.app_context():
        assert db.session.scalar(select(func.count(Announcement.id))) == 1
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 2
    page = admin.get(f"/admin/posts/{post.id}/email").text
    assert "to 2 people. A post goes to the newsletter only once." in page


def test_the_summary_with_a_link(app, admin, subscribers, smtp_server):
    post = stored(app, "meeting-notes")
    send(admin, post.id, content="summary")
    deliver(app)
    text = smtp_server.messages[0].get_body(("plain",)).get_content()
    assert "Why a second pair of hands for notes makes the meeting calmer." in text
    assert "Read the post: http://site.test/blog/meeting-notes" in text
    assert "who said what" not in text


def test_the_database_refuses_a_second_announcement_of_a_post(app, subscribers):
    post_id = add_post(app, title="Once", slug="once")
    with app.app_context():
        db.session.add(Announcement(key=f"post:{post_id}", kind="post", subject="x"))
        db.session.commit()
        db.session.add(Announcement(key=f"post:{post_id}", kind="post", subject="y"))
        with pytest.raises(Exception, match="(?i)unique"):
            db.session.commit()


def test_nothing_goes_without_the_confirmation_step(app, admin, subscribers):
    post = stored(app, "meeting-notes")
    send(admin, post.id, confirmed="")
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_only_a_published_post_can_be_sent(app, admin, subscribers):
    draft = stored(app, "unfinished-draft")
    assert admin.get(f"/admin/posts/{draft.id}/email").status_code == 404
    assert send(admin, draft.id).status_code == 404
