"""Today's writer of imported posts: Markdown files in `site/posts/`, pictures in
`site/media/<slug>/`, old addresses in `site/redirects.yaml`.

It is the only part of the import that knows where posts live, so moving posts into
the database means replacing this module alone.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from ..posts import POSTS_DIR
from .images import write_atomically
from .posts import ImportedPost, PostReport, render_post

REDIRECTS_FILE = "redirects.yaml"


class FileStore:
    def __init__(self, site_dir: Path, overwrite: bool = False) -> None:
        self.site_dir = site_dir
        self.overwrite = overwrite

    def has(self, slug: str) -> bool:
        return (self.site_dir / POSTS_DIR / f"{slug}.md").exists()

    def write(self, posts: list[ImportedPost], report: PostReport) -> None:
        """Write each post and its pictures, then the old addresses."""
        redirects = dict(report.redirects)
        for post in posts:
            for name, data in post.media.items():
                target = self.site_dir / "media" / post.slug / name
                shown = f"media/{post.slug}/{name}"
                if target.exists() and not self.overwrite:
                    report.kept_images.append(shown)
                    continue
                write_atomically(target, data)
                report.downloaded.append(shown)
            path = self.site_dir / POSTS_DIR / f"{post.slug}.md"
            write_atomically(path, render_post(post.front, post.body).encode("utf-8"))
            report.imported.append(post.slug)
            redirects.update(post.redirects)
        self.add_redirects(redirects)

    def add_redirects(self, redirects: dict[str, str]) -> None:
        """Merge into the redirects file; unchanged entries leave it byte for byte."""
        if not redirects:
            return
        path = self.site_dir / REDIRECTS_FILE
        known = read_redirects(self.site_dir)
        merged = dict(sorted({**known, **redirects}.items()))
        if merged != known or not path.exists():
            text = yaml.safe_dump(merged, allow_unicode=True, default_flow_style=False)
            write_atomically(path, text.encode("utf-8"))


def read_redirects(site_dir: Path) -> dict[str, str]:
    """Old path -> new path, as the import wrote them; {} if none."""
    try:
        data = yaml.safe_load((site_dir / REDIRECTS_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, yaml.YAMLError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(old): str(new) for old, new in data.items()}
