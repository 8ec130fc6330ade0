"""Light pages, cached right: what a visitor's browser downloads, and when it may
reuse a copy.

The budget (every public page under 25 KB over the wire on first load, at most 4
requests, none to another site, no render-blocking script) is checked on the real
content in `site/`: the page as nginx sends it (gzip, level 5, as in
deploy/nginx/leadsite.conf), plus every file it loads at once (stylesheets, icon,
images not marked lazy) as the app serves them to a browser that accepts gzip.

No timing is asserted here; speed is measured by the scripts in bench/.
"""

from __future__ import annotations

import gzip
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import form_on
from PIL import Image
from sqlalchemy import select
from test_content_support import add_post

from leadsite import create_app
from leadsite.assets import build
from leadsite.extensions import db
from leadsite.models import Person, Post
from leadsite.posts.editing import save_post
from leadsite.sharedcache import PUBLIC_CACHE_CONTROL

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "wix" / "images"
BUDGET_BYTES = 25_000
MAX_REQUESTS = 4
NGINX_GZIP_LEVEL = 5
YEAR = 365 * 24 * 3600
# Public pages the sitemap does not list (it lists home, blog, posts, tags and the
# four form pages).
UNLISTED_PAGES = [
    "/about",
    "/privacy",
    "/accessibility",
    "/subscribe",
    "/thanks/subscribe",
    "/thanks/resource",
    "/thanks/waitlist?state=CA",
    "/thanks/contact",
    "/feed.xml",
    "/sitemap.xml",
]
LOADING_LINKS = {"stylesheet", "icon", "preload", "modulepreload", "manifest"}


@pytest.fixture
def app_config(app_config):
    """CSRF on, as in production (the admin's forms use it; public ones need no
    session)."""
    return {**app_config, "WTF_CSRF_ENABLED": True}


@pytest.fixture
def real_site(app, app_config):
    """A browser on the real content in `site/`, with the test's database."""
    real = create_app({**app_config, "SITE_DIR": str(ROOT / "site")})
    yield real.test_client()
    views = real.extensions.get("post_views")
    if views:
        views.flush()  # while the tables still exist
    with real.app_context():
        db.engine.dispose()


class PageLoads(HTMLParser):
    """What a browser fetches as soon as it reads the page, and scripts that would
    hold up its first paint."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.blocking_scripts: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        rel = set((attrs.get("rel") or "").split())
        if tag == "link" and rel & LOADING_LINKS:
            self.loads.append(attrs["href"])
        elif tag in {"img", "iframe", "video", "audio", "embed"} and attrs.get("src"):
            if attrs.get("loading") != "lazy":
                self.loads.append(attrs["src"])
        elif tag == "script":
            if attrs.get("src"):
                self.loads.append(attrs["src"])
            deferred = {"async", "defer"} & set(attrs) or attrs.get("type") == "module"
            data_only = attrs.get("type") == "application/ld+json"
            if not (deferred or data_only):
                self.blocking_scripts.append(attrs.get("src") or "inline script")


class PageImages(HTMLParser):
    """Each image on a page, by its alt text: its attributes."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.images: dict[str, dict] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            attrs = dict(attrs)
            self.images[attrs.get("alt", "")] = attrs


def public_pages(client) -> list[str]:
    """Every page in the sitemap, and the public pages it leaves out."""
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    listed = [urlsplit(loc).path for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap)]
    assert "/" in listed and any(p.startswith("/blog/tag/") for p in listed)
    return listed + UNLISTED_PAGES


