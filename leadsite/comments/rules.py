"""What happens to a comment, as plain functions the views and tests call.

- A new comment is stored `unconfirmed`, and its writer gets a mail with a link to
  confirm it. The visitor sees the same answer whatever happened; a closed post
  stores nothing.
- An address has at most MAX_UNCONFIRMED comments waiting for confirmation, so
  the form cannot flood someone's inbox; unconfirmed comments older than the
  link's life are removed.
- Confirming (the POST of the mailed link's page) makes a comment `pending`, or
  `approved` when the owner's settings don't ask for approval, and mails her.
- Commenting subscribes nobody to anything; only the unticked newsletter box, when
  ticked, starts the usual double opt-in (`leads.rules.opt_in`).
- Moderation (approve, spam, delete, reply, close) joins the caller's transaction,
  so the admin records it in the audit log and commits both together.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from ..extensions import db
from ..leads import rules as lead_rules
from ..models import Comment, CommentStatus, CommentThread, Purpose, utcnow
from ..models.comments import touch_thread
from ..tokens import TokenExpired, TokenPurpose, max_age, read_token
from . import mail
from .cache import cache

MAX_UNCONFIRMED = 3


def require_approval() -> bool:
    return current_app.extensions["site"].settings.comments.require_approval


def is_closed(slug: str) -> bool:
    """Whether the post takes no new comments, read from the database itself."""
    return bool(
        db.session.scalar(
            select(CommentThread.closed).where(CommentThread.slug == slug)
        )
    )


def remove_stale_unconfirmed() -> None:
    """Unconfirmed comments whose confirmation link no longer works go."""
    cutoff = utcnow() - timedelta(seconds=max_age(TokenPurpose.COMMENT))
    db.session.execute(
        delete(Comment).where(
            Comment.status == CommentStatus.UNCONFIRMED, Comment.created_at < cutoff
        )
    )


def submit_comment(
    slug: str,
    email: str,
    name: str,
    body: str,
    newsletter: bool,
    source: lead_rules.Source,
) -> Comment | None:
    """Store a comment to be confirmed and mail its writer; None when nothing was
    stored (a closed post, or too many comments from the address unconfirmed)."""

    def work():
        remove_stale_unconfirmed()
        if is_closed(slug):
            return None
        person = lead_rules.person_for(email, name)
        waiting = db.session.scalar(
            select(func.count(Comment.id)).where(
                Comment.person_id == person.id,
                Comment.status == CommentStatus.UNCONFIRMED,
            )
        )
        if waiting >= MAX_UNCONFIRMED:
            return None
        comment = Comment(slug=slug, person=person, name=name, body=body)
        db.session.add(comment)
        db.session.flush()
        mail.send_confirmation(comment)
        return comment

    comment = lead_rules.committed(work)
    if comment is not None and newsletter:
        lead_rules.opt_in(email, name, Purpose.NEWSLETTER, "", source)
    return comment


def comment_from_token(token: str) -> Comment | None:
    """The comment a mailed link is for; None if the link is altered, too old,
    or the comment is gone."""
    try:
        data = read_token(TokenPurpose.COMMENT, token)
    except TokenExpired:
        return None
    if not data or not isinstance(data.get("c"), int):
        return None
    return db.session.get(Comment, data["c"])


def confirm_comment(comment: Comment) -> Comment:
    """Confirm an unconfirmed comment (from the confirm page's POST only) and tell
    the owner; a second confirmation, or one of a rejected comment, does nothing."""
    db.session.refresh(comment, with_for_update=True)
    if comment.status == CommentStatus.UNCONFIRMED:
        now = utcnow()
        comment.confirmed_at = now
        if require_approval():
            comment.status = CommentStatus.PENDING
        else:
            comment.status = CommentStatus.APPROVED
            comment.approved_at = now
        mail.send_notice(comment)
    db.session.commit()
    cache().forget(comment.slug)
    return comment


def approve(comment: Comment) -> bool:
    """Show a confirmed comment; False if it was never confirmed by its writer."""
    if comment.confirmed_at is None and not comment.by_owner:
        return False
    if comment.status != CommentStatus.APPROVED:
        comment.status = CommentStatus.APPROVED
        comment.approved_at = utcnow()
    return True


def mark_spam(comment: Comment) -> None:
    """Hide a comment for good (it stays in the admin's Spam list)."""
    comment.status = CommentStatus.SPAM


def remove(comment: Comment) -> None:
    """Delete a comment and the owner's replies to it."""
    db.session.delete(comment)


def reply(comment: Comment, text: str) -> Comment:
    """The owner's reply, shown at once under the comment it answers."""
    now = utcnow()
    answer = Comment(
        slug=comment.slug,
        parent=comment,
        name=current_app.extensions["site"].settings.owner.name,
        body=text,
        by_owner=True,
        status=CommentStatus.APPROVED,
        confirmed_at=now,
        approved_at=now,
    )
    db.session.add(answer)
    return answer


def set_closed(slug: str, closed: bool) -> None:
    """Close a post to new comments (those shown stay), or open it again."""
    touch_thread(db.session.connection(), slug, closed=closed)
