"""`flask posts import` and `flask posts export`: Markdown files in and out of the
store, and an export that imports again to the very same files."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from test_content_support import add_post, set_publish_at, stored

from leadsite.extensions import db
from leadsite.models import Post, PostRevision

TESTS = Path(__file__).parent


def files(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md"))}


def test_export_then_import_into_a_new_database_gives_the_same_files(
    app, runner, client, tmp_path, site_dir
):
    (site_dir / "media").mkdir(exist_ok=True)
    (site_dir / "media" / "x.png").write_bytes(b"png")
    client.get("/")  # the sample posts
    add_post(app, title="About", slug="about", kind="page", body="Hello, **you**.")
    add_post(
        app,
        title="At nine",
        slug="at-nine",
        tags=["IEP meetings", "Records"],
        cover={"src": "/media/x.png", "alt": "A binder"},
        updated="2026-02-01",
        author="Guest Writer",
    )
    set_publish_at(app, "at-nine", datetime(2026, 1, 1, 14, 0, tzinfo=UTC))
    first = tmp_path / "first"
    result = runner.invoke(args=["posts", "export", str(first)])
    assert result.exit_code == 0, result.output
    assert "7 posts written" in result.output  # 4 posts, and the 3 starting pages
    exported = files(first)
    assert exported["about.md"] == (
        "---\ntitle: About\nslug: about\nkind: page\npublished: 2026-01-01\n"
        "summary: A summary.\ntags: []\ndraft: false\n---\n\nHello, **you**.\n"
    )
    assert "publish_at: '2026-01-01T14:00:00Z'" in exported["at-nine.md"]
    assert "draft: true" in exported["unfinished-draft.md"]

    with app.app_context():  # a new, empty database
        db.drop_all()
        db.create_all()
    result = runner.invoke(args=["posts", "import", str(first)])
    assert result.exit_code == 0, result.output
    assert "7 posts imported" in result.output
    second = tmp_path / "second"
    runner.invoke(args=["posts", "export", str(second)])
    assert files(second) == exported
    assert stored(app, "about").kind == "page"
    assert stored(app, "at-nine").publish_at == datetime(2026, 1, 1, 14, tzinfo=UTC)


def test_importing_again_updates_by_slug_and_keeps_a_revision(app, runner, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    post = folder / "a.md"
    post.write_text(
        "---\ntitle: One\nslug: one\npublished: 2026-01-01\nsummary: S\n---\n\nFirst\n"
    )
    assert runner.invoke(args=["posts", "import", str(folder)]).exit_code == 0
    post.write_text(post.read_text().replace("First", "Second"))
    assert runner.invoke(args=["posts", "import", str(folder)]).exit_code == 0
    with app.app_context():
        row = db.session.scalar(select(Post).where(Post.slug == "one"))
        assert row.body == "Second"
        bodies = db.session.scalars(
            select(PostRevision.body).order_by(PostRevision.id)
        ).all()
        assert bodies == ["First", "Second"]


def test_a_wrong_file_is_reported_and_the_others_go_in(app, runner, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.md").write_text(
        "---\ntitle: Good\npublished: 2026-01-01\nsummary: S\n---\n\nFine\n"
    )
    bad = folder / "bad.md"
    bad.write_text("---\ntitle: Bad\npublished: next week\nsummary: S\n---\n\nNo\n")
    result = runner.invoke(args=["posts", "import", str(folder)])
    assert result.exit_code == 1
    assert f"{bad}: published: should be a date written year-month-day" in (
        result.output
    )
    assert "1 post imported" in result.output
    assert stored(app, "good").title == "Good"
    assert stored(app, "bad") is None


def test_check_site_reports_a_stored_post_with_an_undescribed_picture(
    app, runner, site_dir
):
    (site_dir / "media").mkdir(exist_ok=True)
    (site_dir / "media" / "here.png").write_bytes(b"png")
    add_post(app, title="Pictures", slug="pictures", body="![](/media/here.png)")
    with app.app_context():
        result = runner.invoke(args=["check-site"])
    assert result.exit_code == 1
    assert "post pictures: body: the image /media/here.png needs a description" in (
        result.output
    )


def test_check_site_accepts_pictures_stored_in_the_database(app, runner, site_dir):
    stored_picture = "/media/p/3-0123456789ab-960x640.webp"
    add_post(
        app,
        title="Stored",
        slug="stored",
        body=f"![A stored picture]({stored_picture})\n\n![Gone](/media/gone.png)",
        cover={"src": stored_picture, "alt": "The cover"},
    )
    with app.app_context():
        result = runner.invoke(args=["check-site"])
    assert "post stored: body: the image file for /media/gone.png is missing" in (
        result.output
    )
    assert stored_picture not in result.output
