"""Old Wix addresses redirect for good (301) to the same content on this site, on
SQLite and PostgreSQL: the addresses the import recorded are in the database."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from leadsite.extensions import db
from leadsite.models import Post
from leadsite.posts.editing import save_post
from leadsite.wix.posts import ImportOptions
from leadsite.wix.slugs import slugify
from leadsite.wix.store import import_posts


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/post/what-to-bring", "/blog/what-to-bring"),
        ("/single-post/what-to-bring", "/blog/what-to-bring"),
        ("/single-post/2019/05/01/what-to-bring", "/blog/what-to-bring"),
        ("/post/What-To-Bring", "/blog/what-to-bring"),
        ("/blog-feed.xml", "/feed.xml"),
        ("/blog", "/blog/"),
        ("/blog/page/2", "/blog/"),
        ("/blog/categories/IEP%20Meetings", "/blog/tag/iep-meetings"),
        ("/blog/tags/iep-meetings", "/blog/tag/iep-meetings"),
        ("/blog/hashtags/records", "/blog/tag/records"),
        # A topic no published post has: the blog, not a page that is a 404.
        ("/blog/categories/getting-ready", "/blog/"),
        ("/blog/tags/Draft%20only%20tag", "/blog/"),
        ("/blog/tags/%E2%9C%93", "/blog/"),
    ],
)
def test_old_address_moves_permanently(client, old, new):
    response = client.get(old)

    assert response.status_code == 301
    assert response.headers["Location"] == new


def test_query_string_is_kept(client):
    response = client.get("/post/what-to-bring?utm_source=newsletter&utm_medium=email")

    assert response.status_code == 301
    assert response.headers["Location"] == (
        "/blog/what-to-bring?utm_source=newsletter&utm_medium=email"
    )


def test_host_header_is_never_used(app, client):
    app.config["TRUSTED_HOSTS"] = None  # let a forged Host reach the view
    response = client.get("/blog", headers={"Host": "attacker.example"})

    assert response.status_code == 301
    assert response.headers["Location"] == "/blog/"


def test_blog_index_with_slash_is_not_redirected(app, client):
    """`/blog/` belongs to the blog; only `/blog` (no slash) is ours."""
    adapter = app.url_map.bind("site.test")
    endpoint, _ = adapter.match("/blog/")
    assert not endpoint.startswith("redirects.")

    response = client.get("/blog/")

    assert response.status_code == 200


def test_post_without_a_usable_slug_is_not_found(client):
    assert client.get("/post/%E2%9C%93").status_code == 404


def test_old_post_address_reaches_the_imported_post(app, client, tmp_path):
    """The importer and the redirect agree on the slug, so old links land."""
    export = tmp_path / "posts.csv"
    export.write_text(
        "Title,Slug,Published Date,Plain Content,Tags\n"
        "What to bring,What-To-Bring,2024-03-04,Bring last year's IEP.,Getting Ready\n"
    )
    with app.app_context():
        import_posts(export, ImportOptions(skip_images=True))

    post = client.get("/single-post/2024/03/04/What-To-Bring", follow_redirects=True)
    tag = client.get("/blog/categories/Getting%20Ready", follow_redirects=True)

    assert post.status_code == 200
    assert post.request.path == "/blog/what-to-bring"
    assert "Bring last year" in post.get_data(as_text=True)
    assert tag.status_code == 200
    assert tag.request.path == "/blog/tag/getting-ready"
    assert "What to bring" in tag.get_data(as_text=True)


def test_recorded_addresses_follow_the_post(app, client, tmp_path):
    """A Wix address the slug rule cannot find (`-1`, a category's own slug) is
    recorded; it leads to the post in one step even after the post moves."""
    export = tmp_path / "posts.csv"
    export.write_text(
        "Title,Slug,Published Date,Plain Content,Categories,Post Page URL\n"
        "What to bring,what-to-bring,2024-03-04,Bring last year's IEP.,Getting Ready,"
        "https://a.wixsite.com/site/post/what-to-bring-1\n"
    )
    categories = tmp_path / "categories.csv"
    categories.write_text("ID,Label,Slug\nabc,Getting Ready,ready-1\n")
    with app.app_context():
        report = import_posts(export, ImportOptions(categories=categories))
    assert report.redirects == {
        "/blog/categories/ready-1": "/blog/tag/getting-ready",
        "/post/what-to-bring-1": "/blog/what-to-bring",
    }

    for old, new in [
        ("/post/what-to-bring-1?utm_source=x", "/blog/what-to-bring?utm_source=x"),
        ("/blog/what-to-bring-1", "/blog/what-to-bring"),
        ("/blog/categories/ready-1", "/blog/tag/getting-ready"),
    ]:
        response = client.get(old)
        assert (response.status_code, response.headers["Location"]) == (301, new)

    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.slug == "what-to-bring"))
        save_post(post, {"slug": "bring-this"}, post.version, "owner", body=post.body)
    response = client.get("/post/what-to-bring-1")
    assert (response.status_code, response.headers["Location"]) == (
        301,
        "/blog/bring-this",
    )
    assert client.get("/blog/bring-this").status_code == 200


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("What-To-Bring", "what-to-bring"),
        ("Parents' rights: a first look", "parents-rights-a-first-look"),
        ("Café  & IEPs", "cafe-ieps"),
        ("---", ""),
    ],
)
def test_slugify(text, slug):
    assert slugify(text) == slug
