"""HTML to a tagged PDF with WeasyPrint, which loads Pango: imported only when a
PDF is built, so the site runs (and shows its pages) on a machine without it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
from weasyprint.urls import URLFetcher, URLFetcherResponse

from ..posts.render import MEDIA_DIR


class MediaOnly(URLFetcher):
    """Lets the PDF load images from `site/media/` (and data: URLs) and nothing
    else: no other file on the server and no address on the network is read."""

    def __init__(self, site_dir: Path, site_url: str) -> None:
        super().__init__()
        self.media = (Path(site_dir) / MEDIA_DIR).resolve()
        self.prefix = f"{site_url}/{MEDIA_DIR}/"

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        if url.startswith("data:"):  # the print CSS's own drawings
            return super().fetch(url, headers)
        name = unquote(urlsplit(url).path).removeprefix(f"/{MEDIA_DIR}/")
        path = (self.media / name).resolve()
        inside = url.startswith(self.prefix) and path.is_relative_to(self.media)
        if inside and path.is_file():
            return URLFetcherResponse(url, path.read_bytes())
        raise ValueError(f"the PDF may only show files of site/{MEDIA_DIR}/: {url}")


def tagged_pdf(html: str, site_dir: Path, site_url: str) -> bytes:
    """The document as PDF/UA-1: structure tags in reading order, the language and
    title of the HTML, headings as bookmarks, every font embedded."""
    document = weasyprint.HTML(
        string=html,
        base_url=f"{site_url}/",  # links such as /contact print as full addresses
        url_fetcher=MediaOnly(site_dir, site_url),
    )
    return document.write_pdf(pdf_variant="pdf/ua-1")
