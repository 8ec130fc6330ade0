"""Helpers the comment tests share: leaving a comment through the post's own form,
the mailed confirmation link, and reading what is stored."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from conftest import submit_form
from sqlalchemy import select

from leadsite.content import load_site
from leadsite.extensions import db
from leadsite.models import Comment, CommentStatus, OutboxMessage, Person, utcnow
from leadsite.outbox import deliver_due

POST = "meeting-notes"
POST_TITLE = "Taking notes in an IEP meeting"
ADDRESS = "secret.parent@example.com"


def leave_comment(client, slug: str = POST, **fields):
    """Send the comment form on the post's page as a browser would."""
    data = {"name": "Robin", "email": ADDRESS, "body": "Thank you, this helped."}
    data.update(fields)
    return submit_form(
        client,
        f"/blog/{slug}",
        {f"comment-{key}": value for key, value in data.items()},
    )


def deliver(app) -> None:
    with app.app_context():
        deliver_due()


def link_in(message, path_start: str, origin: str = "http://site.test") -> str:
    """The first link in a mail's text whose path starts with `path_start`, as a
    path for the test client (mailed links start with SITE_URL, `origin`)."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    for url in re.findall(r"https?://\S+", text):
        parts = urlsplit(url)
        if parts.path.startswith(path_start):
            assert url.startswith(origin + "/"), url
            return parts.path
    raise AssertionError(f"no {path_start} link in:\n{text}")


def confirm_path(app, smtp_server, to: str = ADDRESS) -> str:
    """Deliver the outbox; the confirm link in the latest mail to `to`."""
    deliver(app)
    mails = [
        m
        for m in smtp_server.messages
        if m["To"] == to and m["Subject"].startswith("Please confirm your comment")
    ]
    assert mails, f"no comment confirmation to {to}"
    return link_in(mails[-1], "/confirm-comment/", app.config["SITE_URL"])


def comments(app) -> list[tuple[str, str, str]]:
    """(name, body, status) of every comment, oldest first."""
    with app.app_context():
        rows = db.session.scalars(select(Comment).order_by(Comment.id))
        return [(c.name, c.body, c.status) for c in rows]


def comment_id(app, body: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Comment.id).where(Comment.body == body))


def mail_kinds(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage.kind).order_by("id")))


def set_require_approval(app, site_dir, value: bool) -> None:
    """Change the owner's setting in the test's settings file and reload it."""
    path = site_dir / "settings.toml"
    text = path.read_text(encoding="utf-8")
    assert "require_approval = true" in text
    path.write_text(
        text.replace(
            "require_approval = true", f"require_approval = {str(value).lower()}"
        ),
        encoding="utf-8",
    )
    app.extensions["site"] = load_site(site_dir)


def comments_section(page: str) -> str:
    """The comments section of a post page."""
    start = page.index('<section class="comments"')
    return page[start : page.index("</section>", start)]


def add_comment(app, body: str, status: str = "approved", email: str = "") -> int:
    """A visitor's comment on POST, stored as if it had gone through the form."""
    with app.app_context():
        person = None
        if email:
            person = Person(email=email)
            db.session.add(person)
        confirmed = None if status == CommentStatus.UNCONFIRMED else utcnow()
        comment = Comment(
            slug=POST,
            person=person,
            name="Ann",
            body=body,
            status=status,
            confirmed_at=confirmed,
            approved_at=confirmed if status == CommentStatus.APPROVED else None,
        )
        db.session.add(comment)
        db.session.commit()
        return comment.id
