"""Mails that look like hers: buttons styled inline (the only CSS Gmail and Outlook
read), "Hello Maria," where a name was given, announcements written in Markdown,
and review pages that show exactly the mail that goes out."""

from __future__ import annotations

import re
from html import unescape

import pytest
from mail_samples import ANNOUNCEMENT, queue_every_kind
from test_admin_support import (
    add_lead,
    make_owner,
    sign_in_page,
    signed_in_client,
)

from leadsite.extensions import db
from leadsite.models import OutboxMessage
from leadsite.outbox import MailKind
from leadsite.outbox.markdown import markdown_html

BUTTON = re.compile(r'<a ([^>]*class="button"[^>]*)>([^<]+)</a>')


@pytest.fixture
def mails(app) -> dict[MailKind, OutboxMessage]:
    with app.app_context():
        ids = queue_every_kind()
        found = {kind: db.session.get(OutboxMessage, ids[kind]) for kind in MailKind}
        db.session.expunge_all()
    return found


@pytest.mark.parametrize(
    ("kind", "label"),
    [
        (MailKind.CONFIRM, "Confirm my address"),
        (MailKind.RESOURCE, "Download the PDF"),
        (MailKind.COMMENT_CONFIRM, "Confirm my comment"),
        (MailKind.STATE_LAUNCH, "Read the California IEP guide"),
    ],
)
def test_buttons_look_like_buttons_without_a_style_sheet(mails, kind, label):
    html = mails[kind].body_html
    [(attributes, text)] = BUTTON.findall(html)
    url = re.search(r'href="([^"]+)"', attributes)[1]
    style = re.search(r'style="([^"]+)"', attributes)[1]
    assert text == label and url.startswith(("http://site.test/", "https://"))
    assert url in mails[kind].body_text  # the text part has the same link
    for rule in ("background-color: #0b5394", "color: #ffffff", "padding: 14px 28px"):
        assert rule in style
    assert "text-decoration: none" in style
    assert re.search(r'<td class="button-cell" bgcolor="#0b5394" style="[^"]*', html)
    # Only the small-screen rule stays in a style block; everything else is inline.
    [block] = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert block.strip().startswith("@media") and ".button" not in block
    assert 'style="' in re.search(r"<p class=\"site-name\"[^>]*>", html)[0]


def test_hello_maria_where_a_name_was_given(mails):
    for kind in (MailKind.WELCOME, MailKind.STATE_LAUNCH):
        assert mails[kind].body_text.startswith("Hello Maria,\n\n")
        assert re.search(r"<p[^>]*>Hello Maria,</p>", mails[kind].body_html)
    # Mail to an address nobody has confirmed repeats nothing a visitor typed.
    for kind in (MailKind.CONFIRM, MailKind.RESOURCE, MailKind.CONTACT_REPLY):
        assert mails[kind].body_text.startswith("Hello,\n\n")
        assert re.search(r"<p[^>]*>Hello,</p>", mails[kind].body_html)


def test_announcement_is_her_markdown_and_nothing_more(mails):
    mail = mails[MailKind.ANNOUNCEMENT]
    # The text part is what she wrote, then the footer with the way out.
    assert mail.body_text.startswith(ANNOUNCEMENT + "\n\n-- \n")
    assert "Alexandra Charnin" not in mail.body_text  # no signature added
    html = mail.body_html
    assert re.search(r"<strong[^>]*>spring workshop</strong>", html)
    assert re.search(r"<li[^>]*>Free for subscribers</li>", html)
    link = "https://www.parent-iep-help-by-compliant-content.example.org/blog/"
    assert re.search(rf'<a href="{re.escape(link)}"[^>]*>{re.escape(link)}</a>', html)
    body = html.split('class="site-name"')[1].split("<hr")[0]
    assert body.count("Hello") == 1 and "Alexandra Charnin" not in body


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
        '<img src="https://tracker.example/p.gif">',
    ],
)
def test_announcement_markdown_is_sanitised(text):
    html = markdown_html(text)
    assert not re.search(r"<script|<img|href=\"javascript", html)


def test_review_shows_exactly_the_mail_that_goes_out(app):
    add_lead(app, "maria@example.com", "newsletter", "", "confirmed", name="Maria")
    client = signed_in_client(app)
    form = client.get("/admin/announce").get_data(as_text=True)
    nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', form)[1]
    data = {"subject": "Workshop news", "body": ANNOUNCEMENT, "nonce": nonce}
    review = client.post("/admin/announce/review", data=data)
    page = review.get_data(as_text=True)
    shown_html = unescape(re.search(r'srcdoc="([^"]*)"', page)[1])
    shown_text = unescape(
        re.search(r'<pre class="mail-text">(.*?)</pre>', page, re.S)[1]
    )
    assert "Exactly as Maria will get it" in page

    client.post("/admin/announce/send", data={**data, "confirmed": "yes"})
    with app.app_context():
        [sent] = db.session.scalars(db.select(OutboxMessage)).all()
    own_link = re.search(r"(https?://[^\s\"]+/unsubscribe/[^\s\"/]+)", sent.body_text)[
        1
    ]
    stand_in = re.search(r"(https?://[^\s\"]+/unsubscribe/[^\s\"/]+)", shown_text)[1]
    assert sent.body_html == shown_html.replace(stand_in, own_link)
    assert sent.body_text == shown_text.replace(stand_in, own_link)

    # The page lets the frame show those styles, and only by their hashes.
    policy = review.headers["Content-Security-Policy"]
    assert "'unsafe-hashes'" in policy and "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy


def test_review_frame_shows_the_styled_mail_in_chromium(app, live_server, page):
    make_owner(app)
    add_lead(app, "ann@example.com", "waitlist", "CA", "confirmed", name="Ann")
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in_page(page, live_server.url + "/admin/sign-in")
    page.goto(live_server.url + "/admin/launch")
    page.get_by_label("State").select_option("CA")
    page.get_by_label("Link to the guide").fill("/guides/ca")
    page.get_by_role("button", name=re.compile("Next")).click()
    frame = page.frame_locator("iframe.mail-preview")
    button = frame.get_by_role("link", name="Read the California IEP guide")
    colour = button.evaluate("a => getComputedStyle(a).backgroundColor")
    assert colour == "rgb(11, 83, 148)"
    assert frame.get_by_text("Hello Ann,").count() == 1
    assert not [e for e in errors if "Content Security Policy" in e], errors
