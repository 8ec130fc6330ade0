"""`flask wix import-posts`: Wix's Blog Posts CSV becomes stored posts and pictures,
on SQLite and PostgreSQL.

The CSV is written here in Wix's shape (extra columns included); its rich content is
`fixtures/wix/rich-content.json`, which uses every node type the importer knows plus
one it does not. Pictures come from a local HTTP server; one of them is missing (404).
A stored post is compared whole, as `flask posts export` writes it.
"""

from __future__ import annotations

import csv
import io
import json
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image
from serving import serving
from sqlalchemy import func, select

from leadsite.extensions import db
from leadsite.media import picture_url
from leadsite.models import OutboxMessage, Picture, Post, PostRevision, PostStatus
from leadsite.posts import library
from leadsite.posts.files import file_text
from leadsite.wix.csvfile import CSVError, split_list
from leadsite.wix.images import media_id
from leadsite.wix.posts import ImportOptions
from leadsite.wix.ricos import Converter
from leadsite.wix.store import import_posts

FIXTURES = Path(__file__).parent / "fixtures" / "wix"
IMAGES = FIXTURES / "images"
RICH = (FIXTURES / "rich-content.json").read_text()
IMAGE_ID = "f3a9c1_binder~mv2.png"

# The columns of Wix's export, in its order, with some we do not use.
COLUMNS = [
    "Title",
    "Plain Content",
    "Rich Content",
    "Excerpt",
    "Slug",
    "Author",
    "Published Date",
    "Last Published Date",
    "Cover Image",
    "Tags",
    "Categories",
    "Post Page URL",
    "Featured",
    "Pinned",
    "Minutes To Read",
    "Language",
]

WHAT_TO_BRING = {
    "Title": "What to bring to your child's IEP meeting",
    "Plain Content": "Your child's IEP meeting is a team decision...",
    "Rich Content": RICH,
    "Excerpt": "A short list of what to pack, and why each item helps.",
    "Slug": "what-to-bring",
    "Author": "Alexandra Charnin",
    "Published Date": "2024-03-04T15:00:00.000Z",
    "Last Published Date": "2024-03-18T09:30:00.000Z",
    "Cover Image": "wix:image://v1/f3a9c1_cover~mv2.png/cover.png#originWidth=4",
    "Tags": "IEP meetings, Checklists",
    "Categories": '["Getting ready"]',
    "Post Page URL": "https://alexandra.wixsite.com/site/post/what-to-bring",
    "Featured": "true",
    "Minutes To Read": "3",
    "Language": "en",
}
PARENT_RIGHTS = {
    "Title": "Parents' rights: a first look",
    "Plain Content": "Every parent has rights.\n1. Ask for the notice *in writing*.",
    "Published Date": "Jan 9, 2024",
    "Tags": '["Parent rights", "parent-rights"]',
    "Categories": "Getting ready",
    "Post Page URL": "https://alexandra.wixsite.com/site/post/parents-rights-a-first-look",
}
NO_TITLE = {"Title": "", "Slug": "nameless", "Published Date": "2024-01-01"}
NO_DATE = {"Title": "An idea for later", "Slug": "an-idea", "Published Date": ""}

EXPECTED_WHAT_TO_BRING = """\
---
title: What to bring to your child's IEP meeting
slug: what-to-bring
author: Alexandra Charnin
published: 2024-03-04
updated: 2024-03-18
summary: A short list of what to pack, and why each item helps.
tags:
- IEP meetings
- Checklists
- Getting ready
cover:
  src: {cover}
  alt: What to bring to your child's IEP meeting
draft: false
---

Your child's **IEP meeting** is a *team* decision, and you are on the team. \
Read <a href="https://sites.ed.gov/idea/" target="_blank" \
rel="noopener noreferrer">the law **itself**</a>.

## What to bring

- Last year's IEP
- Report cards
  - Notes from teachers

Bring \\*two\\* copies, a \\[pen\\] and\\
a snack. ~~Not the old forms~~.

## Step by step

1. Read the draft
2. Write down your questions

---

<figure>

![A parent's binder of school records]({binder})

<figcaption>

Keep everything in one binder.

</figcaption>
</figure>

| Meeting | When |
| --- | --- |
| Annual review | Once a year |
| Re-evaluation | Every 3 years \\| sooner if asked |

> You know your child best.

```
Dear team,
Please send the draft IEP.
```

[Get the free checklist](/free-resource/first-iep-meeting-checklist)

<details>
<summary>Can I bring a friend?</summary>

Yes, anyone who knows your child.

</details>
"""

