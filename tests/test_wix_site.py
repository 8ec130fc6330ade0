"""A whole Wix export imported, then read as visitors read it: the post's page, the
old category addresses and the people, on SQLite and PostgreSQL.

`fixtures/wix/rich-content-full.json` follows Wix's public Ricos schema: nested
(older BULLET_LIST) lists, a picture with a CAPTION node and an older `custom`
source, a gallery, video, audio, file, embed, link preview, HTML and app widgets, a
table, a collapsible list, superscript, subscript, links and emoji.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from test_wix_posts import (  # noqa: F401
    FIXTURES,
    image_server,
    images_in,
    pictures,
    tables,
    write_csv,
)

from leadsite.extensions import db
from leadsite.leads.rules import Source, opt_in
from leadsite.models import (
    OutboxMessage,
    Person,
    Post,
    Purpose,
    SlugRedirect,
    Subscription,
    SubscriptionStatus,
    TopicRedirect,
)

RICH = (FIXTURES / "rich-content-full.json").read_text(encoding="utf-8")
MEMBER = "c5a0f0b1-9d1e-4c2b-8a57-2f6a1d3e4b5c"
CATEGORY_ID = "6249d4f53b0f3780a67181cc"


@pytest.fixture
def exports(tmp_path) -> tuple[Path, Path]:
    posts = write_csv(
        tmp_path / "Posts.csv",
        [
            {
                "Title": "Tus derechos: a parent’s guide 🎒",
                "Rich Content": RICH,
                "Slug": "tus-derechos",
                "Author": MEMBER,
                "Published Date": "2024-05-01T10:00:00Z",
                "Cover Image": "wix:image://v1/f3a9c1_cover~mv2.png/c.png#x",
                "Cover Image Displayed": "true",
                "Main Category": CATEGORY_ID,
                "Categories": f'["{CATEGORY_ID}"]',
                "Tags": "Records",
                "Hashtags": "#iep #parents",
                "Post Page URL": "https://a.wixsite.com/site/post/tus-derechos-1",
            }
        ],
        columns=[
            "Title",
            "Rich Content",
            "Slug",
            "Author",
            "Published Date",
            "Cover Image",
            "Cover Image Displayed",
            "Main Category",
            "Categories",
            "Tags",
            "Hashtags",
            "Post Page URL",
        ],
    )
    categories = write_csv(
        tmp_path / "Categories.csv",
        [
            {
                "ID": CATEGORY_ID,
                "Label": "Getting ready",
                "Slug": "getting-ready-1",
                "Category Page URL": "https://a.wixsite.com/site/blog/categories/"
                "getting-ready-1",
                "Post Count": "1",
            }
        ],
        columns=["ID", "Label", "Slug", "Category Page URL", "Post Count"],
    )
    return posts, categories


def run_import(runner, exports, image_server):  # noqa: F811
    posts, categories = exports
    return runner.invoke(
        args=[
            "wix",
            "import-posts",
            str(posts),
            "--categories",
            str(categories),
            "--author",
            "Alexandra Charnin",
            "--image-base-url",
            image_server,
        ]
    )


def test_imported_post_page_keeps_everything(
    app,
    client,
    runner,
    exports,
    image_server,  # noqa: F811
):
    result = run_import(runner, exports, image_server)
    assert result.exit_code == 0, result.output

    page = client.get("/blog/tus-derechos")
    html = page.get_data(as_text=True)

    assert page.status_code == 200
    assert "By Alexandra Charnin" in html or "Alexandra Charnin" in html
    assert MEMBER not in html
    assert "Tus derechos 🎒 — Señora’s notes" in html
    assert "H<sub>2</sub>O and the 1<sup>st</sup> meeting" in html
    assert '<a href="https://example.org/notice"' in html
    # Nested lists, the older BULLET_LIST included.
    assert "<li>Records\n<ul>\n<li>Report cards\n<ol>\n<li>Term one</li>" in html
    assert "<figcaption>\n<p>Our <strong>binder</strong></p>\n</figcaption>" in html
    assert 'alt="The first page of the plan"' in html
    assert 'alt="Second page"' in html
    for address in (
        "https://www.youtube.com/watch?v=abc123",
        "https://video.example.org/tour.mp4",
        "https://example.org/checklist.pdf",
        "https://social.example.org/p/1",
        "https://www.ed.gov/idea",
        "https://forms.example.org/f/9",
        "https://alexandra.example/book",
    ):
        assert f'href="{address}"' in html
    assert "alert(" not in html and "<iframe" not in html
    assert "<th>Día</th>" in html and "<td>Llamar ☎️</td>" in html
    assert "<details open>\n<summary>What is an IEP?</summary>" in html
    assert "<details>\n<summary>Who comes?</summary>" in html
    # The cover is shown once, described as the body's copy of it was.
    stored = pictures(app)
    cover = stored["f3a9c1_cover-mv2.png"]["url"]
    assert [src for src in images_in(html) if src.startswith("/media/p/")] == [
        cover,
        stored["f3a9c1_binder-mv2.png"]["url"],
        stored["b7e2d0_gallery1-mv2.png"]["url"],
        stored["b7e2d0_gallery2-mv2.png"]["url"],
    ]
    assert html.count(f'src="{cover}"') == 1
    assert images_in(html)[cover]["alt"] == "The cover again"
    # Each picture of the body is served in every size it has.
    first_page = images_in(html)[stored["b7e2d0_gallery1-mv2.png"]["url"]]
    assert first_page["alt"] == "The first page of the plan"
    assert [part.split()[-1] for part in first_page["srcset"].split(", ")] == [
        "480w",
        "600w",
    ]
    assert "/blog/tag/getting-ready" in html and "/blog/tag/iep" in html


def test_page_keeps_link_targets_anchors_and_open_items(
    app,
    client,
    runner,
    exports,
    image_server,  # noqa: F811
):
    run_import(runner, exports, image_server)

    html = client.get("/blog/tus-derechos").get_data(as_text=True)

    assert 'target="_blank" rel="noopener nofollow noreferrer"' in html
    assert '<span id="wix-h-rights"></span>' in html
    assert "<details open>" in html


def test_report_names_the_post_and_where(app, runner, exports, image_server):  # noqa: F811
    output = run_import(runner, exports, image_server).output

    assert "Not converted exactly in tus-derechos:\n" in output
    assert (
        "  after the heading “Tus derechos 🎒 — Señora’s notes”: AUDIO kept as a line "
        "naming it; its file (mp3/a1b2c3_talk.mp3) is on Wix"
    ) in output
    assert "HTML kept as a link to https://forms.example.org/f/9; its HTML code" in (
        output
    )
    assert "  /blog/categories/getting-ready-1 -> /blog/tag/getting-ready\n" in output
    assert "  /post/tus-derechos-1 -> /blog/tus-derechos\n" in output
    assert output.endswith("No mail was sent or queued.\n")


def test_old_addresses_lead_to_live_topic_pages(
    app,
    client,
    runner,
    exports,
    image_server,  # noqa: F811
):
    run_import(runner, exports, image_server)

    for old, new in [
        ("/blog/categories/getting-ready-1", "/blog/tag/getting-ready"),
        ("/blog/hashtags/iep", "/blog/tag/iep"),
        ("/post/tus-derechos-1", "/blog/tus-derechos"),
        ("/blog/categories/never-used", "/blog/"),
    ]:
        response = client.get(old)
        assert (response.status_code, response.headers["Location"]) == (301, new)
    topic = client.get("/blog/categories/getting-ready-1", follow_redirects=True)
    assert topic.status_code == 200
    assert "Tus derechos: a parent’s guide 🎒" in topic.get_data(as_text=True)
    with app.app_context():
        post_id = db.session.scalar(select(Post.id))
        assert [
            (r.old_slug, r.post_id) for r in db.session.scalars(select(SlugRedirect))
        ] == [("tus-derechos-1", post_id)]
        assert [
            (r.old_path, r.tag_slug) for r in db.session.scalars(select(TopicRedirect))
        ] == [("/blog/categories/getting-ready-1", "getting-ready")]
    assert not (Path(app.config["SITE_DIR"]) / "redirects.yaml").exists()


def test_running_the_import_again_changes_nothing(
    app,
    runner,
    exports,
    image_server,  # noqa: F811
):
    run_import(runner, exports, image_server)
    first = tables(app)

    again = run_import(runner, exports, image_server)

    assert again.exit_code == 0
    assert "Already there, left as they were: 1." in again.output
    assert tables(app) == first
    with app.app_context():
        assert db.session.scalar(select(db.func.count(OutboxMessage.id))) == 0


def test_cover_not_displayed_on_wix_is_not_shown(
    app,
    client,
    runner,
    exports,
    image_server,  # noqa: F811
):
    posts, categories = exports
    text = posts.read_text(encoding="utf-8").replace(",true,", ",false,")
    posts.write_text(text, encoding="utf-8")
    run_import(runner, (posts, categories), image_server)

    html = client.get("/blog/tus-derechos").get_data(as_text=True)

    # No cover at the top; the picture stays where the body had it, once.
    assert 'class="cover"' not in html
    assert html.count(f'src="{pictures(app)["f3a9c1_cover-mv2.png"]["url"]}"') == 1


def test_case_variants_of_a_refusal_are_never_subscribed(app, runner, tmp_path):
    contacts = write_csv(
        tmp_path / "contacts.csv",
        [
            {
                "Email": "Pat.Parent@Example.com",
                "Email subscriber status": "Subscribed",
                "Created At (UTC+0)": "2021-02-03 04:05:06",
            },
            {
                "Email": "pat.parent@example.com",
                "Email subscriber status": "Unsubscribed",
                "Created At (UTC+0)": "2021-02-03 04:05:06",
            },
            {
                "Email": "Sam@Example.org",
                "Email subscriber status": "Subscribed",
                "Email Deliverability Status": "Bounced",
                "Created At (UTC+0)": "2022-07-08 09:10:11",
            },
        ],
        columns=[
            "Email",
            "Email subscriber status",
            "Email Deliverability Status",
            "Created At (UTC+0)",
        ],
    )
    for _ in range(2):
        result = runner.invoke(args=["wix", "import-contacts", str(contacts)])
        assert result.exit_code == 0, result.output

    with app.app_context():
        people = db.session.scalars(select(Person).order_by(Person.email)).all()
        assert [(p.email, p.created_at.year) for p in people] == [
            ("Pat.Parent@example.com", 2021),
            ("Sam@example.org", 2022),
        ]
        statuses = db.session.scalars(select(Subscription.status)).all()
        assert statuses == [SubscriptionStatus.UNSUBSCRIBED] * 2

        # A sign-up under another spelling finds the same person, still
        # unsubscribed until the address's owner confirms again.
        subscription = opt_in(
            "PAT.PARENT@example.com", "", Purpose.NEWSLETTER, "", Source(form="t")
        )
        assert subscription.person.email == "Pat.Parent@example.com"
        assert subscription.status == SubscriptionStatus.PENDING
        assert db.session.scalar(select(db.func.count()).select_from(Person)) == 2


def test_fixture_follows_the_schema_types():
    """The fixture uses the node types the issue names."""
    found = set()

    def walk(node):
        found.add(node.get("type"))
        for child in node.get("nodes", []):
            walk(child)

    walk(json.loads(RICH))
    assert {"CAPTION", "GALLERY", "VIDEO", "TABLE", "COLLAPSIBLE_LIST"} <= found
