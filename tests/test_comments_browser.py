"""Comments in a real browser, CSRF on: a post with comments and the owner's reply,
the form with a mistake, the mailed confirmation, and the owner approving it, with
axe-core checking every page."""

from __future__ import annotations

import pytest
from conftest import assert_accessible
from test_admin_support import make_owner, sign_in_page
from test_comments_support import POST, add_comment, confirm_path

from leadsite.comments import rules
from leadsite.extensions import db
from leadsite.models import Comment

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(mailing_browser_config):
    return mailing_browser_config


def test_comment_confirm_approve_with_no_accessibility_violations(
    app, live_server, page, smtp_server
):
    make_owner(app)
    question = add_comment(
        app, "Can I bring my own\nnote taker?", email="q@example.com"
    )
    with app.app_context():
        rules.reply(db.session.get(Comment, question), "Yes, and tell the team first.")
        db.session.commit()

    page.goto(f"{live_server.url}/blog/{POST}")
    comments = page.get_by_role("region", name="2 comments")
    assert "Author" in comments.locator(".owner-reply").inner_text()
    assert_accessible(page)

    form = page.locator("form", has=page.get_by_label("Your comment"))
    form.get_by_label("Your email address").fill("browser@example.com")
    form.get_by_label("Your comment").fill("Thank you for this.\nIt helped.")
    form.get_by_role("button", name="Send my comment").click()
    assert "Please tell us your name." in page.locator(".form-errors").inner_text()
    assert page.get_by_label("Your comment").input_value() == (
        "Thank you for this.\nIt helped."
    )
    assert_accessible(page)

    page.get_by_label("Your name").fill("Jordan")
    page.get_by_role("button", name="Send my comment").click()
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading.startswith("Almost done")
    assert_accessible(page)

    page.goto(live_server.url + confirm_path(app, smtp_server, "browser@example.com"))
    assert_accessible(page)
    page.get_by_role("button", name="Confirm my comment").click()
    assert "confirmed" in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page)

    sign_in_page(page, f"{live_server.url}/admin/comments")
    assert page.get_by_role("heading", level=1).inner_text() == "Comments"
    assert "browser@example.com" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Approve").click()
    assert "on the post now" in page.get_by_role("status").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Comment counts per post").click()
    assert_accessible(page)
    page.get_by_role("link", name="Back to the comments").click()
    page.get_by_role("link", name="Published (2)").click()
    page.get_by_role("link", name="Reply").first.click()
    assert_accessible(page)

    page.goto(f"{live_server.url}/blog/{POST}")
    comments = page.get_by_role("region", name="3 comments")
    assert "Jordan" in comments.inner_text() and "It helped." in comments.inner_text()
    assert "browser@example.com" not in page.content()
    assert_accessible(page)
