"""Post files: front matter is checked with messages the owner can act on, and
Markdown is rendered and sanitised."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from leadsite import posts
from leadsite.posts import Tag, check_posts, read_post, sanitise

ROOT = Path(__file__).parent.parent

GOOD_FRONT = """title: A good post
slug: a-good-post
published: 2026-05-01
summary: A summary."""


def write(site_dir: Path, name: str, front: str, body: str = "Hello.") -> Path:
    path = site_dir / "posts" / name
    path.write_text(f"---\n{front}\n---\n\n{body}\n", encoding="utf-8")
    return path


def test_reads_front_matter_and_renders_markdown(site_dir):
    post, problems = read_post(site_dir / "posts" / "meeting-notes.md", site_dir)

    assert problems == []
    assert post.title == "Taking notes in an IEP meeting"
    assert post.slug == "meeting-notes"
    assert post.published == date(2026, 3, 2)
    assert post.updated == date(2026, 4, 15)
    assert post.tags == (Tag("IEP meetings", "iep-meetings"), Tag("Records", "records"))
    assert post.draft is False
    assert post.reading_minutes == 1
    # The page title is the only h1, so "# Heading" in a post becomes an h2.
    assert "<h2>Bring a note taker</h2>" in post.html
    assert "<h1" not in post.html
    assert "<strong>who said what</strong>" in post.html


def test_slug_defaults_to_file_name_and_author_to_none(site_dir):
    front = "title: T\npublished: 2026-05-01\nsummary: S"
    path = write(site_dir, "from-the-file-name.md", front)
    post, problems = read_post(path, site_dir)
    assert problems == []
    assert post.slug == "from-the-file-name"
    assert post.author is None


@pytest.mark.parametrize(
    ("raw", "kept", "removed"),
    [
        ('<script>alert("x")</script><p>after</p>', "<p>after</p>", "alert"),
        ("<p onclick=\"alert('x')\">Text</p>", "<p>Text</p>", "onclick"),
        ("<a href=\"javascript:alert('x')\">Link</a>", "<a>Link</a>", "javascript:"),
        (
            '<img src="/media/a.png" onerror="alert(1)" alt="A">',
            'src="/media/a.png"',
            "onerror",
        ),
        ('<img src="https://tracker.example/p.gif" alt="Pixel">', "", "tracker"),
        ('<img src="//tracker.example/p.gif" alt="Pixel">', "", "tracker"),
        ("<h1>Big</h1>", "Big", "<h1"),
        ("<style>body{display:none}</style><p>x</p>", "<p>x</p>", "display"),
        (  # a new tab, as the owner set it, never reaching back to this page
            '<a href="https://example.org/a" target="_blank">Out</a>',
            'target="_blank" rel="noopener noreferrer">Out</a>',
            "<script",
        ),
        (
            '<a href="https://example.org/a" target="top" rel="me opener">Out</a>',
            '<a href="https://example.org/a">Out</a>',
            "target",
        ),
    ],
)
def test_sanitise_keeps_formatting_and_drops_what_is_unsafe(raw, kept, removed):
    clean = sanitise(raw)
    assert kept in clean
    assert removed not in clean


def test_reading_time_counts_words(site_dir):
    path = write(site_dir, "long.md", GOOD_FRONT, body="word " * 1000)
    post, _ = read_post(path, site_dir)
    assert post.reading_minutes == 5


@pytest.mark.parametrize(
    ("front", "key", "expected"),
    [
        (GOOD_FRONT.replace("title: A good post\n", ""), "title", "is missing; add it"),
        (
            GOOD_FRONT.replace("summary: A summary.", "summary: ''"),
            "summary",
            "at least 1 character",
        ),
        (
            GOOD_FRONT.replace("2026-05-01", "next week"),
            "published",
            "should be a date written year-month-day, e.g. 2026-05-01",
        ),
        (
            GOOD_FRONT.replace("2026-05-01", "2026"),
            "published",
            "should be a date written year-month-day",
        ),
        (
            GOOD_FRONT + "\nupdated: 2026-04-01",
            "updated",
            "should be on or after the published date",
        ),
        (GOOD_FRONT + "\ntags: IEP", "tags", "should be a list"),
        (GOOD_FRONT + "\ntags: ['!!!']", "tags", "at least one letter or digit"),
        (GOOD_FRONT + "\ntitel: Typo", "titel", "is not a known key"),
        (
            GOOD_FRONT.replace("a-good-post", "A Good Post"),
            "slug",
            "lowercase words joined by hyphens",
        ),
        (GOOD_FRONT + "\ndraft: maybe", "draft", "should be true or false"),
        (GOOD_FRONT + "\ncover: {src: /media/a.png}", "cover.alt", "is missing"),
        (
            GOOD_FRONT + "\ncover: {src: 'https://wix.example/a.png', alt: A}",
            "cover.src",
            "should start with /media/",
        ),
        (GOOD_FRONT + "\ncover: a.png", "cover", "should be {src:"),
        ("title: Colons: need quotes\nslug: x", "front matter", "is not valid YAML"),
    ],
)
def test_bad_front_matter_names_file_key_and_expectation(
    site_dir, front, key, expected
):
    path = write(site_dir, "bad.md", front)
    post, problems = read_post(path, site_dir)
    assert post is None
    assert any(
        line.startswith(f"{path}: {key}: ") and expected in line for line in problems
    ), problems


def test_a_file_without_front_matter_is_explained(site_dir):
    path = site_dir / "posts" / "plain.md"
    path.write_text("Just text.\n", encoding="utf-8")
    post, problems = read_post(path, site_dir)
    assert post is None
    assert problems[0].startswith(f"{path}: front matter: is missing")


def test_images_in_the_body_are_checked(site_dir):
    (site_dir / "media" / "a-good-post").mkdir(parents=True)
    (site_dir / "media" / "a-good-post" / "here.png").write_bytes(b"png")
    body = (
        "![A chart](/media/a-good-post/here.png)\n\n"
        "![](/media/a-good-post/here.png)\n\n"
        "![Gone](/media/a-good-post/gone.png)\n\n"
        "![Elsewhere](https://static.wix.example/a.png)\n"
    )
    path = write(site_dir, "images.md", GOOD_FRONT, body)
    post, problems = read_post(path, site_dir)

    assert post is not None  # image problems are reported, the post still shows
    assert problems == [
        f"{path}: body: the image /media/a-good-post/here.png needs a description "
        "between the brackets, e.g. ![A parent reading a binder of school records]",
        f"{path}: body: the image file for /media/a-good-post/gone.png is missing",
        f"{path}: body: the image https://static.wix.example/a.png should be saved in "
        "site/media/ and written as /media/<file>; images from other sites are dropped",
    ]
    assert "static.wix.example" not in post.html


def test_missing_cover_file_is_reported(site_dir):
    path = write(site_dir, "c.md", GOOD_FRONT + "\ncover: {src: /media/c.png, alt: C}")
    _, problems = read_post(path, site_dir)
    assert problems == [f"{path}: cover.src: the file for /media/c.png is missing"]


def test_the_fixture_and_the_real_content_folders_have_no_problems():
    assert check_posts(ROOT / "tests" / "site") == []
    assert check_posts(ROOT / "site") == []


def test_check_posts_finds_duplicate_slugs_and_stray_files(site_dir):
    write(site_dir, "a.md", GOOD_FRONT)
    second = write(site_dir, "b.md", GOOD_FRONT)
    stray = site_dir / "posts" / "notes.txt"
    stray.write_text("x")
    problems = check_posts(site_dir)
    assert (
        f"{second}: slug: a-good-post is already used by a.md; each post needs "
        "its own slug" in problems
    )
    assert f"{stray}: is not a .md file, so it is not published" in problems


def test_drafts_are_left_out_of_everything_public(app, client):
    client.get("/")  # the first request stores the sample posts
    with app.app_context():
        library = posts.library()
        assert "unfinished-draft" in [p.slug for p in library.all_posts()]
        assert "unfinished-draft" not in [p.slug for p in library.published()]
        assert library.get("unfinished-draft") is None
        assert library.tagged("draft-only-tag") == []
        assert [p.slug for p in library.published()] == [
            "meeting-notes",
            "raw-html-post",
        ]


def check_site(app, runner):
    with app.app_context():
        return runner.invoke(args=["check-site"])


def test_check_site_command_reports_bad_posts(app, runner, site_dir):
    path = write(site_dir, "bad.md", GOOD_FRONT.replace("2026-05-01", "May 1st"))
    result = check_site(app, runner)
    assert result.exit_code == 1
    assert (
        f"{path}: published: should be a date written year-month-day, e.g. 2026-05-01"
        in result.output
    )


def test_check_site_command_passes_good_posts(app, runner):
    result = check_site(app, runner)
    assert result.exit_code == 0, result.output
    assert "everything looks right" in result.output


def test_a_file_name_that_cannot_be_a_slug_is_explained(site_dir):
    path = write(site_dir, "My Post.md", "title: T\npublished: 2026-05-01\nsummary: S")
    _, problems = read_post(path, site_dir)
    assert problems == [
        f"{path}: slug (none given, so the file name is used): should be lowercase "
        "words joined by hyphens, e.g. what-to-bring"
    ]
