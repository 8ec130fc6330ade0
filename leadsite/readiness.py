"""Is the site ready to go public? Warnings `flask check-site` prints in production.

The settings file accepts empty optional items, so a fresh copy starts; before the
site goes public the owner needs her own values, not the examples. Each rule:
- a required item is empty (her photo, a postal address for marketing mail, the
  responsible lawyer and how to reach her, a profile link left without an address);
- a value still looks like an example (an `example` address or domain);
- a sample post (`sample: true`) is still in `site/posts/` (it is hidden there).
"""

from __future__ import annotations

import re
from pathlib import Path

from .content import SiteSettings

REQUIRED = {
    ("owner", "headshot"): "your photo, for the About page and the box under posts",
    ("owner", "headshot_alt"): "a few words saying what your photo shows",
    ("contact", "postal_address"): "a postal address: marketing email must show one",
    ("legal", "responsible_lawyer"): "the lawyer responsible for the site",
    ("legal", "responsible_contact"): "how to reach the responsible lawyer",
}
EXAMPLE = re.compile(r"example|\.test\b|\.invalid\b", re.IGNORECASE)


def example_values(data: object, key: str = "") -> list[str]:
    """The dotted keys of every text that still looks like an example."""
    if isinstance(data, dict):
        return [
            k for name, v in data.items() for k in example_values(v, f"{key}.{name}")
        ]
    if isinstance(data, list):
        return [k for i, v in enumerate(data) for k in example_values(v, f"{key}.{i}")]
    return [key.lstrip(".")] if isinstance(data, str) and EXAMPLE.search(data) else []


def settings_warnings(path: Path, settings: SiteSettings) -> list[str]:
    """Empty required items and example values in `settings.toml`."""
    warnings = []
    for (section, key), what in REQUIRED.items():
        if not getattr(getattr(settings, section), key):
            warnings.append(f"{path}: {section}.{key}: is empty; add {what}")
    for link in settings.social:
        if not link.url:
            warnings.append(
                f"{path}: social ({link.label}): has no address, so it is not shown; "
                "add the address of your profile or remove the block"
            )
    for key in example_values(settings.model_dump(mode="json")):
        warnings.append(f"{path}: {key}: is still an example value; use your own")
    return warnings


def sample_post_warnings(posts: list) -> list[str]:
    """Sample posts still stored: visitors don't see them in production."""
    return [
        f"{post.slug}: is a sample post, hidden on the public site; delete it "
        "(admin, Posts) when your own posts are in"
        for post in posts
        if getattr(post, "sample", False)
    ]
