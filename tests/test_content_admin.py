"""The admin's Posts and Pages without a browser: writing, scheduling in her time
zone, refusing a stale save without losing her text, revisions, deleting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from test_admin_support import signed_in_client
from test_content_support import add_post, stored

from leadsite.extensions import db
from leadsite.models import PostRevision


@pytest.fixture
def admin(app):
    client = signed_in_client(app)
    client.get("/")  # the sample posts are in
    return client


def editor_data(**fields) -> dict:
    return {"title": "A new post", "summary": "S", "body": "Text", **fields}


def test_a_new_post_is_a_draft_until_published(admin, app):
    response = admin.post("/admin/posts/new", data=editor_data(action="save"))
    assert response.status_code == 302
    post = stored(app, "a-new-post")  # the address made from the title
    assert post.status == "draft"
    assert admin.get("/blog/a-new-post").status_code == 404

    page = admin.get(response.headers["Location"]).text
    assert "Draft" in page and "Publish now" in page
    response = admin.post(
        f"/admin/posts/{post.id}",
        data=editor_data(action="publish", version=post.version),
    )
    assert response.status_code == 302
    assert admin.get("/blog/a-new-post").status_code == 200
    assert (
        "Published: visitors can read it now."
        in admin.get(response.headers["Location"]).text
    )


def test_scheduling_uses_her_time_zone(admin, app):
    data = editor_data(action="schedule", publish_at="2027-03-01T09:00")
    response = admin.post("/admin/posts/new", data=data)
    assert response.status_code == 302
    post = stored(app, "a-new-post")
    assert post.status == "scheduled"
    # 9:00 in New York (the default time_zone) is 14:00 UTC in winter.
    assert post.publish_at == datetime(2027, 3, 1, 14, 0, tzinfo=UTC)
    listing = admin.get("/admin/posts").text
    assert "Scheduled</span> for Mar 1, 2027, 9:00 AM EST" in listing
    assert admin.get("/blog/a-new-post").status_code == 404


def test_a_time_in_the_past_cannot_be_scheduled(admin, app):
    data = editor_data(action="schedule", publish_at="2020-01-01T09:00")
    response = admin.post("/admin/posts/new", data=data)
    assert response.status_code == 422
    assert "Please choose a time in the future, or use Publish now." in response.text
    assert stored(app, "a-new-post") is None


def test_the_list_shows_each_status_and_searches(admin, app):
    listing = admin.get("/admin/posts").text
    assert "Taking notes in an IEP meeting" in listing
    assert "An unfinished draft about due process" in listing
    assert 'status-draft">Draft' in listing and 'status-published">Published' in listing
    found = admin.get("/admin/posts?q=who+said+what").text  # words in the text
    assert "Taking notes in an IEP meeting" in found
    assert "A post with raw HTML" not in found
    assert "No post matches “zebra”." in admin.get("/admin/posts?q=zebra").text


def test_a_stale_save_is_refused_and_her_text_kept(admin, app):
    post = stored(app, "meeting-notes")
    opened = post.version
    # Tab one saves first.
    first = editor_data(title=post.title, slug=post.slug, body="Tab one's text")
    admin.post(f"/admin/posts/{post.id}", data={**first, "version": opened})
    # Tab two, opened at the same version, saves later.
    second = editor_data(title=post.title, slug=post.slug, body="Tab two's words")
    response = admin.post(f"/admin/posts/{post.id}", data={**second, "version": opened})
    assert response.status_code == 409
    assert "Not saved: this post was changed somewhere else" in response.text
    assert "Tab two&#39;s words" in response.text  # her text, still on screen
    assert stored(app, "meeting-notes").body == "Tab one's text"

    # She chooses hers: saved, and tab one's text stays among the revisions.
    current = stored(app, "meeting-notes").version
    response = admin.post(
        f"/admin/posts/{post.id}",
        data={**second, "version": opened, "take_over": current},
    )
    assert response.status_code == 302
    assert stored(app, "meeting-notes").body == "Tab two's words"
    with app.app_context():
        bodies = db.session.scalars(
            select(PostRevision.body).where(PostRevision.post_id == post.id)
        ).all()
    assert "Tab one's text" in bodies


def test_autosave_saves_a_draft_and_refuses_a_stale_one(admin, app):
    answer = admin.post("/admin/posts/autosave", data=editor_data(kind="post"))
    assert answer.status_code == 200
    saved = answer.get_json()
    assert saved["saved"] is True and saved["slug"] == "a-new-post"
    url = saved["autosave_url"]
    again = admin.post(url, data=editor_data(body="More", version=saved["version"]))
    assert again.get_json()["version"] == saved["version"] + 1
    stale = admin.post(url, data=editor_data(body="Old tab", version=saved["version"]))
    assert stale.status_code == 409
    assert stale.get_json()["stale"] is True
    assert stored(app, "a-new-post").body == "More"
    with app.app_context():  # autosaves keep no revisions
        assert (
            db.session.scalar(
                select(func.count(PostRevision.id)).where(
                    PostRevision.post_id == saved["id"]
                )
            )
            == 0
        )


def test_a_revision_can_be_compared_and_restored(admin, app):
    post = stored(app, "meeting-notes")
    for body in ["Version one. Same words.", "Version two. Same words."]:
        version = stored(app, "meeting-notes").version
        admin.post(
            f"/admin/posts/{post.id}",
            data=editor_data(
                title=post.title, slug=post.slug, body=body, version=version
            ),
        )
    with app.app_context():
        first = db.session.scalar(
            select(PostRevision).where(PostRevision.body == "Version one. Same words.")
        )
    compare = admin.get(f"/admin/posts/{post.id}/revisions/{first.id}").text
    assert "<del>two</del><ins>one</ins>" in compare
    response = admin.post(
        f"/admin/posts/{post.id}/revisions/{first.id}/restore",
        data={"version": stored(app, "meeting-notes").version},
    )
    assert response.status_code == 302
    assert stored(app, "meeting-notes").body == "Version one. Same words."
    assert "Version one." in admin.get("/blog/meeting-notes").text


def test_delete_asks_first(admin, app):
    post = stored(app, "meeting-notes")
    page = admin.get(f"/admin/posts/{post.id}/delete").text
    assert "It cannot be undone." in page and "Delete for good" in page
    assert stored(app, "meeting-notes") is not None  # asking changes nothing
    response = admin.post(f"/admin/posts/{post.id}/delete")
    assert response.status_code == 302
    assert stored(app, "meeting-notes") is None
    assert admin.get("/blog/meeting-notes").status_code == 404


def test_unpublish_hides_the_post(admin, app):
    post = stored(app, "meeting-notes")
    data = editor_data(title=post.title, slug=post.slug, body=post.body)
    admin.post(
        f"/admin/posts/{post.id}",
        data={**data, "action": "unpublish", "version": post.version},
    )
    assert stored(app, "meeting-notes").status == "draft"
    assert admin.get("/blog/meeting-notes").status_code == 404


@pytest.mark.parametrize("slug", ["contact", "blog", "feed.xml", "free-resource"])
def test_a_page_cannot_take_an_address_the_site_uses(admin, app, slug):
    data = editor_data(title="Contact me", slug=slug, kind="page", action="publish")
    response = admin.post("/admin/posts/new", data=data)
    assert response.status_code == 422
    assert "Use lowercase" in response.text or "already uses" in response.text


def test_preview_is_the_public_page_and_saves_nothing(admin, app):
    data = editor_data(title="Preview me", body="## A part\n\n**Bold** words")
    page = admin.post("/admin/posts/preview", data=data).text
    assert "<h1>Preview me</h1>" in page
    assert "<h2>A part</h2>" in page and "<strong>Bold</strong>" in page
    assert "Share this post" in page  # the post template's own footer
    assert stored(app, "preview-me") is None


def test_editor_loads_its_scripts_and_public_pages_none(admin, app):
    editor = admin.get("/admin/posts/new").text
    assert "/static/vendor/turndown/turndown" in editor
    assert "/static/js/admin/editor" in editor
    assert "/static/js/admin/pictures" in editor
    for url in ["/", "/blog/", "/blog/meeting-notes"]:
        assert "<script src" not in admin.get(url).text, url
    add_post(app, title="About", slug="about", kind="page")
    assert "<script" not in admin.get("/about").text


STORED = "/media/p/7-0123456789ab-1600x1200.webp"


@pytest.mark.parametrize(
    ("action", "extra"),
    [("publish", {}), ("schedule", {"publish_at": "2030-03-01T09:00"})],
)
def test_a_picture_without_a_description_stops_publishing(admin, app, action, extra):
    body = f"Before.\n\n![]({STORED})\n\nAfter, in my own words."
    response = admin.post(
        "/admin/posts/new", data=editor_data(action=action, body=body, **extra)
    )
    assert response.status_code == 422
    page = response.text
    assert f"Please describe the picture {STORED} before publishing" in page
    assert "After, in my own words." in page  # her text is kept
    assert stored(app, "a-new-post") is None

    body = body.replace("![]", "![A form on a desk]")
    response = admin.post(
        "/admin/posts/new", data=editor_data(action=action, body=body, **extra)
    )
    assert response.status_code == 302
    assert stored(app, "a-new-post").status == (
        "published" if action == "publish" else "scheduled"
    )


def test_a_draft_may_keep_an_undescribed_picture(admin, app):
    body = f'<img src="{STORED}">'
    response = admin.post(
        "/admin/posts/new", data=editor_data(action="save", body=body)
    )
    assert response.status_code == 302
    post = stored(app, "a-new-post")
    response = admin.post(
        f"/admin/posts/{post.id}",
        data=editor_data(action="publish", version=post.version, body=body),
    )
    assert response.status_code == 422
    assert STORED in response.text and stored(app, "a-new-post").status == "draft"


def test_an_undescribed_cover_is_named(admin, app):
    data = editor_data(action="publish", cover_src=STORED, cover_alt=" ")
    response = admin.post("/admin/posts/new", data=data)
    assert response.status_code == 422
    assert f"Please describe the cover picture ({STORED})" in response.text


# A post's law, review day and ending, set in the editor.
ABOUT_THE_LAW = {"law": "TX", "reviewed": "2026-05-01", "cta": "contact"}
RESOURCE_BUTTON = "Get the free resource"  # the site's default ending
CONTACT_BUTTON = "Send me a message"


def her_tomorrow(app) -> str:
    with app.app_context():
        zone = app.extensions["site"].settings.site.zone
    return (datetime.now(zone).date() + timedelta(days=1)).isoformat()


def test_the_law_review_day_and_ending_are_set_and_cleared(admin, app):
    data = editor_data(action="publish", **ABOUT_THE_LAW)
    response = admin.post("/admin/posts/new", data=data)
    assert response.status_code == 302
    post = stored(app, "a-new-post")
    assert post.notes == {"reviewed": "2026-05-01", "law": "TX", "cta": "contact"}
    public = admin.get("/blog/a-new-post").text
    assert "Covers: Texas law · Last reviewed May 1, 2026" in public
    assert CONTACT_BUTTON in public and RESOURCE_BUTTON not in public

    editor = admin.get(f"/admin/posts/{post.id}").text  # shows what is stored
    assert '<option selected value="TX">Texas law</option>' in editor
    assert 'value="2026-05-01"' in editor
    assert '<option selected value="contact">' in editor
    with app.app_context():
        revisions = db.session.scalar(
            select(func.count(PostRevision.id)).where(PostRevision.post_id == post.id)
        )

    cleared = editor_data(law="", reviewed="", cta="", version=post.version)
    assert admin.post(f"/admin/posts/{post.id}", data=cleared).status_code == 302
    assert stored(app, "a-new-post").notes == {}
    public = admin.get("/blog/a-new-post").text
    assert "Covers:" not in public and "Last reviewed" not in public
    assert RESOURCE_BUTTON in public and CONTACT_BUTTON not in public
    with app.app_context():  # the save kept a revision, as any save does
        assert (
            db.session.scalar(
                select(func.count(PostRevision.id)).where(
                    PostRevision.post_id == post.id
                )
            )
            == revisions + 1
        )


@pytest.mark.parametrize(
    ("law", "shown"), [("IDEA", "Federal law (IDEA)"), ("DC", "District of Columbia")]
)
def test_each_law_is_named_on_the_post(admin, app, law, shown):
    data = editor_data(action="publish", law=law, cta="waitlist")
    assert admin.post("/admin/posts/new", data=data).status_code == 302
    public = admin.get("/blog/a-new-post").text
    assert f"Covers: {shown}" in public and "Last reviewed" not in public
    assert "Join the state-guide waitlist" in public


def test_a_review_day_to_come_is_refused_and_her_text_kept(admin, app):
    tomorrow = her_tomorrow(app)
    data = editor_data(body="My careful words", law="CA", reviewed=tomorrow)
    response = admin.post("/admin/posts/new", data={**data, "action": "publish"})
    assert response.status_code == 422
    page = response.text
    message = "“Last reviewed” cannot be a day still to come"
    assert f'<li><a href="#reviewed">{message}' in page  # in the summary, linked
    assert 'aria-describedby="reviewed-hint reviewed-error"' in page
    assert 'aria-invalid="true"' in page and f'value="{tomorrow}"' in page
    assert "My careful words" in page and '<option selected value="CA">' in page
    assert stored(app, "a-new-post") is None

    response = admin.post("/admin/posts/new", data={**data, "reviewed": "1 May"})
    assert response.status_code == 422
    assert "Please give the date as year-month-day, e.g. 2026-05-01." in response.text
    assert 'value="1 May"' in response.text

    # A draft's autosave says why it did not save.
    answer = admin.post("/admin/posts/autosave", data=data)
    assert answer.status_code == 422
    assert message in answer.get_json()["message"]
    assert stored(app, "a-new-post") is None


def test_a_sample_stays_a_sample_when_its_law_changes(admin, app):
    post_id = add_post(app, title="Ours", slug="ours", sample=True, law="CA")
    post = stored(app, "ours")
    data = editor_data(title="Ours", slug="ours", law="NY", version=post.version)
    assert admin.post(f"/admin/posts/{post_id}", data=data).status_code == 302
    assert stored(app, "ours").notes == {"sample": True, "law": "NY"}
    assert "Covers: New York law" in admin.get("/blog/ours").text


def test_autosave_and_preview_carry_the_law(admin, app):
    answer = admin.post("/admin/posts/autosave", data=editor_data(**ABOUT_THE_LAW))
    assert answer.status_code == 200
    assert stored(app, "a-new-post").notes == {
        "reviewed": "2026-05-01",
        "law": "TX",
        "cta": "contact",
    }
    preview = admin.post("/admin/posts/preview", data=editor_data(law="OH")).text
    assert "Covers: Ohio law" in preview
    assert RESOURCE_BUTTON in preview and "Last reviewed" not in preview


def test_the_editor_names_the_default_ending_and_pages_have_no_law(admin, app):
    editor = admin.get("/admin/posts/new").text
    assert "<legend>About the law</legend>" in editor
    assert '<label for="law">Law it covers</label>' in editor
    assert '<label for="reviewed">Last reviewed</label>' in editor
    assert 'aria-describedby="reviewed-hint"' in editor
    assert "The site&#39;s default (now: the free resource)" in editor
    assert '<option value="IDEA">Federal law (IDEA)</option>' in editor
    page = admin.get("/admin/posts/new?kind=page").text
    assert "About the law" not in page and 'name="law"' not in page


def test_the_law_set_in_the_editor_is_exported_and_imported(
    admin, app, runner, tmp_path
):
    data = editor_data(title="Exported", action="publish", **ABOUT_THE_LAW)
    assert admin.post("/admin/posts/new", data=data).status_code == 302
    first = tmp_path / "first"
    assert runner.invoke(args=["posts", "export", str(first)]).exit_code == 0
    text = (first / "exported.md").read_text(encoding="utf-8")
    assert "draft: false\nreviewed: '2026-05-01'\nlaw: TX\ncta: contact\n---" in text

    with app.app_context():  # a new, empty database
        db.drop_all()
        db.create_all()
    assert runner.invoke(args=["posts", "import", str(first)]).exit_code == 0
    assert stored(app, "exported").notes == stored_notes(ABOUT_THE_LAW)
    second = tmp_path / "second"
    runner.invoke(args=["posts", "export", str(second)])
    assert (second / "exported.md").read_text(encoding="utf-8") == text


def stored_notes(values: dict) -> dict:
    return {key: values[key] for key in ("reviewed", "law", "cta") if key in values}
