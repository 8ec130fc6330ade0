"""Posts and pages in the database: what visitors see and when, the sample posts
added once, old addresses that lead on, and the rendered HTML kept per version."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import create_engine, func, select, text
from test_content_support import add_post, set_publish_at, stored

from leadsite import create_app
from leadsite.config import normalise_database_url
from leadsite.extensions import db
from leadsite.models import ContentSeed, Post, utcnow
from leadsite.posts import library, save_imported_post
from leadsite.posts.editing import save_post
from leadsite.posts.seed import seed_once


def visible_everywhere(client, slug: str) -> dict[str, bool]:
    """Where a visitor, a feed reader and a search engine meet the post."""
    return {
        "page": client.get(f"/blog/{slug}").status_code == 200,
        "blog": f"/blog/{slug}" in client.get("/blog/").text,
        "home": f"/blog/{slug}" in client.get("/").text,
        "feed": f"/blog/{slug}</id>" in client.get("/feed.xml").text,
        "sitemap": f"/blog/{slug}</loc>" in client.get("/sitemap.xml").text,
    }


def test_a_scheduled_post_appears_when_its_time_comes(app, client):
    add_post(app, title="Coming soon", slug="coming-soon", published="2026-01-01")
    set_publish_at(app, "coming-soon", utcnow() + timedelta(hours=2))
    assert set(visible_everywhere(client, "coming-soon").values()) == {False}

    # Its time comes: no restart, no save; the next request shows it.
    set_publish_at(app, "coming-soon", utcnow() - timedelta(seconds=1))
    assert set(visible_everywhere(client, "coming-soon").values()) == {True}


def test_a_draft_is_nowhere_even_when_its_date_has_passed(app, client):
    add_post(app, title="Draft", slug="a-draft", draft=True, published="2026-01-01")
    assert set(visible_everywhere(client, "a-draft").values()) == {False}


def test_a_page_has_its_own_address_and_stays_out_of_blog_and_feed(app, client):
    add_post(app, title="About Alexandra", slug="about", kind="page", body="I help.")
    response = client.get("/about")
    assert response.status_code == 200
    assert "<h1>About Alexandra</h1>" in response.text
    assert "I help." in response.text
    assert "<script" not in response.text  # public pages stay script-free
    for url in ["/blog/", "/feed.xml", "/sitemap.xml", "/"]:
        assert "About Alexandra" not in client.get(url).text, url
    assert client.get("/blog/about").status_code == 404


def test_changing_a_published_address_keeps_the_old_one_with_a_301(app, client):
    add_post(app, title="Notes", slug="first-name")
    for new in ["second-name", "third-name"]:
        with app.app_context():
            post = db.session.scalar(select(Post).where(Post.title == "Notes"))
            save_post(post, {"slug": new}, post.version, "test", body=post.body)

    for old in ["first-name", "second-name"]:
        response = client.get(f"/blog/{old}?utm_source=mail")
        assert response.status_code == 301
        assert response.headers["Location"] == "/blog/third-name"  # no chain
    assert client.get("/blog/third-name").status_code == 200

    # Another post may take an old address: it is then that post's.
    add_post(app, title="New owner of the name", slug="first-name")
    response = client.get("/blog/first-name")
    assert response.status_code == 200
    assert "New owner of the name" in response.text


def test_a_draft_changing_its_address_leaves_no_redirect(app, client):
    add_post(app, title="Draft", slug="draft-one", draft=True)
    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.slug == "draft-one"))
        save_post(post, {"slug": "draft-two"}, post.version, "test", body="x")
    assert client.get("/blog/draft-one").status_code == 404


def test_samples_go_into_a_new_database_once(app, client):
    client.get("/")
    with app.app_context():
        slugs = set(db.session.scalars(select(Post.slug)))
        # The sample posts, and the starting pages she then makes hers.
        assert slugs == {"meeting-notes", "raw-html-post", "unfinished-draft"} | {
            "about",
            "privacy",
            "accessibility",
        }
        db.session.delete(
            db.session.scalar(select(Post).where(Post.slug == "meeting-notes"))
        )
        db.session.commit()
        assert seed_once() is False  # a deleted sample never comes back
        assert db.session.scalar(select(func.count(Post.id))) == 2 + 3  # and the pages


def test_several_workers_starting_together_add_the_samples_once(app_config):
    """Four apps (as four gunicorn workers) on one new database, first requests
    at the same moment."""
    workers = [create_app(app_config) for _ in range(4)]
    with workers[0].app_context():
        db.drop_all()
        db.create_all()
    start = threading.Barrier(len(workers))
    answers = []

    def first_request(worker):
        client = worker.test_client()
        start.wait()
        answers.append(client.get("/blog/").status_code)

    threads = [threading.Thread(target=first_request, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200] * 4
    with workers[0].app_context():
        assert db.session.scalar(select(func.count(Post.id))) == 3 + 3  # + pages
        assert db.session.scalar(select(func.count()).select_from(ContentSeed)) == 1
    for worker in workers:
        with worker.app_context():
            db.session.remove()
            db.engine.dispose()


def test_an_imported_database_gets_no_samples(app, client):
    with app.app_context():
        save_imported_post(
            {
                "title": "Mine",
                "slug": "mine",
                "published": "2026-01-01",
                "summary": "S",
            },
            "Body",
        )
        db.session.commit()
    client.get("/")
    with app.app_context():
        assert list(db.session.scalars(select(Post.slug))) == ["mine"]


def test_a_page_view_does_not_render_markdown_again(app, client):
    """The rendered post is kept per (id, version): the same object until a save."""
    add_post(app, title="Kept", slug="kept", body="**Once**")
    assert "<strong>Once</strong>" in client.get("/blog/kept").text
    with app.test_request_context():
        first = library().get("kept")
        assert library().get("kept") is first
        assert next(p for p in library().published() if p.slug == "kept") is first
        post = db.session.scalar(select(Post).where(Post.slug == "kept"))
        save_post(post, {}, post.version, "test", body="**Twice**")
        second = library().get("kept")
        assert second is not first
        assert "<strong>Twice</strong>" in second.html
    assert "<strong>Twice</strong>" in client.get("/blog/kept").text


def test_library_lists_drafts_for_the_admin_but_not_for_visitors(app, client):
    add_post(app, title="Hidden", slug="hidden", draft=True)
    with app.app_context():
        assert "hidden" in [p.slug for p in library().all_posts()]
        assert library().get("hidden") is None
    assert stored(app, "hidden").status == "draft"


def test_pages_answer_while_a_form_is_being_saved(app, client, database_url):
    """Page views write nothing and wait for nobody: while another process holds a
    write transaction open (a sign-up being saved; on SQLite, its write lock), the
    post, the blog and the home page still answer."""
    add_post(app, title="Read me", slug="read-me", body="Plain words.")
    assert client.get("/blog/read-me").status_code == 200  # samples seeded first
    other = create_engine(normalise_database_url(database_url))
    try:
        with other.connect() as writer:
            writer.begin()
            writer.execute(
                text("INSERT INTO content_seeds (name, at) VALUES ('held', :at)"),
                {"at": utcnow()},
            )
            page = client.get("/blog/read-me")
            assert page.status_code == 200 and "Plain words." in page.text
            assert "/blog/read-me" in client.get("/blog/").text
            assert client.get("/").status_code == 200
            writer.rollback()
    finally:
        other.dispose()
