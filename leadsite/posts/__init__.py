"""Posts and pages, stored in the database and edited in the admin.

Markdown files with YAML front matter (`site/posts/`) are the import and export
format (`flask posts import DIR`, `flask posts export DIR`); a new database gets
the sample files once (`seed`). Front matter keys (checked by `PostMeta`): title,
slug (defaults to the file name), author, published and updated (dates such as
2026-05-01), summary, tags (a list), cover ({src, alt}), draft, kind (post or
page) and publish_at (an exact time, when not midnight of `published`).

Images, covers and those inside a post alike, live in `site/media/` and are
written as `/media/<path>`; an image from another site is dropped, because no page
may load anything from another site.
"""

from .files import POSTS_DIR, check_posts, read_file, read_post
from .importing import export_folder, import_folder, save_imported_post
from .meta import Cover, PostMeta, Tag, tag_slug
from .render import MEDIA_DIR, sanitise, sized_images, versioned_image
from .store import PostLibrary, init_app, library
from .view import Post, render_body

__all__ = [
    "MEDIA_DIR",
    "POSTS_DIR",
    "Cover",
    "Post",
    "PostLibrary",
    "PostMeta",
    "Tag",
    "check_posts",
    "export_folder",
    "import_folder",
    "init_app",
    "library",
    "read_file",
    "read_post",
    "render_body",
    "sanitise",
    "save_imported_post",
    "sized_images",
    "tag_slug",
    "versioned_image",
]
