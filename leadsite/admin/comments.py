"""Comments, moderated by the owner: the queue (waiting for her, not confirmed yet,
published, spam) with Approve, Reject as spam, Delete and Reply; and per post, the
counts and the switch that closes a post to new comments.

Every change is a POST (CSRF-checked like every form), recorded in the audit log
in the same commit, and shown on the post at once (see `comments.cache`).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from ..comments import rules
from ..comments.cache import cache
from ..comments.forms import COMMENT_MAX
from ..extensions import db
from ..models import Comment, CommentStatus, CommentThread
from ..posts import library
from . import audit
from .blueprint import bp
from .paging import Page, page_number

PER_PAGE = 25
VIEWS = {
    "pending": ("Waiting for you", CommentStatus.PENDING),
    "approved": ("Published", CommentStatus.APPROVED),
    "unconfirmed": ("Not confirmed yet", CommentStatus.UNCONFIRMED),
    "spam": ("Spam", CommentStatus.SPAM),
}
# The audit log's words for these actions (its table of labels is shared).
audit.ACTIONS.update(
    {
        "comment-approve": "Published a comment",
        "comment-spam": "Rejected a comment as spam",
        "comment-delete": "Deleted a comment",
        "comment-reply": "Replied to a comment",
        "comments-close": "Closed comments on a post",
        "comments-open": "Opened comments on a post",
    }
)
DONE = {
    "approve": "Published: the comment is on the post now.",
    "spam": "Marked as spam: the comment is hidden from the post.",
    "delete": "Deleted the comment (and any reply of yours to it).",
}


class ReplyForm(FlaskForm):
    body = TextAreaField(
        "Your reply",
        validators=[
            DataRequired("Please write your reply."),
            Length(
                max=COMMENT_MAX,
                message=f"Please keep your reply under {COMMENT_MAX} characters.",
            ),
        ],
        render_kw={"rows": 8},
    )


def post_titles() -> dict[str, str]:
    return {post.slug: post.title for post in library().all_posts()}


def queue_counts() -> dict[str, int]:
    """Visitors' comments per queue (the owner's replies are not counted)."""
    rows = db.session.execute(
        select(Comment.status, func.count(Comment.id))
        .where(Comment.by_owner.is_(False))
        .group_by(Comment.status)
    )
    found = dict(rows.all())
    return {key: found.get(status, 0) for key, (_, status) in VIEWS.items()}


def back_to_queue():
    """Back to the page the button was on (only an admin page), else the queue."""
    back = request.form.get("back", "")
    if back.startswith("/admin/") and not back.startswith("//"):
        return redirect(back)
    return redirect(url_for("admin.comments"))


def finish(action: str, detail: str, slug: str) -> None:
    """Audit the change, commit both, and show it on the post at once."""
    audit.record(action, detail)
    db.session.commit()
    cache().forget(slug)


@bp.get("/comments")
def comments():
    """The queue, newest first; by default the comments waiting for approval."""
    view = request.args.get("show", "pending")
    if view not in VIEWS:
        view = "pending"
    query = select(Comment).where(
        Comment.status == VIEWS[view][1], Comment.by_owner.is_(False)
    )
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    page = Page(page_number(), PER_PAGE, total)
    found = db.session.scalars(
        query.order_by(Comment.created_at.desc(), Comment.id.desc())
        .options(selectinload(Comment.replies), selectinload(Comment.person))
        .offset(page.offset)
        .limit(PER_PAGE)
    )
    return render_template(
        "admin/comments.html",
        comments=list(found),
        page=page,
        view=view,
        views=VIEWS,
        counts=queue_counts(),
        titles=post_titles(),
    )


@bp.post("/comments/<int:comment_id>/<any(approve, spam, delete):action>")
def moderate_comment(comment_id: int, action: str):
    """Publish, reject as spam, or delete one comment (or one of her replies)."""
    comment = db.session.get(Comment, comment_id) or abort(404)
    slug = comment.slug
    if action == "approve" and not rules.approve(comment):
        flash(
            "This comment can't be published: its writer never confirmed it from "
            "the email we sent.",
            "error",
        )
        return back_to_queue()
    if action == "spam":
        rules.mark_spam(comment)
    elif action == "delete":
        rules.remove(comment)
    finish(f"comment-{action}", f"comment {comment_id} on {slug}", slug)
    flash(DONE[action], "ok")
    return back_to_queue()


@bp.route("/comments/<int:comment_id>/reply", methods=["GET", "POST"])
def reply_to_comment(comment_id: int):
    """Write a reply that appears under a published comment, marked as hers."""
    comment = db.session.get(Comment, comment_id) or abort(404)
    if comment.by_owner or not comment.shown:
        flash("You can reply to a published comment only; publish it first.", "error")
        return redirect(url_for("admin.comments"))
    form = ReplyForm()
    if form.validate_on_submit():
        answer = rules.reply(comment, form.body.data.strip())
        db.session.flush()
        detail = f"reply {answer.id} to comment {comment.id} on {comment.slug}"
        finish("comment-reply", detail, comment.slug)
        flash("Your reply is on the post.", "ok")
        return redirect(url_for("admin.comments", show="approved") + f"#c{comment_id}")
    return render_template(
        "admin/comments_reply.html",
        comment=comment,
        form=form,
        title=post_titles().get(comment.slug, comment.slug),
    )


@bp.get("/comments/posts")
def comment_posts():
    """Each post with its comment counts, and whether it takes new comments."""
    counts: dict[str, dict[str, int]] = {}
    rows = db.session.execute(
        select(Comment.slug, Comment.status, func.count(Comment.id))
        .where(Comment.by_owner.is_(False))
        .group_by(Comment.slug, Comment.status)
    )
    for slug, status, number in rows:
        counts.setdefault(slug, {})[status] = number
    closed = set(
        db.session.scalars(select(CommentThread.slug).where(CommentThread.closed))
    )
    return render_template(
        "admin/comments_posts.html",
        posts=library().all_posts(),
        counts=counts,
        closed=closed,
    )


@bp.post("/comments/posts/<slug>/<any(close, open):change>")
def switch_comments(slug: str, change: str):
    """Close a post to new comments (the shown ones stay), or open it again."""
    if slug not in post_titles():
        abort(404)
    rules.set_closed(slug, change == "close")
    finish(f"comments-{change}", f"post {slug}", slug)
    flash(
        "Comments are closed on that post; the ones already there stay."
        if change == "close"
        else "Comments are open again on that post.",
        "ok",
    )
    return redirect(url_for("admin.comment_posts"))