EXPECTED_PARENT_RIGHTS = """\
---
title: 'Parents'' rights: a first look'
slug: parents-rights-a-first-look
published: 2024-01-09
summary: Every parent has rights. 1. Ask for the notice *in writing*.
tags:
- Parent rights
- Getting ready
draft: false
---

Every parent has rights.

1\\. Ask for the notice \\*in writing\\*.
"""


TABLES = (
    "posts",
    "post_revisions",
    "pictures",
    "picture_variants",
    "slug_redirects",
    "topic_redirects",
)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def image_server():
    """Serves `fixtures/wix/images/` on 127.0.0.1; anything else is a 404."""
    handler = partial(QuietHandler, directory=str(IMAGES))
    with serving(ThreadingHTTPServer(("127.0.0.1", 0), handler)) as server:
        yield f"http://127.0.0.1:{server.server_port}/"


def write_csv(path: Path, rows: list[dict], columns: list[str] = COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def export(tmp_path) -> Path:
    rows = [WHAT_TO_BRING, PARENT_RIGHTS, NO_TITLE, NO_DATE]
    return write_csv(tmp_path / "Posts.csv", rows)


def run(app, export: Path, **options):
    with app.app_context():
        return import_posts(export, ImportOptions(**options))


def stored_text(app, slug: str) -> str | None:
    """The stored post as one Markdown file, as `flask posts export` writes it."""
    with app.app_context():
        row = db.session.scalar(select(Post).where(Post.slug == slug))
        return file_text(row, library().zone) if row else None


def pictures(app) -> dict[str, dict]:
    """The stored pictures by the name they came with."""
    with app.app_context():
        return {
            p.original_name: {
                "url": picture_url(p),
                "alt": p.alt,
                "size": (p.width, p.height),
                "widths": [v.width for v in p.variants],
            }
            for p in db.session.scalars(select(Picture).order_by(Picture.id))
        }


def tables(app) -> dict[str, list]:
    """Every row of the tables an import writes, whole, bytes and times included."""
    with app.app_context():
        found = {}
        for name in TABLES:
            table = db.metadata.tables[name]
            query = table.select().order_by(*table.primary_key.columns)
            found[name] = [tuple(row) for row in db.session.execute(query)]
        return found


class ImageTags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, dict] = {}

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "img":
            attributes = dict(attrs)
            self.found[attributes.get("src", "")] = attributes


def images_in(html: str) -> dict[str, dict]:
    """Each `<img>` of the page by its address, with its attributes."""
    parser = ImageTags()
    parser.feed(html)
    return parser.found


def expected_what_to_bring(app) -> str:
    stored = pictures(app)
    return EXPECTED_WHAT_TO_BRING.replace(
        "{cover}", stored["f3a9c1_cover-mv2.png"]["url"]
    ).replace("{binder}", stored["f3a9c1_binder-mv2.png"]["url"])


def test_post_is_stored_with_its_pictures(app, export, image_server):
    report = run(app, export, image_base_url=image_server)

    assert report.imported == ["what-to-bring", "parents-rights-a-first-look"]
    assert stored_text(app, "what-to-bring") == expected_what_to_bring(app)
    assert report.unknown == {}


def test_plain_content_is_used_without_rich_content(app, export, image_server):
    report = run(app, export, image_base_url=image_server)

    assert stored_text(app, "parents-rights-a-first-look") == EXPECTED_PARENT_RIGHTS
    assert report.plain_text == ["parents-rights-a-first-look"]


def test_rows_without_title_or_date_are_reported(app, export, image_server):
    report = run(app, export, image_base_url=image_server)

    assert report.problems == [
        "row 4 (nameless): no title; left out",
        "row 5 (an-idea): no readable Published Date; left out (drafts have none: "
        "publish the post on Wix first, or write it here by hand)",
    ]
    assert stored_text(app, "nameless") is None
    assert stored_text(app, "an-idea") is None


def test_pictures_are_stored_resized_and_a_missing_one_is_reported(
    app, export, image_server
):
    report = run(app, export, image_base_url=image_server)

    stored = pictures(app)
    assert {name: (p["size"], p["widths"]) for name, p in stored.items()} == {
        "f3a9c1_cover-mv2.png": ((1200, 700), [480, 960, 1200]),
        "f3a9c1_binder-mv2.png": ((1000, 600), [480, 960, 1000]),
    }
    # The description in the post becomes the picture's own; Wix gave the cover none.
    assert stored["f3a9c1_binder-mv2.png"]["alt"] == (
        "A parent's binder of school records"
    )
    assert stored["f3a9c1_cover-mv2.png"]["alt"] == ""
    assert report.downloaded == [
        "what-to-bring: f3a9c1_cover-mv2.png",
        "what-to-bring: f3a9c1_binder-mv2.png",
    ]
    assert report.failed_images == [
        (
            "what-to-bring",
            f"{image_server}f3a9c1_gone~mv2.png",
            "the server answered 404 File not found",
        )
    ]
    assert not report.ok