def wire_size(client, address: str) -> int:
    """Bytes a browser that accepts gzip receives for a page's file."""
    response = client.get(address, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200, address
    return len(response.data)


def test_every_public_page_is_light_and_loads_only_from_this_site(real_site):
    pages = public_pages(real_site)
    assert any(p.startswith("/blog/") and "/tag/" not in p for p in pages[2:])
    for url in pages:
        response = real_site.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        found = PageLoads(html if response.mimetype == "text/html" else "")
        assert found.blocking_scripts == [], url
        for address in found.loads:
            assert address.startswith("/") and not address.startswith("//"), url
        # A post's 43-byte counting image comes on top of the budget: it is what
        # counts the view when a shared cache served the page.
        loads = [a for a in found.loads if not a.endswith("/seen.gif")]
        assert 1 + len(loads) <= MAX_REQUESTS, (url, found.loads)
        total = len(gzip.compress(response.data, NGINX_GZIP_LEVEL)) + sum(
            wire_size(real_site, address) for address in found.loads
        )
        assert total < BUDGET_BYTES, (url, total)


def test_stylesheet_loads_nothing_more(real_site):
    html = real_site.get("/").get_data(as_text=True)
    (stylesheet,) = [a for a in PageLoads(html).loads if a.endswith(".css")]
    css = real_site.get(stylesheet).get_data(as_text=True)
    assert "@import" not in css
    assert [u for u in re.findall(r"url\(([^)]*)\)", css) if "data:" not in u] == []


def test_every_public_page_answers_a_repeat_visit_with_304(real_site):
    for url in public_pages(real_site):
        first = real_site.get(url)
        etag = first.headers.get("ETag")
        assert etag, url
        assert first.headers["Cache-Control"] == PUBLIC_CACHE_CONTROL, url
        assert "Set-Cookie" not in first.headers, url
        again = real_site.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304, url
        assert again.data == b""
        assert again.headers["ETag"] == etag


def test_a_copy_reused_after_its_form_was_sent_still_works(app, client):
    """A browser may reuse its copy after sending the form (a 304, or going back):
    the same page sends the form again, and both sign-ups are kept."""
    first = client.get("/subscribe")
    hidden = form_on(first.text, {"email": ""})["hidden"]
    sent = client.post("/subscribe", data={**hidden, "email": "once@example.com"})
    assert sent.status_code == 302
    etag = first.headers["ETag"]
    assert client.get("/subscribe", headers={"If-None-Match": etag}).status_code == 304
    again = client.post("/subscribe", data={**hidden, "email": "twice@example.com"})
    assert again.status_code == 302
    with app.app_context():
        emails = set(db.session.scalars(select(Person.email)))
    assert emails == {"once@example.com", "twice@example.com"}


@pytest.mark.parametrize(
    "url",
    ["/", "/blog/meeting-notes", "/contact", "/free-resource", "/thanks/contact"],
)
def test_public_pages_are_the_same_bytes_for_every_visitor(app, url):
    """Whoever asks, from wherever: a shared cache may answer anyone with them."""
    pages = [
        app.test_client().get(url, headers=headers).data
        for headers in (
            {},
            {"Referer": "https://search.example/?q=iep", "User-Agent": "Phone"},
            {"Cookie": "other=1", "Accept-Language": "es"},
        )
    ]
    assert pages[0] == pages[1] == pages[2]


def test_utm_tags_in_the_address_reach_the_form(client):
    html = client.get("/contact?utm_source=news&utm_medium=e%22mail").text
    assert 'name="utm_source" type="hidden" value="news"' in html
    assert "e&#34;mail" in html


def test_mailed_link_pages_and_the_admin_are_never_shared(client):
    for url in ("/admin/", "/confirm/not-a-token", "/blog/meeting-notes/seen.gif"):
        response = client.get(url)
        assert "public" not in response.headers.get("Cache-Control", ""), url


def test_an_edited_post_is_rendered_again_with_a_new_etag(app, client):
    first = client.get("/blog/meeting-notes")
    assert "Taking notes" in first.get_data(as_text=True)
    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.slug == "meeting-notes"))
        title = post.title.replace("Taking notes", "Keeping notes")
        save_post(post, {"title": title}, post.version, "test", body=post.body)
    etag = first.headers["ETag"]
    again = client.get("/blog/meeting-notes", headers={"If-None-Match": etag})
    assert again.status_code == 200 and "Keeping notes in an IEP" in again.text
    assert "Keeping notes" in client.get("/blog/").get_data(as_text=True)


