"""The one rule for turning a Wix slug, tag or category into one of ours.

The importer and the redirects share it, so an old Wix link lands on the page the
importer wrote. Slugs are lowercase ASCII words joined by single hyphens.
"""

from __future__ import annotations

import re
import unicodedata

APOSTROPHES = re.compile(r"['\u2019]")
NOT_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """`"Parents' Rights & IEPs"` -> `"parents-rights-ieps"`; "" if nothing is left."""
    ascii_text = (
        unicodedata.normalize("NFKD", text or "")
        .encode("ascii", "ignore")
        .decode("ascii")
    )
    ascii_text = APOSTROPHES.sub("", ascii_text.lower())
    return NOT_WORD.sub("-", ascii_text).strip("-")