def test_the_post_page_shows_the_stored_pictures(app, client, export, image_server):
    run(app, export, image_base_url=image_server)
    binder = pictures(app)["f3a9c1_binder-mv2.png"]["url"]
    base = binder.rsplit("-", 1)[0]

    page = client.get("/blog/what-to-bring")

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert images_in(html)[binder] == {
        "src": binder,
        "alt": "A parent's binder of school records",
        "loading": "lazy",
        "decoding": "async",
        "srcset": f"{base}-480x288.webp 480w, {base}-960x576.webp 960w, "
        f"{base}-1000x600.webp 1000w",
        "sizes": "(min-width: 44rem) 41.5rem, calc(100vw - 2.5rem)",
        "width": "1000",
        "height": "600",
    }
    assert "<figcaption>\n<p>Keep everything in one binder.</p>\n</figcaption>" in html
    assert '<a href="/free-resource/first-iep-meeting-checklist">' in html
    for tag in ("iep-meetings", "checklists", "getting-ready"):
        assert f'href="/blog/tag/{tag}"' in html
    assert "gone" not in html and "wix" not in html.lower()
    variant = client.get(f"{base}-480x288.webp")
    assert (variant.status_code, variant.mimetype) == (200, "image/webp")


def test_a_phone_picture_is_stored_upright_without_its_position(
    app, tmp_path, image_server
):
    picture = {
        "type": "IMAGE",
        "imageData": {
            "image": {"src": {"id": "a1b2c3_phone~mv2.jpg"}},
            "altText": "The school's front door",
        },
    }
    row = {
        "Title": "Phone",
        "Published Date": "2024-01-01",
        "Rich Content": json.dumps({"nodes": [picture]}),
    }
    run(app, write_csv(tmp_path / "posts.csv", [row]), image_base_url=image_server)

    stored = pictures(app)["a1b2c3_phone-mv2.jpg"]
    assert stored["size"] == (480, 640)  # taken sideways, shown upright
    with app.app_context():
        for variant in db.session.scalars(select(Picture)).one().variants:
            image = Image.open(io.BytesIO(variant.data))
            assert image.format == "WEBP"
            assert image.height > image.width
            assert dict(image.getexif()) == {}
            assert "exif" not in image.info and "xmp" not in image.info


def test_second_run_changes_nothing(app, export, image_server):
    run(app, export, image_base_url=image_server)
    first = tables(app)

    again = run(app, export, image_base_url=image_server)

    assert tables(app) == first
    assert again.imported == []
    assert again.skipped == ["what-to-bring", "parents-rights-a-first-look"]
    assert again.downloaded == []


def test_overwrite_puts_the_post_back_and_stores_no_picture_twice(
    app, export, image_server
):
    run(app, export, image_base_url=image_server)
    first = pictures(app)
    with app.app_context():
        row = db.session.scalar(select(Post).where(Post.slug == "what-to-bring"))
        row.body = "edited by hand"
        db.session.commit()

    report = run(app, export, overwrite=True, image_base_url=image_server)

    assert stored_text(app, "what-to-bring") == expected_what_to_bring(app)
    assert pictures(app) == first
    assert report.imported == ["what-to-bring", "parents-rights-a-first-look"]
    assert report.downloaded == []
    assert report.kept_images == [
        "what-to-bring: f3a9c1_cover-mv2.png",
        "what-to-bring: f3a9c1_binder-mv2.png",
    ]
    # Once more: the same words, so no new version and no new revision.
    before = tables(app)
    run(app, export, overwrite=True, image_base_url=image_server)
    assert tables(app) == before
    with app.app_context():
        count = select(func.count(PostRevision.id))
        assert db.session.scalar(count) == 3  # two imports, one put back


