"""The writer of imported posts: the content store, as if the owner had written them.

- Each post goes in through `leadsite.posts.save_imported_post`, a draft on Wix a
  draft here, and is committed on its own with its pictures: an interrupted import
  keeps the posts it finished, and SQLite's write lock is held only briefly.
- Pictures are stored like uploads (upright, stripped, resized; `leadsite.media`)
  and found again by their digest, so no run stores a picture twice. A picture's
  description in the post becomes the picture's own, unless it has one.
- Old Wix addresses are kept in the database: a post's as a `SlugRedirect` (it
  follows the post when its address changes later), a topic's as a `TopicRedirect`.
- Nothing is mailed: an imported post is never sent to the subscribers.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import select

from ..extensions import db
from ..media.markup import PARSER, walk
from ..media.store import clean_alt, parse_address, picture_url, save_picture_once
from ..models import Picture, Post, SlugRedirect, TopicRedirect
from ..posts import save_imported_post
from .posts import ImportedPost, ImportOptions, PostReport, Reading, read_posts

ACTOR = "Wix import"
SLUG_MAX = 200  # SlugRedirect.old_slug


class DatabaseStore:
    """Posts, pictures and old addresses into the database (see the module)."""

    def __init__(self) -> None:
        self.new_pictures: list[str] = []  # of the post being read
        self.found_pictures: list[str] = []

    def has(self, slug: str) -> bool:
        return db.session.scalar(select(Post.id).where(Post.slug == slug)) is not None

    def keep_picture(self, slug: str, name: str, data: bytes) -> str:
        """Store a fetched picture (or find it stored); its address on the site.
        PictureError when it is not a picture the site takes."""
        picture, new = save_picture_once(data, name)
        (self.new_pictures if new else self.found_pictures).append(f"{slug}: {name}")
        return picture_url(picture)

    def write(self, post: ImportedPost, report: PostReport) -> None:
        """Save one post with its pictures and old address, and commit."""
        try:
            row = save_imported_post(post.front, post.body, ACTOR)
        except ValidationError as exc:
            db.session.rollback()
            self.new_pictures.clear()
            self.found_pictures.clear()
            wrong = "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
            )
            report.problems.append(f"{post.slug}: not imported ({wrong})")
            return
        describe_pictures(post.body)
        if post.old_slug and len(post.old_slug) <= SLUG_MAX:
            keep_old_address(post.old_slug, row.id)
            report.redirects[f"/post/{post.old_slug}"] = f"/blog/{post.slug}"
        db.session.commit()
        report.imported.append(post.slug)
        report.downloaded += self.new_pictures
        report.kept_images += self.found_pictures
        self.new_pictures, self.found_pictures = [], []

    def keep_topics(self, topics: dict[str, str]) -> None:
        """Record where old topic addresses (path -> tag slug) now lead."""
        for old_path, tag_slug in topics.items():
            found = db.session.get(TopicRedirect, old_path)
            if found is None:
                db.session.add(TopicRedirect(old_path=old_path, tag_slug=tag_slug))
            elif found.tag_slug != tag_slug:
                found.tag_slug = tag_slug
        db.session.commit()


def keep_old_address(old_slug: str, post_id: int) -> None:
    """`/post/<old_slug>` (and `/blog/<old_slug>`) lead to the post from now on."""
    found = db.session.get(SlugRedirect, old_slug)
    if found is None:
        db.session.add(SlugRedirect(old_slug=old_slug, post_id=post_id))
    elif found.post_id != post_id:
        found.post_id = post_id


def describe_pictures(body: str) -> None:
    """Give each stored picture in the Markdown its description there, when the
    picture has none yet (the admin's Pictures page shows it)."""
    for token in walk(PARSER.parse(body)):
        parsed = parse_address(token.attrGet("src") or "")
        if token.type != "image" or parsed is None:
            continue
        alt = clean_alt("".join(child.content for child in token.children or []))
        picture = db.session.get(Picture, parsed[0])
        if alt and picture is not None and not picture.alt:
            picture.alt = alt


def import_posts(csv_path: Path, options: ImportOptions) -> PostReport:
    """Read the exports and store each post as it is read."""
    store = DatabaseStore()
    report = PostReport()
    reading = Reading.start(options, report, store)
    store.keep_topics(reading.topics)
    for post in read_posts(csv_path, reading):
        store.write(post, report)
    return report
