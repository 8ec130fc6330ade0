"""The editor's helpers: autosave of drafts, the preview, and deleting a post after
a confirmation page."""

from __future__ import annotations

from flask import (
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from ..extensions import db
from ..models.content import Post, PostKind, PostStatus
from ..posts import library
from ..posts.editing import (
    SLUG,
    StaleSave,
    delete_post,
    merged_notes,
    save_post,
    slug_from_title,
    slug_problem,
)
from ..posts.view import build
from ..seo import post_page
from .blueprint import bp
from .forms import ButtonForm
from .post_forms import PostForm
from .posts import her_time, post_or_404


def free_slug(title: str, kind: str) -> str:
    """An address from the title no other post has: `my-post`, `my-post-2` ..."""
    base = slug_from_title(title) or "untitled"
    slug, number = base, 1
    while slug_problem(slug, kind, None):
        number += 1
        slug = f"{base}-{number}"
    return slug


@bp.post("/posts/autosave", endpoint="post_autosave_new")
@bp.post("/posts/<int:post_id>/autosave")
def post_autosave(post_id: int | None = None):
    """Save a draft as she types (no revision); JSON for the editor's script.
    A post that is not a draft is never changed this way."""
    post = post_or_404(post_id) if post_id else None
    form = PostForm()
    if not form.validate_on_submit():
        fields = [form.law, form.reviewed, form.cta]
        problems = [f.errors[0] for f in fields if f.errors]
        why = problems[0] if problems and not form.title.errors else None
        return jsonify(
            saved=False, message=f"Not saved yet: {why or 'the draft needs a title.'}"
        ), 422
    if post is not None and post.status != PostStatus.DRAFT:
        return jsonify(saved=False, message="Published posts are saved by hand."), 409
    kind = post.kind if post else (form.kind.data or PostKind.POST)
    wanted = (form.slug.data or "").strip()
    fields = {
        "title": form.title.data.strip(),
        "summary": (form.summary.data or "").strip(),
        "tags": form.tag_list(),
        "cover_src": (form.cover_src.data or "").strip(),
        "cover_alt": (form.cover_alt.data or "").strip(),
    }
    if kind == PostKind.POST:
        fields["notes"] = form.notes()
    if post is None:
        fields["kind"] = kind
        fields["slug"] = (
            wanted
            if SLUG.match(wanted) and not slug_problem(wanted, kind, None)
            else free_slug(fields["title"], kind)
        )
    elif wanted and wanted != post.slug and not slug_problem(wanted, kind, post.id):
        fields["slug"] = wanted
    try:
        saved = save_post(
            post,
            fields,
            form.started_from(),
            g.admin_user.email,
            body=form.body.data or "",
            status=PostStatus.DRAFT if post is None else None,
            autosave=True,
        )
    except StaleSave:
        return jsonify(
            saved=False,
            stale=True,
            message="This post was changed in another tab or window, so this one "
            "stopped saving. Your text is still here: copy it, or use Save to "
            "see both versions.",
        ), 409
    return jsonify(
        saved=True,
        id=saved.id,
        version=saved.version,
        slug=saved.slug,
        saved_at=her_time(saved.updated_at),
        save_url=url_for("admin.post_save", post_id=saved.id),
        edit_url=url_for("admin.post_edit", post_id=saved.id),
        autosave_url=url_for("admin.post_autosave", post_id=saved.id),
    )


@bp.post("/posts/preview")
def post_preview():
    """The editor's text in the public page's own template, nothing saved."""
    form = PostForm()
    kind = form.kind.data if form.kind.data == PostKind.PAGE else PostKind.POST
    existing = db.session.get(Post, request.form.get("post_id", type=int) or 0)
    row = Post(
        kind=kind,
        title=form.title.data or "Untitled",
        slug=(form.slug.data or "").strip() or slug_from_title(form.title.data or ""),
        summary=form.summary.data or "",
        tags=form.tag_list(),
        cover_src=(form.cover_src.data or "").strip(),
        cover_alt=form.cover_alt.data or "",
        author="",
        body=form.body.data or "",
        status=PostStatus.PUBLISHED,
        publish_at=existing.publish_at if existing else None,
        updated_on=existing.updated_on if existing else None,
        notes=merged_notes(existing.notes if existing else {}, form.notes())
        if kind == PostKind.POST
        else {},
    )
    post = build(row, library().site_dir, library().zone)
    if kind == PostKind.PAGE:
        return render_template("public/page.html", post=post)
    return render_template("public/blog_post.html", post=post, **post_page(post))


@bp.get("/posts/<int:post_id>/delete")
def post_delete_confirm(post_id: int):
    """Ask before deleting: what goes, and that it cannot be undone."""
    post = post_or_404(post_id)
    return render_template("admin/post_delete.html", post=post, form=ButtonForm())


@bp.post("/posts/<int:post_id>/delete")
def post_delete(post_id: int):
    """Delete the post, its revisions and its old addresses."""
    post = post_or_404(post_id)
    form = ButtonForm()
    if not form.validate_on_submit():
        return redirect(url_for("admin.post_delete_confirm", post_id=post_id))
    title, kind = post.title, post.kind
    delete_post(post)
    flash(f"“{title}” was deleted.", "ok")
    return redirect(url_for("admin.pages" if kind == PostKind.PAGE else "admin.posts"))