def test_pages_link_static_files_by_hashed_name_kept_a_year_and_gzipped(client):
    html = client.get("/").get_data(as_text=True)
    (href,) = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", href)
    response = client.get(href, headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.data) == (ROOT / "static/css/site.css").read_bytes()
    assert response.cache_control.max_age >= YEAR
    assert "immutable" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    plain = client.get("/static/css/site.css")
    assert plain.status_code == 200
    assert "immutable" not in plain.headers["Cache-Control"]
    assert plain.cache_control.max_age <= 24 * 3600


def test_a_changed_file_gets_a_new_name_and_dotfiles_stay_out(tmp_path):
    source, target = tmp_path / "static", tmp_path / "built"
    (source / "css").mkdir(parents=True)
    stylesheet = source / "css" / "site.css"
    stylesheet.write_text("body { color: #1d2733; }\n" * 40)
    (source / ".env").write_text("SECRET_KEY=do-not-serve")
    first = build(source, target)
    assert list(first) == ["css/site.css"]
    assert (target / (first["css/site.css"] + ".gz")).is_file()

    stylesheet.write_text("body { color: #0a5c66; }\n" * 40)
    second = build(source, target)
    assert second["css/site.css"] != first["css/site.css"]
    # The old name stays, for pages still open in a browser during an update.
    assert (target / first["css/site.css"]).read_text().startswith("body { color: #1d")
    assert not any(".env" in path.name for path in target.rglob("*"))


def test_a_built_file_is_not_compressed_again_at_the_next_start(tmp_path):
    """The hashed copy is written last, so a later start-up skips the file: the
    compressed copy removed here stays removed, as nothing is compressed again."""
    source, target = tmp_path / "static", tmp_path / "built"
    (source / "css").mkdir(parents=True)
    (source / "css" / "site.css").write_text("body { color: #1d2733; }\n" * 40)
    name = build(source, target)["css/site.css"]
    (target / (name + ".gz")).unlink()
    assert build(source, target) == {"css/site.css": name}
    assert (target / name).is_file()
    assert not (target / (name + ".gz")).exists()


def test_post_images_carry_their_size_and_a_version_kept_a_year(app, client, site_dir):
    pictures = site_dir / "media" / "binder"
    pictures.mkdir(parents=True)
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 240"></svg>'
    (pictures / "cover.svg").write_text(svg)
    shutil.copy(FIXTURES / "f3a9c1_binder~mv2.png", pictures / "tabs.png")
    add_post(
        app,
        title="A binder",
        slug="binder",
        summary="Tabs.",
        cover={"src": "/media/binder/cover.svg", "alt": "A binder with tabs"},
        body="![Coloured tabs](/media/binder/tabs.png)",
    )
    html = client.get("/blog/binder").get_data(as_text=True)
    images = PageImages(html).images
    cover = images["A binder with tabs"]
    assert (cover["width"], cover["height"]) == ("640", "240")
    assert "loading" not in cover  # above the fold: fetched at once
    width, height = Image.open(pictures / "tabs.png").size
    inline = images["Coloured tabs"]
    assert (inline["width"], inline["height"]) == (str(width), str(height))
    assert inline["loading"] == "lazy"

    for image in (cover, inline):
        path, version = image["src"].split("?v=")
        kept = client.get(image["src"])
        assert kept.cache_control.max_age >= YEAR
        assert "immutable" in kept.headers["Cache-Control"]
        # An address with an old version is still served, but not kept for good.
        old = client.get(f"{path}?v=000000000000")
        assert old.status_code == 200
        assert "immutable" not in old.headers["Cache-Control"]


def test_a_head_request_gets_the_same_page_as_a_get(client):
    """nginx may fill its cache from a HEAD or a GET: both carry the same ETag."""
    for url in ("/blog/meeting-notes", "/subscribe", "/contact?utm_source=news"):
        assert client.head(url).headers["ETag"] == client.get(url).headers["ETag"]
