"""Comments under posts, from the visitor's side: the form, the mailed confirmation
(real SMTP), what appears on the post and what never does."""

from __future__ import annotations

import pytest
from conftest import form_on, submit_form
from sqlalchemy import func, select
from test_admin_support import signed_in_client
from test_comments_support import (
    ADDRESS,
    POST,
    POST_TITLE,
    comment_id,
    comments,
    comments_section,
    confirm_path,
    deliver,
    leave_comment,
    mail_kinds,
    set_require_approval,
)

from leadsite.comments.text import comment_html
from leadsite.extensions import db
from leadsite.models import Comment, Consent, HeldSubmission, Person, Subscription


@pytest.fixture
def app_config(app_config, smtp_server):
    """Mail goes through the real SMTP server."""
    return {**app_config, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_server.port}


def post_page(client, slug: str = POST) -> str:
    response = client.get(f"/blog/{slug}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_comment_confirmed_by_mail_then_approved_appears_on_the_post(
    app, client, smtp_server
):
    response = leave_comment(
        client, name="Robin", body="Our helper wrote\nevery promise down."
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "please check your email" in page
    assert smtp_server.messages == []  # nothing is sent during the request
    assert comments(app) == [
        ("Robin", "Our helper wrote\nevery promise down.", "unconfirmed")
    ]

    path = confirm_path(app, smtp_server)
    [confirmation] = smtp_server.messages
    assert confirmation["Subject"] == f"Please confirm your comment on “{POST_TITLE}”"
    text = confirmation.get_body(preferencelist=("plain",)).get_content()
    assert "Robin" not in text and "promise" not in text  # nothing typed repeats

    # A GET (what a mail scanner does) shows one button and changes nothing.
    page = client.get(path).get_data(as_text=True)
    assert page.count("<button") == 1  # the Confirm button (no footer form here)
    assert "Confirm my comment" in page
    assert comments(app)[0][2] == "unconfirmed"
    assert mail_kinds(app) == ["comment_confirm"]

    page = client.post(path).get_data(as_text=True)
    assert "your comment is confirmed" in page
    assert comments(app)[0][2] == "pending"
    assert "Comments" in comments_section(post_page(client))
    assert "every promise" not in post_page(client)  # waiting for the owner

    deliver(app)
    notice = smtp_server.messages[-1]
    assert notice["To"] == "owner@site.test"
    assert notice["Reply-To"] == ADDRESS
    assert (
        "every promise down" in notice.get_body(preferencelist=("plain",)).get_content()
    )
    client.post(path)  # a second press changes nothing and mails nobody
    assert mail_kinds(app) == ["comment_confirm", "comment_notice"]

    owner = signed_in_client(app)
    approved = owner.post(
        f"/admin/comments/{comment_id(app, comments(app)[0][1])}/approve"
    )
    assert approved.status_code == 302
    section = comments_section(post_page(client))
    assert "1 comment" in section
    assert "<strong>Robin</strong>" in section
    assert "Our helper wrote<br>\nevery promise down." in section


def test_unconfirmed_and_rejected_comments_never_appear(app, client, smtp_server):
    leave_comment(client, body="Never confirmed.")
    leave_comment(client, email="other@example.com", body="Confirmed, then spam.")
    client.post(confirm_path(app, smtp_server, to="other@example.com"))
    owner = signed_in_client(app)

    refused = owner.post(
        f"/admin/comments/{comment_id(app, 'Never confirmed.')}/approve",
        follow_redirects=True,
    )
    assert "never confirmed it" in refused.get_data(as_text=True)
    owner.post(f"/admin/comments/{comment_id(app, 'Confirmed, then spam.')}/spam")

    assert [c[2] for c in comments(app)] == ["unconfirmed", "spam"]
    page = post_page(client)
    assert "Never confirmed." not in page and "then spam" not in page
    assert "No comments yet." in comments_section(page)


def test_an_altered_confirm_link_is_refused_kindly(app, client, smtp_server):
    leave_comment(client)
    path = confirm_path(app, smtp_server)
    response = client.post(path[:-3] + "xyz")
    assert response.status_code == 404
    assert "This link doesn't work" in response.get_data(as_text=True)
    assert comments(app)[0][2] == "unconfirmed"


@pytest.mark.parametrize(
    ("text", "html"),
    [
        (
            "<script>alert('x')</script>",
            "<p>&lt;script&gt;alert('x')&lt;/script&gt;</p>",
        ),
        (
            '<a href="javascript:alert(1)">hi</a>',
            '<p>&lt;a href="javascript:alert(1)"&gt;',
        ),
        (
            "See https://example.org/a?b=1&c=2 now",
            '<p>See <a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc">'
            "https://example.org/a?b=1&amp;c=2</a> now</p>",
        ),
        ("www.example.org", '<a href="http://www.example.org" rel="nofollow ugc">'),
        ("javascript:alert(1) and me@example.com", "<p>javascript:alert(1) and me@"),
        ("**not bold** # not a heading", "<p>**not bold** # not a heading</p>"),
        ("one\ntwo\n\nthree", "<p>one<br>\ntwo</p>\n<p>three</p>"),
    ],
)
def test_comment_text_is_plain_text_with_safe_links(text, html):
    assert html in str(comment_html(text))


def test_script_in_a_comment_shows_as_text_on_the_post(app, client, smtp_server):
    body = '<script>alert("gotcha")</script> read https://example.org/guide'
    leave_comment(client, name="<b>Sam</b>", body=body)
    client.post(confirm_path(app, smtp_server))
    owner = signed_in_client(app)
    owner.post(f"/admin/comments/{comment_id(app, body)}/approve")
    section = comments_section(post_page(client))
    assert "<script>alert" not in section and "<b>Sam" not in section
    assert '&lt;script&gt;alert("gotcha")&lt;/script&gt;' in section
    assert "<strong>&lt;b&gt;Sam&lt;/b&gt;</strong>" in section
    assert (
        '<a href="https://example.org/guide" rel="nofollow ugc">'
        "https://example.org/guide</a>" in section
    )


def test_the_commenters_address_never_reaches_a_public_page(app, client, smtp_server):
    sent = leave_comment(client, newsletter="y")
    pages = [client.get(sent.headers["Location"]).get_data(as_text=True)]
    path = confirm_path(app, smtp_server)
    pages.append(client.get(path).get_data(as_text=True))
    pages.append(client.post(path).get_data(as_text=True))
    owner = signed_in_client(app)
    owner.post(f"/admin/comments/{comment_id(app, 'Thank you, this helped.')}/approve")
    post = post_page(client)
    assert "Thank you, this helped." in post  # the comment is there...
    for page in [post, *pages, client.get("/feed.xml").get_data(as_text=True)]:
        assert "secret.parent" not in page  # ...its writer's address is not
    assert ADDRESS in owner.get("/admin/comments?show=approved").get_data(as_text=True)


def test_commenting_subscribes_no_one_unless_the_box_is_ticked(app, client):
    leave_comment(client)
    with app.app_context():
        assert db.session.scalar(select(func.count(Subscription.id))) == 0
    assert mail_kinds(app) == ["comment_confirm"]

    leave_comment(client, email="yes@example.com", newsletter="y")
    with app.app_context():
        subscription = db.session.scalar(select(Subscription))
        assert (subscription.person.email, subscription.purpose) == (
            "yes@example.com",
            "newsletter",
        )
        assert subscription.status == "pending"  # the usual double opt-in
        consent = db.session.scalar(select(Consent))
        assert (consent.form, consent.page) == ("comment", f"/blog/{POST}")
    # The newsletter's confirmation waits out the address's cooldown (one mail to
    # an unconfirmed address per 15 minutes); the sign-up itself is recorded.
    assert mail_kinds(app) == ["comment_confirm", "comment_confirm"]


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"name": ""}, "Please tell us your name."),
        ({"email": "not-an-address"}, "complete email address"),
        ({"email": "a@mailinator.com"}, "address you check"),
        ({"body": "   "}, "Please write your comment."),
        ({"body": "x" * 3001}, "3000 characters or fewer; it has 3001 now"),
        ({"name": "R" * 101}, "under 100 characters"),
    ],
)
def test_mistakes_come_back_clearly_with_everything_typed(app, client, fields, error):
    typed = {"name": "Robin", "email": "typed@example.com", "body": "My words\nhere"}
    typed.update(fields)
    response = leave_comment(client, **typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert error in page.replace("&#39;", "'")
    assert "<title>Error:" in page and 'aria-invalid="true"' in page
    for value in (typed["name"], typed["email"], typed["body"][:200]):
        assert value.strip() in page  # nothing typed is lost
    with app.app_context():
        assert db.session.scalar(select(func.count(Comment.id))) == 0
        assert db.session.scalar(select(func.count(Person.id))) == 0


def test_a_bot_gets_the_same_page_and_its_comment_is_held(app, client):
    human = leave_comment(client, email="human@example.com")
    bot = leave_comment(
        client, email="bot@example.com", leave_blank="http://spam.example"
    )
    assert bot.status_code == 302
    assert bot.headers["Location"] == human.headers["Location"]
    assert [c[0] for c in comments(app)] == ["Robin"]
    with app.app_context():
        emails = db.session.scalars(select(Person.email)).all()
        held = db.session.scalars(select(HeldSubmission)).one()
    assert emails == ["human@example.com"]
    assert (held.form, held.field("email")) == ("comment", "bot@example.com")
    assert held.target == "meeting-notes"


def test_the_comment_form_shares_the_lead_forms_rate_limit(app, client):
    app.config.update(FORM_RATE_LIMIT=2, FORM_RATE_WINDOW=600)
    assert (
        submit_form(client, "/subscribe", {"email": "a@example.com"}).status_code == 302
    )
    assert leave_comment(client, body="First").status_code == 302
    response = leave_comment(client, body="Second, over the limit")
    assert response.status_code == 429
    assert "Second, over the limit" in response.get_data(as_text=True)  # not lost
    assert [c[1] for c in comments(app)] == ["First"]


def test_an_address_waits_on_at_most_three_unconfirmed_comments(app, client):
    for number in range(5):
        assert leave_comment(client, body=f"Comment {number}").status_code == 302
    assert [c[1] for c in comments(app)] == ["Comment 0", "Comment 1", "Comment 2"]
    assert mail_kinds(app) == ["comment_confirm"]  # one per address per cooldown


def test_closed_post_refuses_new_comments_and_keeps_the_shown_ones(
    app, client, smtp_server
):
    leave_comment(client, body="Before closing.")
    client.post(confirm_path(app, smtp_server))
    owner = signed_in_client(app)
    owner.post(f"/admin/comments/{comment_id(app, 'Before closing.')}/approve")
    form_page = post_page(client)  # opened while comments were still open
    owner.post(f"/admin/comments/posts/{POST}/close")

    section = comments_section(post_page(client))
    assert "Comments on this post are closed." in section
    assert "Before closing." in section
    assert "<form" not in section and "comment-body" not in section

    form = form_on(form_page, {"comment-body": ""})
    response = client.post(
        form["action"],
        data={
            **form["hidden"],
            "comment-name": "Late",
            "comment-email": "late@example.com",
            "comment-body": "Too late, sadly.",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "Comments on this post are closed" in page
    assert "Too late, sadly." in page  # shown back, so they can keep a copy
    assert [c[1] for c in comments(app)] == ["Before closing."]
    assert mail_kinds(app) == ["comment_confirm", "comment_notice"]

    owner.post(f"/admin/comments/posts/{POST}/open")
    assert "comment-body" in comments_section(post_page(client))


def test_without_approval_a_confirmed_comment_appears_at_once(
    app, client, smtp_server, site_dir
):
    set_require_approval(app, site_dir, False)
    assert "appears once you confirm it" in post_page(client)
    leave_comment(client, body="Straight onto the post.")
    assert "Straight onto the post." not in post_page(client)  # not confirmed yet
    path = confirm_path(app, smtp_server)
    page = client.post(path).get_data(as_text=True)
    assert "your comment is on the post" in page
    assert comments(app)[0][2] == "approved"
    assert "Straight onto the post." in comments_section(post_page(client))
    deliver(app)
    notice = smtp_server.messages[-1].get_body(preferencelist=("plain",)).get_content()
    assert "It is on the post now" in notice


def test_comments_belong_to_published_posts_only(app, client):
    assert client.get("/blog/unfinished-draft/comment").status_code == 404
    assert client.post("/blog/no-such-post/comment").status_code == 404
    assert client.get(f"/blog/{POST}/comment").status_code == 200
