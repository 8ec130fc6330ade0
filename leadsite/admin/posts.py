"""Posts and Pages in the admin: the list with each one's status and a search, and
the editor (see `leadsite.posts.editing` for the rules a save follows).

The editor is an ordinary form: without JavaScript it is a text area and buttons.
`static/js/admin/editor.js` adds the formatting toolbar, pasting from Word or
Google Docs, and autosave of drafts. Publishing or scheduling needs every picture
described (cover and body); a refusal names the picture and keeps her text.
"""

from __future__ import annotations

from datetime import UTC, datetime

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
from sqlalchemy import or_, select

from ..extensions import db
from ..media import missing_descriptions
from ..models.content import Post, PostKind, PostStatus
from ..models.types import utcnow
from ..postnotes import PostNotes
from ..posts.editing import (
    StaleSave,
    keep_as_revision,
    save_post,
    slug_from_title,
    slug_problem,
)
from .blueprint import bp
from .post_forms import PostForm, PostSearchForm, local_input
from .words import local_time

ACTIONS = {
    "save": None,
    "publish": PostStatus.PUBLISHED,
    "schedule": PostStatus.SCHEDULED,
    "unpublish": PostStatus.DRAFT,
}
DONE = {
    "save": "Saved.",
    "publish": "Published: visitors can read it now.",
    "schedule": "Scheduled for {when}.",
    "unpublish": "Unpublished: it is a draft again, and visitors no longer see it.",
}


def zone():
    return current_app.extensions["site"].settings.site.zone


@bp.app_template_filter("her_time")
def her_time(value: datetime | None) -> str:
    """A stored time on her clock, as plain text (a page title can hold no
    `<time>`; elsewhere `admin_time` marks it up): Dec 1, 2026, 9:00 AM EST."""
    return local_time(value, zone()) if value else ""


def post_or_404(post_id: int) -> Post:
    post = db.session.get(Post, post_id)
    if post is None:
        abort(404)
    return post


@bp.get("/posts")
@bp.get("/pages", endpoint="pages", defaults={"kind": PostKind.PAGE})
def posts(kind: str = PostKind.POST):
    """Every post (or page), newest first, with its status; `q` searches titles,
    addresses and text."""
    form = PostSearchForm(request.args)
    query = select(Post).where(Post.kind == kind)
    words = (form.q.data or "").strip() if form.validate() else ""
    if words:
        like = f"%{words.replace('%', '').replace('_', '')}%"
        query = query.where(
            or_(Post.title.ilike(like), Post.slug.ilike(like), Post.body.ilike(like))
        )
    rows = db.session.scalars(
        query.order_by(Post.publish_at.desc().nulls_first(), Post.id.desc())
    ).all()
    return render_template(
        "admin/posts.html", rows=rows, form=form, kind=kind, now=utcnow(), words=words
    )


def editor(form: PostForm, post: Post | None, status: int = 200, stale: bool = False):
    kind = post.kind if post else (form.kind.data or PostKind.POST)
    return (
        render_template(
            "admin/post_edit.html",
            form=form,
            post=post,
            kind=kind,
            now=utcnow(),
            stale=stale,
        ),
        status,
    )


@bp.get("/posts/new")
def post_new():
    """An empty editor; `?kind=page` for a page."""
    kind = PostKind.PAGE if request.args.get("kind") == "page" else PostKind.POST
    form = PostForm(data={"kind": kind, "version": ""})
    return editor(form, None)


@bp.get("/posts/<int:post_id>")
def post_edit(post_id: int):
    """The editor for one post, filled with what is stored."""
    post = post_or_404(post_id)
    notes = PostNotes.model_validate(post.notes or {})
    form = PostForm(
        data={
            "title": post.title,
            "slug": post.slug,
            "summary": post.summary,
            "tags": ", ".join(post.tags or []),
            "cover_src": post.cover_src,
            "cover_alt": post.cover_alt,
            "body": post.body,
            "publish_at": local_input(post.publish_at, zone()),
            "law": notes.law or "",
            "reviewed": notes.reviewed,
            "cta": notes.cta or "",
            "version": str(post.version),
            "kind": post.kind,
        }
    )
    return editor(form, post)


