"""The two mails about a comment: the confirmation to its writer, and the notice to
the owner. Both are queued in the outbox with the change that caused them.

The confirmation goes to an address nobody has confirmed yet, so, like every such
mail, it repeats nothing the visitor typed (not even the name): the form cannot be
used to send someone else a message.
"""

from __future__ import annotations

from flask import current_app

from ..models import Comment, OutboxMessage
from ..outbox import MailKind, absolute_url, queue_email
from ..posts import library
from ..tokens import TokenPurpose, make_token


def post_title(slug: str) -> str:
    """The post's title on one line (a mail subject may hold no line break)."""
    post = next((p for p in library().all_posts() if p.slug == slug), None)
    return " ".join(post.title.split()) if post else slug


def comment_url(comment: Comment) -> str:
    return absolute_url("blog.post", slug=comment.slug) + f"#comment-{comment.id}"


def send_confirmation(comment: Comment) -> OutboxMessage:
    """Ask the writer to confirm the comment from the mailed link's page."""
    token = make_token(TokenPurpose.COMMENT, {"c": comment.id})
    title = post_title(comment.slug)
    return queue_email(
        MailKind.COMMENT_CONFIRM,
        comment.person.email,
        f"Please confirm your comment on “{title}”",
        person=comment.person,
        confirm_url=absolute_url("comments.confirm", token=token),
        title=title,
    )


def send_notice(comment: Comment) -> OutboxMessage | None:
    """Tell the owner about a confirmed comment; Reply-To is the writer's address."""
    owner = current_app.config.get("OWNER_EMAIL")
    if not owner:
        current_app.logger.warning("OWNER_EMAIL is not set: comment %s", comment.id)
        return None
    title = post_title(comment.slug)
    email = comment.person.email if comment.person else ""
    return queue_email(
        MailKind.COMMENT_NOTICE,
        owner,
        f"New comment on “{title}”",
        reply_to=email or None,
        comment=comment,
        email=email,
        title=title,
        comment_url=comment_url(comment),
        queue_url=absolute_url("admin.comments"),
    )
