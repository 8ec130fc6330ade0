"""Comments under blog posts, kept on this site: no widget, no other site, and the
commenters' addresses never shown.

- `rules`: what happens when a visitor comments and confirms, and when the owner
  moderates (plain functions the views and tests call).
- `text`: a comment's text as safe HTML (plain text with clickable links).
- `cache`: each post's approved comments, rendered once per change, and
  `comments_version(slug)`.
- `views`: the public pages (blueprint `comments`); the owner's moderation pages
  are in `leadsite.admin.comments`.
"""

from flask import Flask

from . import cache
from .cache import comments_version
from .views import bp


def init_app(app: Flask) -> None:
    """The per-process comment cache, and the public comment pages."""
    cache.init_app(app)
    app.register_blueprint(bp)


__all__ = ["bp", "comments_version", "init_app"]
