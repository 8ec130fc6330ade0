"""Wix image references, and fetching the pictures the import stores.

Wix names an image by a media id such as `a1b2c3_0f...~mv2.jpg`, written as
`wix:image://v1/<id>/<name>#...`, `https://static.wixstatic.com/media/<id>/...` or
the bare id. Pictures are fetched from a base URL plus that id, so the site never
links to Wix and tests can serve the pictures themselves.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from urllib.parse import quote, urlsplit

WIX_MEDIA_URL = "https://static.wixstatic.com/media/"
TIMEOUT_SECONDS = 20
MAX_BYTES = 25 * 1024 * 1024
MEDIA_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.~-]*$")


class DownloadError(Exception):
    """A picture could not be fetched; the message says why, in a few words."""


def media_id(ref: str) -> str | None:
    """The Wix media id in an image reference, or None if it is not a Wix image."""
    ref = (ref or "").strip()
    if ref.startswith("wix:image://"):
        parts = ref.split("#", 1)[0].split("/")
        candidate = parts[3] if len(parts) > 3 else ""
    elif ref.startswith(("http://", "https://")):
        url = urlsplit(ref)
        if not url.netloc.endswith("wixstatic.com"):
            return None
        segments = url.path.split("/")
        if len(segments) < 3 or segments[1] != "media":
            return None
        candidate = segments[2]
    else:
        candidate = ref
    return candidate if MEDIA_ID.match(candidate) else None


def file_name(media: str) -> str:
    """A plain file name for a media id: `ab_12~mv2.jpg` -> `ab_12-mv2.jpg`."""
    return re.sub(r"[^A-Za-z0-9_.-]", "-", media)


def source_url(base_url: str, media: str) -> str:
    return base_url.rstrip("/") + "/" + quote(media, safe="~")


def fetch(url: str, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """The bytes of an image; raise DownloadError."""
    request = urllib.request.Request(url, headers={"User-Agent": "leadsite-import"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            kind = response.headers.get_content_type()
            data = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"the server answered {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DownloadError(f"could not connect ({reason})") from None
    if not kind.startswith("image/"):
        raise DownloadError(f"not a picture (the server sent {kind})")
    if len(data) > MAX_BYTES:
        raise DownloadError(f"larger than {MAX_BYTES // (1024 * 1024)} MB")
    return data
