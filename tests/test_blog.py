"""The public pages a visitor, a feed reader or a search engine sees."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import select
from test_content_support import add_post

from leadsite import create_app
from leadsite.extensions import db
from leadsite.models import Post
from leadsite.posts import import_folder
from leadsite.posts.editing import save_post

ROOT = Path(__file__).parent.parent
SITE_URL = "http://site.test"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
PAGES = ["/", "/blog/", "/blog/meeting-notes", "/blog/tag/records"]


class Page(HTMLParser):
    """The parts of a page these tests look at."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: dict[str, str] = {}
        self._open: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._open.append(tag)

    def handle_endtag(self, tag):
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data):
        if self._open:
            key = self._open[-1]
            self.text[key] = self.text.get(key, "") + data

    def find(self, tag: str, **attrs) -> list[dict]:
        return [
            a
            for t, a in self.tags
            if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]

    def meta(self, **attrs) -> str | None:
        found = self.find("meta", **attrs)
        return found[0]["content"] if found else None


def get_page(client, url: str, status: int = 200) -> tuple[str, Page]:
    response = client.get(url)
    assert response.status_code == status, url
    html = response.get_data(as_text=True)
    return html, Page(html)


def test_home_introduces_the_owner_and_offers(client):
    html, page = get_page(client, "/")
    assert "Alexandra Charnin" in html and "Compliant Content Co." in html
    assert "I help parents walk into their child&#39;s IEP meetings" in html
    assert page.find("a", href="/blog/meeting-notes")
    assert page.find("a", href="/free-resource", **{"class": "button"})
    assert page.find("a", href="/state-guides", **{"class": "button button-secondary"})
    assert "unfinished draft" not in html.lower()


def test_blog_index_lists_published_posts_newest_first(client):
    html, _ = get_page(client, "/blog/")
    assert html.index("Taking notes in an IEP meeting") < html.index(
        "A post with raw HTML"
    )
    assert "An unfinished draft" not in html


def test_post_page_shows_dates_reading_time_tags_and_share_links(client):
    html, page = get_page(client, "/blog/meeting-notes")
    assert page.text["h1"] == "Taking notes in an IEP meeting"
    assert "By Alexandra Charnin" in html
    assert '<time datetime="2026-03-02">March 2, 2026</time>' in html
    assert 'Updated <time datetime="2026-04-15">April 15, 2026</time>' in html
    assert "1 min read" in html
    assert page.find("a", href="/blog/tag/iep-meetings")
    assert page.find("a", href="/blog/tag/records")
    networks = (
        "https://www.linkedin.com/sharing",
        "https://www.facebook.com/sharer",
        "https://x.com",
        "mailto",
    )
    share = [a["href"] for a in page.find("a") if a["href"].startswith(networks)]
    quoted = "http%3A%2F%2Fsite.test%2Fblog%2Fmeeting-notes"
    assert share == [
        f"https://www.linkedin.com/sharing/share-offsite/?url={quoted}",
        f"https://www.facebook.com/sharer/sharer.php?u={quoted}",
        f"https://x.com/intent/post?url={quoted}"
        "&text=Taking%20notes%20in%20an%20IEP%20meeting",
        "mailto:?subject=Taking%20notes%20in%20an%20IEP%20meeting&body=Why%20a%20"
        "second%20pair%20of%20hands%20for%20notes%20makes%20the%20meeting%20calmer."
        f"%0A%0A{quoted}",
    ]


def test_post_without_update_has_no_updated_date(client):
    html, _ = get_page(client, "/blog/raw-html-post")
    assert "Updated" not in html
    assert "By Alexandra Charnin" in html  # no author in the file: the owner


def test_post_page_has_article_json_ld(client):
    _, page = get_page(client, "/blog/meeting-notes")
    data = json.loads(page.text["script"])
    assert data["@type"] == "Article"
    assert data["headline"] == "Taking notes in an IEP meeting"
    assert data["datePublished"] == "2026-03-02"
    assert data["dateModified"] == "2026-04-15"
    assert data["author"] == {"@type": "Person", "name": "Alexandra Charnin"}
    assert data["mainEntityOfPage"] == f"{SITE_URL}/blog/meeting-notes"


def test_json_ld_cannot_be_broken_out_of(app, client):
    meta = {"title": "</script><script>alert(1)</script>", "slug": "evil"}
    add_post(app, **meta, published="2026-01-01", summary="S")
    html, _ = get_page(client, "/blog/evil")
    assert "<script>alert(1)" not in html
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)" in html


