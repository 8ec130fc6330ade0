"""The public side of comments: the section under each post, the comment page
(where a form with mistakes comes back), the "check your email" page and the
mailed link's confirm page.

Like every public form, a submission passes `form.verdict()` (bot traps and the
shared per-client rate limit): what the honeypot catches gets the same "check your
email" page and is held for the owner (`comment_from` is what releasing it runs).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, redirect, render_template, url_for
from markupsafe import Markup

from ..extensions import csrf
from ..leads.forms import ButtonForm, fill_source, source_of
from ..posts import Post, library
from ..security.bottrap import Verdict
from . import cache, rules
from .forms import COMMENT_MAX, CommentForm, comment_form
from .text import comment_html

bp = Blueprint("comments", __name__)


bp.add_app_template_filter(comment_html, "comment_text")


@dataclass(frozen=True)
class Section:
    """What the comments section under a post shows."""

    html: Markup
    count: int
    closed: bool
    form: CommentForm | None


def section_for(slug: str) -> Section:
    """The post's shown comments (rendered once per change) and, unless comments
    are closed, an empty form."""
    comments = cache.cache()
    state = comments.state(slug)
    rendered = comments.rendered(slug, state)
    form = None
    if not state.closed:
        form = comment_form(formdata=None)
        fill_source(form)
    return Section(rendered.html, rendered.count, state.closed, form)


@bp.app_context_processor
def comment_helpers():
    return {"comments_for": section_for, "comment_max": COMMENT_MAX}


def published_post(slug: str) -> Post:
    post = library().get(slug)
    if post is None:
        abort(404)
    return post


def comment_from(form: CommentForm, slug: str) -> None:
    rules.submit_comment(
        slug,
        form.email.canonical,
        form.name.data.strip(),
        form.body.data.strip(),
        form.newsletter.data,
        source_of(form, "comment"),
    )


@bp.route("/blog/<slug>/comment", methods=["GET", "POST"])
@csrf.exempt  # GuardedForm: see security.origin
def comment(slug: str):
    """Leave a comment; the post's own form posts here, and mistakes come back
    here with everything the visitor typed."""
    post = published_post(slug)
    form = comment_form()
    fill_source(form)
    if rules.is_closed(slug):
        page = render_template("public/comment.html", post=post, form=form, closed=True)
        return page, 403
    verdict = form.verdict(target=slug)
    if verdict is Verdict.HUMAN:
        comment_from(form, slug)
    if verdict is not Verdict.SHOW:
        return redirect(url_for(".sent", slug=slug))
    return render_template("public/comment.html", post=post, form=form)


@bp.get("/blog/<slug>/comment/sent")
def sent(slug: str):
    """The same answer whatever happened to the comment: nothing leaks."""
    return render_template("public/comment_sent.html", post=published_post(slug))


@bp.route("/confirm-comment/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """GET shows one Confirm button (mail scanners follow links); only POST
    confirms."""
    comment = rules.comment_from_token(token)
    if comment is None:
        return render_template("public/comment_link_invalid.html"), 404
    post = library().get(comment.slug)
    form = ButtonForm()
    if form.validate_on_submit():
        rules.confirm_comment(comment)
        return render_template(
            "public/comment_confirmed.html", comment=comment, post=post
        )
    return render_template("public/comment_confirm.html", form=form, post=post)
