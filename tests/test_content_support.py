"""Helpers the content tests share: adding posts to the store, reading them back,
and the app settings those tests use."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from leadsite.extensions import db
from leadsite.models import Post
from leadsite.posts import save_imported_post
from leadsite.posts.seed import seed_once


def add_post(app, body: str = "Hello.", **meta) -> int:
    """A post stored as an import would store it (front matter keys); its id."""
    meta = {"published": "2026-01-01", "summary": "A summary.", **meta}
    with app.app_context():
        seed_once()  # the sample posts first, as on any new site
        post = save_imported_post(meta, body)
        db.session.commit()
        return post.id


def stored(app, slug: str) -> Post | None:
    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.slug == slug))
        if post is not None:
            db.session.expunge(post)
        return post


def set_publish_at(app, slug: str, when: datetime, status: str = "scheduled"):
    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.slug == slug))
        post.publish_at, post.status = when, status
        db.session.commit()


def test_add_post_stores_what_it_is_given(app):
    post_id = add_post(app, title="A title", slug="a-title", tags=["One"])
    post = stored(app, "a-title")
    assert post.id == post_id
    assert (post.title, post.tags, post.status) == ("A title", ["One"], "published")