def test_skip_images_keeps_wix_addresses_out(app, export, image_server):
    report = run(app, export, skip_images=True, image_base_url=image_server)

    written = stored_text(app, "what-to-bring")
    assert "![" not in written
    assert "cover:" not in written
    assert "wix" not in written.lower()
    assert pictures(app) == {}
    assert report.left_out == [
        ("what-to-bring", f"{image_server}f3a9c1_cover~mv2.png"),
        ("what-to-bring", f"{image_server}f3a9c1_binder~mv2.png"),
        ("what-to-bring", f"{image_server}f3a9c1_gone~mv2.png"),
    ]


def test_drafts_stay_drafts(app, client, tmp_path):
    row = {**PARENT_RIGHTS, "Status": "Unpublished"}
    export = write_csv(tmp_path / "posts.csv", [row], [*COLUMNS, "Status"])

    report = run(app, export)

    assert report.imported == ["parents-rights-a-first-look"]
    with app.app_context():
        assert db.session.scalar(select(Post.status)) == PostStatus.DRAFT
    assert client.get("/blog/parents-rights-a-first-look").status_code == 404
    assert "first look" not in client.get("/blog/").get_data(as_text=True)


def test_columns_in_any_order_and_case(app, tmp_path):
    row = {
        "post page url": "https://alexandra.wixsite.com/site/post/Second-Opinion",
        "PUBLISHED DATE": "03/15/2024",
        "title": "A second opinion",
        "plain content": "Short and sweet.",
        "Word Count": "3",
    }
    export = write_csv(tmp_path / "posts.csv", [row], columns=list(row))

    report = run(app, export)

    assert report.imported == ["second-opinion"]
    assert stored_text(app, "second-opinion") == (
        "---\ntitle: A second opinion\nslug: second-opinion\npublished: 2024-03-15\n"
        "summary: Short and sweet.\ntags: []\ndraft: false\n---\n\nShort and sweet.\n"
    )


def test_unreadable_rich_content_falls_back_to_plain_text(app, tmp_path):
    row = {**PARENT_RIGHTS, "Rich Content": '{"nodes": ["not a node", 3]}'}
    export = write_csv(tmp_path / "posts.csv", [row])

    report = run(app, export)

    assert stored_text(app, "parents-rights-a-first-look") == EXPECTED_PARENT_RIGHTS
    assert report.plain_text == ["parents-rights-a-first-look"]


def test_picture_without_description_is_reported(app, tmp_path, image_server):
    picture = {"type": "IMAGE", "imageData": {"image": {"src": {"id": IMAGE_ID}}}}
    row = {
        "Title": "Pictures",
        "Published Date": "2024-01-01",
        "Rich Content": json.dumps({"nodes": [picture]}),
    }
    export = write_csv(tmp_path / "posts.csv", [row])

    report = run(app, export, image_base_url=image_server)

    url = pictures(app)["f3a9c1_binder-mv2.png"]["url"]
    assert report.undescribed == [("pictures", url)]
    assert stored_text(app, "pictures").endswith(f"\n![]({url})\n")


def test_a_file_without_a_title_column_is_refused(app, tmp_path):
    export = write_csv(
        tmp_path / "contacts.csv", [{"Email": "a@example.com"}], ["Email"]
    )

    with pytest.raises(CSVError, match="no Title column found.*it has: Email"):
        run(app, export)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("IEP meetings, Checklists", ["IEP meetings", "Checklists"]),
        ('["IEP meetings","Checklists"]', ["IEP meetings", "Checklists"]),
        ("[IEP meetings, Checklists]", ["IEP meetings", "Checklists"]),
        ("", []),
        (" , ", []),
    ],
)
def test_tags_and_categories_lists(text, expected):
    assert split_list(text) == expected


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("wix:image://v1/ab12_c~mv2.jpg/My photo.jpg#originWidth=10", "ab12_c~mv2.jpg"),
        ("https://static.wixstatic.com/media/ab12_c~mv2.jpg", "ab12_c~mv2.jpg"),
        (
            "https://static.wixstatic.com/media/ab12_c~mv2.jpg/v1/fill/w_40/a.jpg",
            "ab12_c~mv2.jpg",
        ),
        ("ab12_c~mv2.jpg", "ab12_c~mv2.jpg"),
        ("https://example.com/media/ab12.jpg", None),
        ("../../etc/passwd", None),
        ("", None),
    ],
)
def test_wix_picture_ids(ref, expected):
    assert media_id(ref) == expected


def convert(*nodes: dict) -> str:
    return Converter(lambda ref: None).convert({"nodes": list(nodes)})


