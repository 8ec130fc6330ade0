"""`flask wix import-posts`: Wix's Blog Posts CSV becomes Markdown posts and media.

The CSV is written here in Wix's shape (extra columns included); its rich content is
`fixtures/wix/rich-content.json`, which uses every node type the importer knows plus
one it does not. Pictures come from a local HTTP server; one of them is missing (404).
"""

from __future__ import annotations

import csv
import json
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from leadsite.posts import read_post
from leadsite.wix.csvfile import CSVError, split_list
from leadsite.wix.images import media_id
from leadsite.wix.posts import ImportOptions, import_posts
from leadsite.wix.ricos import Converter

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
  src: /media/what-to-bring/f3a9c1_cover-mv2.png
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

![A parent's binder of school records](/media/what-to-bring/f3a9c1_binder-mv2.png)

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


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def database_url(tmp_path) -> str:
    """Posts touch no database: these tests run once, on SQLite."""
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def image_server():
    """Serves `fixtures/wix/images/` on 127.0.0.1; anything else is a 404."""
    handler = partial(QuietHandler, directory=str(IMAGES))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


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


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_post_becomes_markdown(export, site_dir, image_server):
    report = import_posts(export, ImportOptions(site_dir, image_base_url=image_server))

    assert report.imported == ["what-to-bring", "parents-rights-a-first-look"]
    written = (site_dir / "posts" / "what-to-bring.md").read_text(encoding="utf-8")
    assert written == EXPECTED_WHAT_TO_BRING
    assert report.unknown == {}


def test_plain_content_is_used_without_rich_content(export, site_dir, image_server):
    report = import_posts(export, ImportOptions(site_dir, image_base_url=image_server))

    path = site_dir / "posts" / "parents-rights-a-first-look.md"
    assert path.read_text(encoding="utf-8") == EXPECTED_PARENT_RIGHTS
    assert report.plain_text == ["parents-rights-a-first-look"]


def test_rows_without_title_or_date_are_reported(export, site_dir, image_server):
    report = import_posts(export, ImportOptions(site_dir, image_base_url=image_server))

    assert report.problems == [
        "row 4 (nameless): no title; left out",
        "row 5 (an-idea): no readable Published Date; left out (drafts have none: "
        "publish the post on Wix first, or write it here by hand)",
    ]
    assert not (site_dir / "posts" / "nameless.md").exists()
    assert not (site_dir / "posts" / "an-idea.md").exists()


def test_pictures_are_copied_and_a_missing_one_is_reported(
    export, site_dir, image_server
):
    report = import_posts(export, ImportOptions(site_dir, image_base_url=image_server))

    assert files_under(site_dir / "media" / "what-to-bring") == {
        "f3a9c1_binder-mv2.png": (IMAGES / "f3a9c1_binder~mv2.png").read_bytes(),
        "f3a9c1_cover-mv2.png": (IMAGES / "f3a9c1_cover~mv2.png").read_bytes(),
    }
    assert report.failed_images == [
        (
            "what-to-bring",
            f"{image_server}f3a9c1_gone~mv2.png",
            "the server answered 404 File not found",
        )
    ]
    assert not report.ok


def test_the_blog_accepts_the_imported_posts(export, site_dir, image_server):
    import_posts(export, ImportOptions(site_dir, image_base_url=image_server))

    for path in sorted((site_dir / "posts").glob("*.md")):
        post, problems = read_post(path, site_dir)
        assert post is not None, problems
        assert problems == []
    post, _ = read_post(site_dir / "posts" / "what-to-bring.md", site_dir)
    assert [tag.slug for tag in post.tags] == [
        "iep-meetings",
        "checklists",
        "getting-ready",
    ]
    assert '<a href="/free-resource/first-iep-meeting-checklist">' in post.html


def test_second_run_changes_nothing(export, site_dir, image_server):
    options = ImportOptions(site_dir, image_base_url=image_server)
    import_posts(export, options)
    first = files_under(site_dir)

    again = import_posts(export, options)

    assert files_under(site_dir) == first
    assert again.imported == []
    assert again.skipped == ["what-to-bring", "parents-rights-a-first-look"]
    assert again.downloaded == []


def test_overwrite_writes_the_same_bytes(export, site_dir, image_server):
    import_posts(export, ImportOptions(site_dir, image_base_url=image_server))
    first = files_under(site_dir)
    (site_dir / "posts" / "what-to-bring.md").write_text("edited by hand")

    report = import_posts(
        export, ImportOptions(site_dir, overwrite=True, image_base_url=image_server)
    )

    assert files_under(site_dir) == first
    assert report.imported == ["what-to-bring", "parents-rights-a-first-look"]
    assert report.downloaded == [
        "media/what-to-bring/f3a9c1_cover-mv2.png",
        "media/what-to-bring/f3a9c1_binder-mv2.png",
    ]


def test_skip_images_keeps_wix_addresses_out(export, site_dir, image_server):
    report = import_posts(
        export, ImportOptions(site_dir, skip_images=True, image_base_url=image_server)
    )

    written = (site_dir / "posts" / "what-to-bring.md").read_text(encoding="utf-8")
    assert "![" not in written
    assert "cover:" not in written
    assert "wix" not in written.lower()
    assert not (site_dir / "media" / "what-to-bring").exists()
    assert report.left_out == [
        ("what-to-bring", f"{image_server}f3a9c1_cover~mv2.png"),
        ("what-to-bring", f"{image_server}f3a9c1_binder~mv2.png"),
        ("what-to-bring", f"{image_server}f3a9c1_gone~mv2.png"),
    ]


def test_columns_in_any_order_and_case(tmp_path, site_dir):
    row = {
        "post page url": "https://alexandra.wixsite.com/site/post/Second-Opinion",
        "PUBLISHED DATE": "03/15/2024",
        "title": "A second opinion",
        "plain content": "Short and sweet.",
        "Word Count": "3",
    }
    export = write_csv(tmp_path / "posts.csv", [row], columns=list(row))

    report = import_posts(export, ImportOptions(site_dir))

    assert report.imported == ["second-opinion"]
    assert (site_dir / "posts" / "second-opinion.md").read_text() == (
        "---\ntitle: A second opinion\nslug: second-opinion\npublished: 2024-03-15\n"
        "summary: Short and sweet.\ntags: []\ndraft: false\n---\n\nShort and sweet.\n"
    )


def test_unreadable_rich_content_falls_back_to_plain_text(tmp_path, site_dir):
    row = {**PARENT_RIGHTS, "Rich Content": '{"nodes": ["not a node", 3]}'}
    export = write_csv(tmp_path / "posts.csv", [row])

    report = import_posts(export, ImportOptions(site_dir))

    path = site_dir / "posts" / "parents-rights-a-first-look.md"
    assert path.read_text(encoding="utf-8") == EXPECTED_PARENT_RIGHTS
    assert report.plain_text == ["parents-rights-a-first-look"]


def test_picture_without_description_is_reported(tmp_path, site_dir, image_server):
    picture = {"type": "IMAGE", "imageData": {"image": {"src": {"id": IMAGE_ID}}}}
    row = {
        "Title": "Pictures",
        "Published Date": "2024-01-01",
        "Rich Content": json.dumps({"nodes": [picture]}),
    }
    export = write_csv(tmp_path / "posts.csv", [row])

    report = import_posts(export, ImportOptions(site_dir, image_base_url=image_server))

    assert report.undescribed == [("pictures", "/media/pictures/f3a9c1_binder-mv2.png")]
    assert (
        (site_dir / "posts" / "pictures.md")
        .read_text()
        .endswith("\n![](/media/pictures/f3a9c1_binder-mv2.png)\n")
    )


def test_a_file_without_a_title_column_is_refused(tmp_path, site_dir):
    export = write_csv(
        tmp_path / "contacts.csv", [{"Email": "a@example.com"}], ["Email"]
    )

    with pytest.raises(CSVError, match="no Title column found.*it has: Email"):
        import_posts(export, ImportOptions(site_dir))


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


def test_command_reports_everything(export, site_dir, image_server, runner):
    result = runner.invoke(
        args=[
            "wix",
            "import-posts",
            str(export),
            "--site-dir",
            str(site_dir),
            "--image-base-url",
            image_server,
        ]
    )

    assert result.exit_code == 1  # a picture failed: the owner should look
    assert result.output == (
        "Imported: 2 post(s). Already there, left as they were: 0.\n"
        "Pictures: 2 copied, 0 already there, 0 left out, 1 failed.\n"
        "Imported:\n"
        "  what-to-bring\n"
        "  parents-rights-a-first-look\n"
        "Pictures copied:\n"
        "  media/what-to-bring/f3a9c1_cover-mv2.png\n"
        "  media/what-to-bring/f3a9c1_binder-mv2.png\n"
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
        "Next: run `flask check-site` to check the imported posts.\n"
    )


def test_command_writes_into_the_site_folder_by_default(app, runner, tmp_path):
    export = write_csv(tmp_path / "posts.csv", [PARENT_RIGHTS])

    result = runner.invoke(args=["wix", "import-posts", str(export), "--skip-images"])

    assert result.exit_code == 0, result.output
    assert (
        Path(app.config["SITE_DIR"]) / "posts" / "parents-rights-a-first-look.md"
    ).exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--image-base-url", "file:///etc/"], "should start with http:// or https://"),
        ([], "no Title column found"),
    ],
)
def test_command_refuses_bad_input(runner, tmp_path, args, message):
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
