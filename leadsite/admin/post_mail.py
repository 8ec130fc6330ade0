"""Sending a published post to the newsletter, like a state guide's launch: choose
the whole post or its summary with a link, check the mail and the number of
people, then send.

The rules of `announcements` apply (confirmed subscribers only, list headers, one
unsubscribe link each). The announcement's key is `post:<id>`, unique in the
database, so a post goes out once, even from two tabs at once.
"""

from __future__ import annotations

import re

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup
from sqlalchemy import select

from ..extensions import db
from ..models import Purpose
from ..models.admin import Announcement
from ..models.content import Post as PostRow
from ..models.content import PostKind
from ..models.types import utcnow
from ..outbox import absolute_url
from ..posts import library
from ..seo import absolute_links
from . import announcements, audit
from .announcements import AlreadySent
from .blueprint import bp
from .mailpreview import mail_preview_page
from .post_forms import PostMailForm
from .posts import post_or_404
from .words import plural

KIND = announcements.POST


def announcement_key(post_id: int) -> str:
    return f"post:{post_id}"


def mail_context(post, content: str) -> dict:
    """What the post mail's two templates need: the whole post or its summary."""
    origin = current_app.config["SITE_URL"]
    markdown = re.sub(r"(\]\()/(?!/)", rf"\1{origin}/", post_source(post.id))
    html = absolute_links(post.html).replace(
        "<img ", '<img style="max-width:100%; height:auto" '
    )
    return {
        "post": post,
        "url": absolute_url("blog.post", slug=post.slug),
        "whole": content == "full",
        "text_body": markdown,
        "html_body": Markup(html),
    }


def post_source(post_id: int) -> str:
    """The post's Markdown, which reads well as the mail's plain text."""
    return db.session.scalar(select(PostRow.body).where(PostRow.id == post_id)) or ""


def sent_announcement(post_id: int) -> Announcement | None:
    return db.session.scalar(
        select(Announcement).where(Announcement.key == announcement_key(post_id))
    )


def send_post(post, content: str, actor: str) -> Announcement:
    """Queue the post to every confirmed newsletter subscriber, once, ever."""
    announcement = Announcement(
        key=announcement_key(post.id),
        kind=KIND,
        subject=post.title,
        body=content,
        link=absolute_url("blog.post", slug=post.slug),
        created_by=actor,
    )
    announcements.save_once(announcement)
    subs = announcements.recipients(Purpose.NEWSLETTER)
    announcements.queue_to_all(announcement, subs, **mail_context(post, content))
    audit.record(
        "post mail", f"“{post.title[:100]}”: {plural(len(subs), 'mail')} queued"
    )
    announcements.commit_or_already_sent(announcement.key)
    return announcement


def live_post_or_404(post_id: int):
    """The post as visitors see it; only a published blog post can be sent."""
    row = post_or_404(post_id)
    post = library().get(row.slug)
    if row.kind != PostKind.POST or post is None or not row.is_live(utcnow()):
        abort(404)
    return post


@bp.route("/posts/<int:post_id>/email", methods=["GET", "POST"])
def post_email(post_id: int):
    """Step 1: the whole post or its summary; or, if sent, when and to how many."""
    post = live_post_or_404(post_id)
    return render_template(
        "admin/post_email.html",
        post=post,
        form=PostMailForm(),
        sent=sent_announcement(post_id),
        people=len(announcements.recipients(Purpose.NEWSLETTER)),
    )


@bp.post("/posts/<int:post_id>/email/review")
def post_email_review(post_id: int):
    """Step 2: the mail exactly as it goes out, and to how many people."""
    post = live_post_or_404(post_id)
    form = PostMailForm()
    if not form.validate_on_submit():
        return post_email(post_id)
    subs = announcements.recipients(Purpose.NEWSLETTER)
    text, html = announcements.preview(
        KIND, post.title, subs, **mail_context(post, form.content.data)
    )
    return mail_preview_page(
        "admin/post_email_review.html",
        html,
        post=post,
        form=form,
        sent=sent_announcement(post_id),
        people=len(subs),
        text=text,
    )


@bp.post("/posts/<int:post_id>/email/send")
def post_email_send(post_id: int):
    """Step 3: queue one mail per confirmed subscriber; never a second time."""
    post = live_post_or_404(post_id)
    form = PostMailForm()
    if not form.validate_on_submit() or request.form.get("confirmed") != "yes":
        flash("Nothing was sent. Please check and try again.", "error")
        return redirect(url_for("admin.post_email", post_id=post_id))
    try:
        announcement = send_post(post, form.content.data, g.admin_user.email)
    except AlreadySent:
        flash(
            "This post was already sent to the newsletter; nothing was sent again.",
            "error",
        )
        return redirect(url_for("admin.post_email", post_id=post_id))
    count = announcement.recipients
    flash(
        f"The post is on its way to {count} {'person' if count == 1 else 'people'}.",
        "ok",
    )
    return redirect(url_for("admin.announcement", announcement_id=announcement.id))
