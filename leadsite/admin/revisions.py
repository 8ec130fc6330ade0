"""A post's revisions: the list, one compared with the current text, and restoring
it (which is itself a new save, so nothing is lost by restoring)."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for

from ..extensions import db
from ..models.content import PostRevision
from ..posts.diff import compare
from ..posts.editing import StaleSave, restore_revision
from .blueprint import bp
from .forms import ButtonForm
from .posts import her_time, post_or_404


def revision_or_404(post_id: int, revision_id: int) -> PostRevision:
    revision = db.session.get(PostRevision, revision_id)
    if revision is None or revision.post_id != post_id:
        abort(404)
    return revision


@bp.get("/posts/<int:post_id>/revisions")
def post_revisions(post_id: int):
    """Every saved revision of the post, newest first."""
    post = post_or_404(post_id)
    return render_template("admin/post_revisions.html", post=post)


@bp.get("/posts/<int:post_id>/revisions/<int:revision_id>")
def post_revision(post_id: int, revision_id: int):
    """One revision next to the current text: what restoring it would change."""
    post = post_or_404(post_id)
    revision = revision_or_404(post_id, revision_id)
    return render_template(
        "admin/post_revision.html",
        post=post,
        revision=revision,
        title_changed=revision.title != post.title,
        summary_changed=revision.summary != post.summary,
        body_lines=compare(post.body, revision.body),
        form=ButtonForm(),
    )


@bp.post("/posts/<int:post_id>/revisions/<int:revision_id>/restore")
def post_revision_restore(post_id: int, revision_id: int):
    """Make the revision's title, summary and text the post's again."""
    post = post_or_404(post_id)
    revision = revision_or_404(post_id, revision_id)
    form = ButtonForm()
    started_from = request.form.get("version", type=int)
    if not form.validate_on_submit():
        abort(400)
    try:
        restore_revision(post, revision, started_from, g.admin_user.email)
    except StaleSave:
        flash(
            "The post was saved somewhere else since you opened this page, so "
            "nothing was restored. Please compare again.",
            "error",
        )
        return redirect(url_for("admin.post_revision", **request.view_args))
    flash(f"Restored the version saved {her_time(revision.saved_at)}.", "ok")
    return redirect(url_for("admin.post_edit", post_id=post_id))