def undescribed_message(addresses: list[str]) -> str:
    """Why a post with pictures lacking a description cannot be published yet."""
    named = ", ".join(addresses[:3]) + (" and others" if len(addresses) > 3 else "")
    one = len(addresses) == 1
    return (
        f"Please describe {'the picture' if one else 'each picture'} {named} before "
        "publishing: write what it shows between the square brackets, as in "
        "![A parent reading school records](...), for people who cannot see it. "
        "Nothing was published; your text is kept below."
    )


def checked_fields(form: PostForm, post: Post | None, action: str) -> dict | None:
    """The form's fields ready to store, or None with the errors on the form."""
    if not form.validate_on_submit():
        return None
    kind = post.kind if post else (form.kind.data or PostKind.POST)
    slug = (form.slug.data or "").strip().lower() or slug_from_title(form.title.data)
    form.slug.data = slug
    if problem := slug_problem(slug, kind, post.id if post else None):
        form.slug.errors = [problem]
    publishing = action in ("publish", "schedule")
    if publishing and form.cover_src.data and not (form.cover_alt.data or "").strip():
        form.cover_alt.errors = [
            f"Please describe the cover picture ({form.cover_src.data.strip()}) for "
            "people who cannot see it before publishing."
        ]
    if publishing and (undescribed := missing_descriptions(form.body.data or "")):
        form.body.errors = [undescribed_message(undescribed)]
    if action == "schedule":
        when = form.publish_at.data
        if when is None:
            form.publish_at.errors = ["Please choose the date and time to publish."]
        elif when.replace(tzinfo=zone()) <= datetime.now(zone()):
            form.publish_at.errors = [
                "Please choose a time in the future, or use Publish now."
            ]
    checked = (form.slug, form.cover_alt, form.publish_at, form.body)
    if any(field.errors for field in checked):
        return None
    fields = {
        "kind": kind,
        "title": form.title.data.strip(),
        "slug": slug,
        "summary": (form.summary.data or "").strip(),
        "tags": form.tag_list(),
        "cover_src": (form.cover_src.data or "").strip(),
        "cover_alt": (form.cover_alt.data or "").strip(),
    }
    if kind == PostKind.POST:  # a page's editor has no law, review day or ending
        fields["notes"] = form.notes()
    return fields


def publish_time(form: PostForm, action: str) -> datetime | None:
    if action == "publish":
        return utcnow()
    if action == "schedule":
        return form.publish_at.data.replace(tzinfo=zone()).astimezone(UTC)
    return None


@bp.post("/posts/new", endpoint="post_create")
@bp.post("/posts/<int:post_id>")
def post_save(post_id: int | None = None):
    """Save the editor: as it is, or publishing, scheduling or unpublishing it.
    A save from an older version is refused and her text shown again."""
    post = post_or_404(post_id) if post_id else None
    form = PostForm()
    action = request.form.get("action", "save")
    if action not in ACTIONS:
        abort(400)
    fields = checked_fields(form, post, action)
    if fields is None:
        return editor(form, post, 422)
    started_from = form.started_from()
    if post and request.form.get("take_over", "").isdigit():
        # "Keep mine": she saw the other version's warning; it stays a revision.
        started_from = int(request.form["take_over"])
        keep_as_revision(post, g.admin_user.email)
    try:
        saved = save_post(
            post,
            fields,
            started_from,
            g.admin_user.email,
            body=form.body.data or "",
            status=ACTIONS[action] if post or action != "save" else PostStatus.DRAFT,
            publish_at=publish_time(form, action),
        )
    except StaleSave:
        post = post_or_404(post_id)
        return editor(form, post, 409, stale=True)
    flash(DONE[action].format(when=her_time(saved.publish_at)), "ok")
    return redirect(url_for("admin.post_edit", post_id=saved.id))
