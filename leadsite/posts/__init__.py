"""Blog posts: Markdown files with YAML front matter in `site/posts/`.

Front matter keys (checked by `PostMeta`): title, slug (defaults to the file name),
author (defaults to the owner), published and updated (dates such as 2026-05-01),
summary, tags (a list), cover ({src, alt}), draft (true hides the post everywhere).

Images, covers and those inside a post alike, live in `site/media/` (the owner's
content folder) and are written as `/media/<path>`, e.g. `/media/my-post/cover.jpg`
for `site/media/my-post/cover.jpg`; the `blog.media` route serves them. An image
from another site is dropped, because no page may load anything from another site.
Pages write each such image with its width and height and its file's version
(`sized_images`), so the page does not jump as it loads and browsers keep the image.

Each post is rendered once and kept in memory; a request only checks each file's
modification time and size, and re-reads a file when either has changed.
"""

from .loader import (
    POSTS_DIR,
    Post,
    PostLibrary,
    check_posts,
    init_app,
    library,
    read_post,
)
from .meta import Cover, PostMeta, Tag, tag_slug
from .render import MEDIA_DIR, sanitise, sized_images, versioned_image

__all__ = [
    "MEDIA_DIR",
    "POSTS_DIR",
    "Cover",
    "Post",
    "PostLibrary",
    "PostMeta",
    "Tag",
    "check_posts",
    "init_app",
    "library",
    "read_post",
    "sanitise",
    "sized_images",
    "tag_slug",
    "versioned_image",
]
