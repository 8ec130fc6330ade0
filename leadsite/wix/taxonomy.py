"""Categories, tags and authors of Wix's Blog Posts export, by name.

The posts export names categories (and sometimes tags) by Wix id; their labels and
slugs are in Wix's Categories export (columns ID, Label, Slug, ...) and, for tags,
an export of the same shape. `Hashtags` are words. An `Author` that is a Wix member
id stands for the site's owner.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..posts import tag_slug
from .csvfile import Row, read_rows, split_list

WIX_ID = re.compile(
    r"^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{24})$",
    re.IGNORECASE,
)


@dataclass
class Labels:
    """Wix ids (and slugs) of categories or tags, with their labels."""

    by_id: dict[str, str] = field(default_factory=dict)
    old_slugs: dict[str, str] = field(default_factory=dict)  # Wix slug -> label

    @classmethod
    def read(cls, path: Path | None) -> Labels:
        labels = cls()
        if path is None:
            return labels
        for row in read_rows(path, {"Label": ("Label", "Title", "Name")}):
            label = " ".join(row.get("Label", "Title", "Name").split())
            if not label:
                continue
            if wix_id := row.get("ID", "Id", "_id", "Category ID", "Tag ID"):
                labels.by_id[wix_id.lower()] = label
            page = row.get("Category Page URL", "Tag Page URL", "URL").rstrip("/")
            old = row.get("Slug") or page.rsplit("/", 1)[-1]
            labels.old_slugs[old or tag_slug(label)] = label
        return labels

    def names(self, text: str) -> tuple[list[str], list[str]]:
        """The labels for a column's ids or names, and the ids not found."""
        names, missing = [], []
        for item in split_list(text):
            if WIX_ID.match(item):
                if label := self.by_id.get(item.lower()):
                    names.append(label)
                else:
                    missing.append(item)
            else:
                names.append(item)
        return names, missing


def hashtags(text: str) -> list[str]:
    """`["iep", "parents"]`, `#iep #parents` or `iep, parents` -> words."""
    text = (text or "").strip()
    words = split_list(text) if text.startswith("[") else re.split(r"[,\s]+", text)
    return [word.strip().lstrip("#") for word in words if word.strip().lstrip("#")]


def tags_of(row: Row, categories: Labels, tags: Labels) -> tuple[list[str], list[str]]:
    """Tags, hashtags, then categories, by name; two names with one tag page count
    once. Also the Wix ids no export named (reported, not made into tags)."""
    tag_names, missing_tags = tags.names(row.get("Tags"))
    main, missing_main = categories.names(row.get("Main Category"))
    others, missing_others = categories.names(row.get("Categories"))
    names = tag_names + hashtags(row.get("Hashtags")) + main + others
    by_slug: dict[str, str] = {}
    for name in names:
        if (key := tag_slug(name)) and key not in by_slug:
            by_slug[key] = name
    return list(by_slug.values()), sorted(
        set(missing_tags + missing_main + missing_others)
    )


def author_of(row: Row, owner: str | None) -> str | None:
    """The byline: a written name as it is; a member id becomes the owner (the
    name given with --author, else none: the blog then shows the owner)."""
    author = row.get("Author", "Author Name", "Writer")
    if not author or WIX_ID.match(author):
        return owner or None
    return author


def old_topics(kind: str, labels: Labels) -> dict[str, str]:
    """Old `/blog/categories/<slug>` (or tags) addresses and the topic (tag slug)
    each now is."""
    return {
        f"/blog/{kind}/{old}": tag_slug(label)
        for old, label in labels.old_slugs.items()
        if tag_slug(label)
    }
