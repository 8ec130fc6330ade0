"""Moderating comments in the admin: the queue, approve, reject as spam, delete,
reply (shown as hers), per-post counts and closing a post, each change a POST
with CSRF and a line in the audit log."""

from __future__ import annotations

import re

from sqlalchemy import select
from test_admin_support import make_owner, sign_in, signed_in_client
from test_comments_support import (
    POST,
    POST_TITLE,
    add_comment,
    comments,
    comments_section,
)

from leadsite.extensions import db
from leadsite.models import CommentStatus
from leadsite.models.admin import AuditEvent


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by("id")))


def queue(owner, show: str = "pending") -> str:
    return owner.get(f"/admin/comments?show={show}").get_data(as_text=True)


def test_the_queue_shows_each_list_with_addresses_for_the_owner_only(app, client):
    add_comment(app, "Please approve me", CommentStatus.PENDING, "pat@example.com")
    add_comment(app, "Not confirmed", CommentStatus.UNCONFIRMED, "uma@example.com")
    add_comment(app, "Already shown", email="sue@example.com")
    owner = signed_in_client(app)

    page = queue(owner)
    assert "Waiting for you (1)" in page and "Not confirmed yet (1)" in page
    assert "Published (1)" in page and "Spam (0)" in page
    assert f"Ann on “{POST_TITLE}”" in page
    assert "Please approve me" in page and "pat@example.com" in page
    assert "Not confirmed" not in page.split("<h2>")[-1]
    assert ">Approve</button>" in page

    unconfirmed = queue(owner, "unconfirmed")
    assert "Not confirmed" in unconfirmed and ">Approve</button>" not in unconfirmed
    public = client.get(f"/blog/{POST}").get_data(as_text=True)
    assert "Already shown" in public
    assert "@example.com" not in public


def test_approve_spam_and_delete_change_the_post_and_are_audited(app, client):
    waiting = add_comment(app, "From the queue", CommentStatus.PENDING, "a@example.com")
    owner = signed_in_client(app)

    done = owner.post(f"/admin/comments/{waiting}/approve", follow_redirects=True)
    assert "the comment is on the post now" in done.get_data(as_text=True)
    assert "From the queue" in client.get(f"/blog/{POST}").get_data(as_text=True)

    owner.post(f"/admin/comments/{waiting}/spam")
    assert "From the queue" not in client.get(f"/blog/{POST}").get_data(as_text=True)
    assert "From the queue" in queue(owner, "spam")

    owner.post(f"/admin/comments/{waiting}/approve")  # not spam after all
    assert "From the queue" in client.get(f"/blog/{POST}").get_data(as_text=True)
    owner.post(f"/admin/comments/{waiting}/delete")
    assert "From the queue" not in client.get(f"/blog/{POST}").get_data(as_text=True)
    assert comments(app) == []

    assert audit_actions(app)[1:] == [
        "comment-approve",
        "comment-spam",
        "comment-approve",
        "comment-delete",
    ]
    log = owner.get("/admin/audit").get_data(as_text=True)
    assert "Rejected a comment as spam" in log and f"on {POST}" in log
    assert "a@example.com" not in log


def test_her_reply_appears_under_the_comment_marked_as_hers(app, client):
    shown = add_comment(app, "How do I ask for the notes?", email="q@example.com")
    waiting = add_comment(app, "Still waiting", CommentStatus.PENDING, "w@example.com")
    owner = signed_in_client(app)

    refused = owner.get(f"/admin/comments/{waiting}/reply", follow_redirects=True)
    assert "publish it first" in refused.get_data(as_text=True)
    form = owner.get(f"/admin/comments/{shown}/reply").get_data(as_text=True)
    assert "How do I ask for the notes?" in form

    empty = owner.post(f"/admin/comments/{shown}/reply", data={"body": " "})
    assert "Please write your reply." in empty.get_data(as_text=True)
    long = owner.post(f"/admin/comments/{shown}/reply", data={"body": "y" * 3001})
    assert "y" * 3001 in long.get_data(as_text=True)  # kept, not lost

    response = owner.post(
        f"/admin/comments/{shown}/reply",
        data={"body": "Ask in writing: see https://example.org/letters"},
    )
    assert response.status_code == 302
    section = comments_section(client.get(f"/blog/{POST}").get_data(as_text=True))
    item = re.search(rf'<li id="comment-{shown}">.*?</li>', section, re.S)[0]
    assert '<article class="owner-reply"' in item
    assert (
        "<strong>Alexandra Charnin</strong> <span" in item and ">Author</span>" in item
    )
    assert 'rel="nofollow ugc">https://example.org/letters</a>' in item
    assert "2 comments" in section
    assert audit_actions(app)[-1] == "comment-reply"

    owner.post(f"/admin/comments/{shown}/delete")  # her reply goes with it
    assert comments(app) == [("Ann", "Still waiting", "pending")]


def test_per_post_counts_and_closing_comments(app, client):
    add_comment(app, "One", email="a@example.com")
    add_comment(app, "Two", CommentStatus.PENDING, "b@example.com")
    add_comment(app, "Three", CommentStatus.UNCONFIRMED, "c@example.com")
    owner = signed_in_client(app)

    page = owner.get("/admin/comments/posts").get_data(as_text=True)
    row = re.search(
        rf"<tr>\s*<th scope=\"row\"><a href=\"/blog/{POST}#comments\">.*?</tr>",
        page,
        re.S,
    )[0]
    assert [int(n) for n in re.findall(r'class="number">(\d+)<', row)] == [1, 1, 1, 0]
    assert "Open comments" not in row and "Close comments" in row
    assert "An unfinished draft about due process (draft)" in page

    owner.post(f"/admin/comments/posts/{POST}/close")
    page = owner.get("/admin/comments/posts").get_data(as_text=True)
    assert 'Open comments<span class="visually-hidden"> on Taking notes' in page
    section = comments_section(client.get(f"/blog/{POST}").get_data(as_text=True))
    assert "comments on this post are closed" in section.lower() and "One" in section
    assert owner.post("/admin/comments/posts/no-such-post/close").status_code == 404
    assert audit_actions(app)[-1] == "comments-close"


def test_every_change_needs_the_csrf_token(app):
    waiting = add_comment(app, "Guarded", CommentStatus.PENDING, "g@example.com")
    make_owner(app)
    owner = app.test_client()
    assert sign_in(owner).status_code == 302
    app.config["WTF_CSRF_ENABLED"] = True
    response = owner.post(f"/admin/comments/{waiting}/approve")
    assert response.status_code == 400
    assert "Please try that again" in response.get_data(as_text=True)
    assert comments(app)[0][2] == "pending"

    page = queue(owner)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    owner.post(f"/admin/comments/{waiting}/approve", data={"csrf_token": token})
    assert comments(app)[0][2] == "approved"


def test_moderation_needs_the_signed_in_owner(app, client):
    waiting = add_comment(app, "Not yours", CommentStatus.PENDING, "n@example.com")
    for path in (
        f"/admin/comments/{waiting}/approve",
        f"/admin/comments/posts/{POST}/close",
    ):
        response = client.post(path)
        assert response.headers["Location"].startswith("/admin/sign-in")
    assert client.get("/admin/comments").status_code == 302
    assert comments(app)[0][2] == "pending"
