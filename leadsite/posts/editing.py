"""The rules for changing a post from the admin's editor.

- A save names the version it started from; if the post has moved on since (another
  tab saved), the save is refused with `StaleSave` and nothing is overwritten. The
  database checks the version in the UPDATE too, so two saves at the same moment
  cannot both win.
- Every save but an autosave keeps a revision, which can be compared and restored.
- An address is lowercase words joined by hyphens, used by one post only; a page's
  may not be an address the site already answers (/contact, /blog ...).
- Changing the address of a post that is not a draft keeps the old one as a 301 to
  the post (see `SlugRedirect`); an address taken again drops its redirect.
- The editor sets a post's law, review day and ending (`EDITOR_NOTES`); its other
  notes (`sample`) are kept as they are.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from ..extensions import db
from ..models.content import Post, PostKind, PostRevision, PostStatus, SlugRedirect
from ..models.types import utcnow
from ..postnotes import PostNotes

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PAGE_ENDPOINT = "blog.page"
EDITABLE = ("kind", "title", "slug", "summary", "tags", "cover_src", "cover_alt")
EDITOR_NOTES = ("law", "reviewed", "cta")


class StaleSave(Exception):
    """The post changed since the editor opened it; nothing was saved."""


def slug_from_title(title: str) -> str:
    """`Ask for a draft IEP!` -> `ask-for-a-draft-iep`."""
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:80].strip("-")


def slug_problem(slug: str, kind: str, post_id: int | None) -> str | None:
    """Why this address cannot be used for this post, or None."""
    if not SLUG.match(slug):
        return "Use lowercase letters, digits and hyphens, e.g. what-to-bring."
    owner = db.session.scalar(select(Post.id).where(Post.slug == slug))
    if owner is not None and owner != post_id:
        return "Another post or page already has this address."
    if kind == PostKind.PAGE:
        try:
            endpoint, _ = current_app.url_map.bind("site").match(f"/{slug}")
        except HTTPException:
            endpoint = None
        if endpoint not in (None, PAGE_ENDPOINT):
            return f"The site already uses /{slug}; please choose another address."
    return None


def merged_notes(stored: dict | None, edited: dict) -> dict:
    """The stored notes with the editor's `EDITOR_NOTES` put in (an empty one
    removed), in `PostNotes` order as an import writes them; other keys kept."""
    known = set(PostNotes.model_fields)
    stored = stored or {}
    wanted = {k: v for k, v in stored.items() if k in known and k not in edited}
    wanted |= {k: v for k, v in edited.items() if k in EDITOR_NOTES}
    notes = PostNotes.model_validate(wanted).model_dump(
        mode="json", exclude_defaults=True
    )
    return notes | {k: v for k, v in stored.items() if k not in known}


def add_revision(post: Post, actor: str) -> PostRevision:
    revision = PostRevision(
        post_id=post.id,
        version=post.version,
        title=post.title,
        summary=post.summary,
        body=post.body,
        saved_by=actor,
    )
    db.session.add(revision)
    return revision


def keep_as_revision(post: Post, actor: str) -> None:
    """Keep the stored text as a revision unless its version has one already (an
    autosave has none), before another version replaces it."""
    kept = db.session.scalar(
        select(PostRevision.id).where(
            PostRevision.post_id == post.id, PostRevision.version == post.version
        )
    )
    if kept is None:
        add_revision(post, actor)


def keep_old_address(post: Post, new_slug: str) -> None:
    """Before a slug change: the old address leads to the post, the new one is
    nobody's redirect any more."""
    db.session.execute(delete(SlugRedirect).where(SlugRedirect.old_slug == new_slug))
    moved = post.id and post.slug and post.slug != new_slug
    if moved and post.status != PostStatus.DRAFT:
        db.session.add(SlugRedirect(old_slug=post.slug, post_id=post.id))


def save_post(
    post: Post | None,
    fields: dict,
    started_from: int | None,
    actor: str,
    *,
    body: str,
    status: str | None = None,
    publish_at: datetime | None = None,
    autosave: bool = False,
) -> Post:
    """Save the editor's fields (and a status change) and commit; a revision
    unless `autosave`; `fields["notes"]` holds the `EDITOR_NOTES` it sets.
    Raises StaleSave when `started_from` is not the current version."""
    if post is None:
        post = Post(status=PostStatus.DRAFT)  # added once its fields are set
    elif started_from != post.version:
        db.session.rollback()
        raise StaleSave(post.id)
    if "slug" in fields:
        keep_old_address(post, fields["slug"])
    for name in EDITABLE:
        if name in fields:
            setattr(post, name, fields[name])
    if "notes" in fields:
        post.notes = merged_notes(post.notes, fields["notes"])
    post.body = body.replace("\r\n", "\n")
    db.session.add(post)
    if status is not None:
        post.status = status
        if publish_at is not None:
            post.publish_at = publish_at
        elif post.publish_at is None and status != PostStatus.DRAFT:
            post.publish_at = utcnow()
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise StaleSave(post.id) from None
    if not autosave:
        add_revision(post, actor)
    db.session.commit()
    return post


def restore_revision(
    post: Post, revision: PostRevision, started_from: int, actor: str
) -> Post:
    """Put an older revision's title, summary and body back, as a new save."""
    return save_post(
        post,
        {"title": revision.title, "summary": revision.summary},
        started_from,
        actor,
        body=revision.body,
    )


def delete_post(post: Post) -> None:
    """Remove a post with its revisions and old addresses, for good."""
    db.session.delete(post)
    db.session.commit()