def test_raw_html_in_a_post_is_sanitised(client):
    html, page = get_page(client, "/blog/raw-html-post")
    assert "<em>emphasis</em>" in html
    assert "Paragraph with a handler." in html
    for unsafe in ["from the post", "onclick", "onerror", "javascript:", "tracker"]:
        assert unsafe not in html
    assert len(page.find("script")) == 1  # only the JSON-LD


def test_drafts_are_hidden_everywhere(client):
    assert client.get("/blog/unfinished-draft").status_code == 404
    assert client.get("/blog/tag/draft-only-tag").status_code == 404
    for url in ["/", "/blog/", "/feed.xml", "/sitemap.xml", "/blog/tag/records"]:
        text = client.get(url).get_data(as_text=True)
        assert "unfinished" not in text.lower(), url
        assert "draft-only" not in text, url


def test_tag_page_lists_only_posts_with_that_tag(client):
    html, page = get_page(client, "/blog/tag/iep-meetings")
    assert page.text["h1"] == "Posts about IEP meetings"
    assert "Taking notes in an IEP meeting" in html
    assert "A post with raw HTML" not in html
    assert client.get("/blog/tag/no-such-tag").status_code == 404


def test_an_edited_post_shows_at_once(app, client):
    assert "Taking notes" in client.get("/blog/meeting-notes").get_data(as_text=True)
    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.slug == "meeting-notes"))
        save_post(
            post,
            {"title": "Keeping notes in an IEP meeting"},
            post.version,
            "test",
            body=post.body,
        )
    html = client.get("/blog/meeting-notes").get_data(as_text=True)
    assert "Keeping notes in an IEP meeting" in html
    assert "Taking notes" not in html


def test_feed_is_atom_with_absolute_links_from_site_url(app, client):
    app.config["TRUSTED_HOSTS"] = None  # let a forged Host reach the view
    response = client.get("/feed.xml", base_url="http://attacker.example")
    assert response.mimetype == "application/atom+xml"
    assert b"attacker.example" not in response.data
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == f"{SITE_URL}/feed.xml"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}id").text for e in entries] == [
        f"{SITE_URL}/blog/meeting-notes",
        f"{SITE_URL}/blog/raw-html-post",
    ]
    first = entries[0]
    assert first.find(f"{ATOM}updated").text == "2026-04-15T00:00:00Z"
    content = first.find(f"{ATOM}content")
    assert content.get("type") == "html"
    assert "<strong>who said what</strong>" in content.text  # the full text
    assert f'href="{SITE_URL}/free-resource"' in content.text
    for link in feed.iter(f"{ATOM}link"):
        assert link.get("href").startswith(f"{SITE_URL}/")


def test_sitemap_lists_pages_and_posts_but_not_drafts(app, client):
    app.config["TRUSTED_HOSTS"] = None  # let a forged Host reach the view
    response = client.get("/sitemap.xml", base_url="http://attacker.example")
    assert response.mimetype == "application/xml"
    locs = [e.text for e in ET.fromstring(response.data).iter(f"{SITEMAP}loc")]
    assert f"{SITE_URL}/" in locs
    assert f"{SITE_URL}/blog/meeting-notes" in locs
    assert f"{SITE_URL}/blog/tag/records" in locs
    assert f"{SITE_URL}/blog/unfinished-draft" not in locs
    for page in ("about", "privacy", "accessibility"):  # her pages, from the store
        assert f"{SITE_URL}/{page}" in locs
    assert all(loc.startswith(f"{SITE_URL}/") for loc in locs)


def test_robots_txt_points_to_sitemap_and_keeps_out_of_admin(app, client):
    app.config["TRUSTED_HOSTS"] = None  # let a forged Host reach the view
    text = client.get("/robots.txt", base_url="http://attacker.example").text
    assert text == (
        f"User-agent: *\nDisallow: /admin/\nSitemap: {SITE_URL}/sitemap.xml\n"
    )


def test_missing_page_is_friendly(client):
    html, page = get_page(client, "/no/such/page", status=404)
    assert page.text["h1"] == "Sorry, we can't find that page"
    assert page.find("a", href="/blog/")
    assert page.meta(name="robots") == "noindex"
    assert "Traceback" not in html