def text(words: str, *decorations: str) -> dict:
    return {
        "type": "TEXT",
        "textData": {"text": words, "decorations": [{"type": d} for d in decorations]},
    }


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        (
            {"type": "PARAGRAPH", "nodes": [text("# not a heading")]},
            "\\# not a heading\n",
        ),
        ({"type": "PARAGRAPH", "nodes": [text("bold ", "BOLD")]}, "**bold**\n"),
        (
            {"type": "PARAGRAPH", "nodes": [text("a <b> & snake_case _x_")]},
            "a \\<b> & snake_case \\_x\\_\n",
        ),
        (
            {"type": "HEADING", "headingData": {"level": 4}, "nodes": [text("Four")]},
            "#### Four\n",
        ),
        (
            {"type": "CODE_BLOCK", "nodes": [text("use ``` fences")]},
            "````\nuse ``` fences\n````\n",
        ),
        (
            {
                "type": "ORDERED_LIST",
                "orderedListData": {"start": 3},
                "nodes": [
                    {
                        "type": "LIST_ITEM",
                        "nodes": [{"type": "PARAGRAPH", "nodes": [text("c")]}],
                    }
                ],
            },
            "3. c\n",
        ),
        ({"type": "BUTTON", "buttonData": {"text": "Call me"}}, "Call me\n"),
        ({"type": "IMAGE", "imageData": {"image": {"src": {"id": "x.jpg"}}}}, ""),
        (
            {"type": "VIDEO", "videoData": {}},
            "<figure>\n<p>Video</p>\n<figcaption>Video from the old site"
            "</figcaption>\n</figure>\n",
        ),
    ],
)
def test_ricos_nodes(node, expected):
    assert convert(node) == expected


def test_command_reports_everything(app, export, image_server, runner):
    result = runner.invoke(
        args=["wix", "import-posts", str(export), "--image-base-url", image_server]
    )

    assert result.exit_code == 1  # a picture failed: the owner should look
    assert result.output == (
        "Imported: 2 post(s). Already there, left as they were: 0.\n"
        "Pictures: 2 stored, 0 already there, 0 left out, 1 failed.\n"
        "Imported:\n"
        "  what-to-bring\n"
        "  parents-rights-a-first-look\n"
        "Pictures stored:\n"
        "  what-to-bring: f3a9c1_cover-mv2.png\n"
        "  what-to-bring: f3a9c1_binder-mv2.png\n"
        "Pictures that failed (the posts were imported without them; once they can "
        "be fetched, run again with --overwrite):\n"
        f"  what-to-bring: {image_server}f3a9c1_gone~mv2.png: "
        "the server answered 404 File not found\n"
        "Written from the plain text (Wix gave no usable formatted text):\n"
        "  parents-rights-a-first-look\n"
        "Covers described by the post's title for now; replace cover alt with a few "
        "words on what the picture shows:\n"
        "  what-to-bring\n"
        "Problems (these rows were not imported):\n"
        "  row 4 (nameless): no title; left out\n"
        "  row 5 (an-idea): no readable Published Date; left out (drafts have none: "
        "publish the post on Wix first, or write it here by hand)\n"
        "Next: read the imported posts in the admin's Posts page; `flask check-site` "
        "lists pictures without a description.\n"
        "No mail was sent or queued.\n"
    )


def test_command_stores_the_posts_and_mails_nobody(app, runner, tmp_path):
    export = write_csv(tmp_path / "posts.csv", [PARENT_RIGHTS])

    result = runner.invoke(args=["wix", "import-posts", str(export), "--skip-images"])

    assert result.exit_code == 0, result.output
    assert stored_text(app, "parents-rights-a-first-look") == EXPECTED_PARENT_RIGHTS
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    assert not (Path(app.config["SITE_DIR"]) / "redirects.yaml").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--image-base-url", "file:///etc/"], "should start with http:// or https://"),
        ([], "no Title column found"),
    ],
)
def test_command_refuses_bad_input(app, runner, tmp_path, args, message):
    export = write_csv(
        tmp_path / "contacts.csv", [{"Email": "a@example.com"}], ["Email"]
    )

    result = runner.invoke(args=["wix", "import-posts", str(export), *args])

    assert result.exit_code != 0
    assert message in result.output


def test_rich_content_fixture_uses_every_known_node_type():
    """Keeps the fixture honest: each type the converter knows appears in it."""
    from leadsite.wix.ricos import KNOWN

    found = set()

    def walk(node):
        found.add(node.get("type"))
        for child in node.get("nodes", []):
            walk(child)

    walk(json.loads(RICH))
    walk(json.loads((FIXTURES / "rich-content-full.json").read_text()))
    assert found - {None} >= KNOWN