def test_server_error_is_friendly(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/broken-for-test")
    def broken():
        raise RuntimeError("secret internal detail")

    response = app.test_client().get("/broken-for-test")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert "secret internal detail" not in html


@pytest.mark.parametrize("url", PAGES)
def test_each_page_has_one_h1_and_its_own_metadata(client, url):
    _, page = get_page(client, url)
    assert len(page.find("h1")) == 1
    title = page.text["title"]
    description = page.meta(name="description")
    assert title and description
    assert page.find("link", rel="canonical")[0]["href"] == SITE_URL + url
    assert page.meta(property="og:url") == SITE_URL + url
    assert page.meta(property="og:title") == title
    assert page.meta(property="og:description") == description
    assert page.meta(property="og:type") in {"website", "article"}


def test_titles_and_descriptions_differ_from_page_to_page(client):
    pages = [get_page(client, url)[1] for url in PAGES]
    assert len({p.text["title"] for p in pages}) == len(PAGES)
    assert len({p.meta(name="description") for p in pages}) == len(PAGES)


def test_canonical_ignores_the_host_header(app, client):
    app.config["TRUSTED_HOSTS"] = None  # let a forged Host reach the view
    response = client.get("/blog/", base_url="http://attacker.example")
    assert b"attacker.example" not in response.data


@pytest.mark.parametrize(
    ("url", "current"),
    [("/blog/", "/blog/"), ("/free-resource", "/free-resource"), ("/", "/")],
)
def test_current_page_is_marked_in_the_header(client, url, current):
    _, page = get_page(client, url)
    marked = [a["href"] for a in page.find("a") if a.get("aria-current") == "page"]
    assert marked == [current]


def test_layout_has_landmarks_skip_link_and_footer_details(client):
    html, page = get_page(client, "/")
    assert page.find("a", href="#main", **{"class": "skip-link"})
    assert page.find("main", id="main")
    assert page.find("nav", **{"aria-label": "Main"})
    assert '<a href="https://social.test/in/alexandra">LinkedIn</a>' in html
    assert "Instagram" not in html  # in the settings, without an address
    assert "Compliant Content Co., PO Box 1, Testtown, ST 00000, USA" in html
    assert page.find("a", href="tel:555-0100")
    assert "Responsible lawyer: Alexandra Charnin, lawyer@site.test" in html
    assert f"© {date.today().year} Compliant Content Co." in html
    for path in ("/about", "/privacy", "/accessibility"):
        assert page.find("a", href=path)


@pytest.mark.parametrize("url", [*PAGES, "/no/such/page"])
def test_pages_load_nothing_from_other_sites(client, url):
    response = client.get(url)
    page = Page(response.get_data(as_text=True))
    loaded = [a.get("src") for t, a in page.tags if t in {"script", "img", "iframe"}]
    loaded += [a["href"] for a in page.find("link") if a.get("rel") != "canonical"]
    for address in filter(None, loaded):
        assert address.startswith("/") and not address.startswith("//"), address


def test_post_page_weighs_under_28_kb(app_config, app, client):
    """HTML + CSS + cover image of the longest sample post, and a fixture post.
    (28 kB since every post ends with the legal notice, author box and a call to
    action, and the footer names the business and the responsible lawyer.)"""
    client.get("/")  # the fixture's samples first, as on a new site
    real_app = create_app({**app_config, "SITE_DIR": str(ROOT / "site")})
    with real_app.app_context():
        import_folder(ROOT / "site" / "posts")
        db.session.commit()
    real = real_app.test_client()
    css = len(client.get("/static/css/site.css").data)
    for web, url in [
        (real, "/blog/what-to-bring-to-an-iep-meeting"),
        (real, "/blog/asking-for-changes-to-a-draft-iep"),
        (client, "/blog/meeting-notes"),
    ]:
        response = web.get(url)
        assert response.status_code == 200
        page = Page(response.get_data(as_text=True))
        images = sum(
            len(web.get(img["src"]).data)
            for img in page.find("img")
            if "cover" in img.get("class", "")
        )
        assert len(response.data) + css + images < 28_000, url


def test_media_files_are_served_with_long_cache(client, site_dir):
    (site_dir / "media" / "a-post").mkdir(parents=True)
    (site_dir / "media" / "a-post" / "photo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"/>'
    )
    response = client.get("/media/a-post/photo.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.cache_control.max_age >= 30 * 24 * 3600
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert client.get("/media/../settings.toml").status_code == 404
    assert client.get("/media/a-post/missing.png").status_code == 404
