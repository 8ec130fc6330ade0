"""The editor in a real browser, CSRF on: sign in, paste formatted text (with a
picture from another site) from a word processor, format with the toolbar, add a
described picture, say which law the post covers, preview, schedule, see the post
appear, email it to confirmed subscribers through a real SMTP server, edit,
restore a revision, change its address and follow the old link; add a link in the
toolbar's dialog; axe-core checks every editor page."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from conftest import LiveServer, assert_accessible
from test_admin_support import add_lead, make_owner, sign_in_page
from test_content_support import set_publish_at, stored
from test_media import encoded, two_colour_image
from test_media_import import other_site

from leadsite.models import utcnow
from leadsite.outbox import deliver_due

pytestmark = pytest.mark.browser

# What Google Docs puts on the clipboard, in short: a heading, bold and italics as
# styled spans inside a not-bold <b>, a link and a bulleted list.
PASTED = (
    '<meta charset="utf-8"><b style="font-weight:normal;" id="docs-internal-guid-1">'
    "<h2>Before the meeting</h2>"
    '<p><span style="font-weight:700">Bring</span> your '
    '<span style="font-style:italic">notes</span> and '
    '<a href="https://example.org/guide">the guide</a>.</p>'
    "<ul><li><p>School records</p></li><li><p>Your questions</p></li></ul></b>"
)
# Every text the status lines announce, kept in `window.announced`: autosave may
# replace "Picture added." within a moment, before a poll of the page sees it.
RECORD_ANNOUNCEMENTS = """() => {
  window.announced = [];
  for (const line of document.querySelectorAll('[role="status"]')) {
    new MutationObserver(() => window.announced.push(line.textContent)).observe(
      line, { childList: true, characterData: true, subtree: true });
  }
}"""


def wait_until_announced(page, text: str) -> None:
    """A status line said `text` (since RECORD_ANNOUNCEMENTS ran on this page)."""
    page.wait_for_function(
        "text => window.announced.some(said => said.includes(text))", arg=text
    )


PASTE = """([html]) => {
    const body = document.querySelector("#body");
    body.focus();
    body.setSelectionRange(body.value.length, body.value.length);
    const data = new DataTransfer();
    data.setData("text/html", html);
    data.setData("text/plain", "plain text only");
    body.dispatchEvent(new ClipboardEvent("paste", {
        clipboardData: data, bubbles: true, cancelable: true}));
}"""


@pytest.fixture(scope="module")
def other_site_url():
    """Another web site, on loopback, whose pictures a paste may point to."""
    with LiveServer(other_site) as server:
        yield server.url


@pytest.fixture
def app_config(mailing_browser_config):
    # The tests' "other site" is on loopback, which the site never fetches from.
    return {**mailing_browser_config, "PICTURE_FETCH_ALLOW_LOOPBACK": True}


def test_write_schedule_publish_email_edit_restore_and_move(
    app, live_server, page, smtp_server, other_site_url, tmp_path
):
    make_owner(app)
    add_lead(app, "ann@example.com", "newsletter", "", "confirmed", name="Ann")
    add_lead(app, "bo@example.com", "newsletter", "", "confirmed")
    add_lead(app, "pending@example.com", "newsletter", "", "pending")
    site = live_server.url
    sign_in_page(page, site + "/admin/posts/new")
    assert page.get_by_role("heading", level=1).inner_text() == "New post"
    page.get_by_role("toolbar", name="Formatting").wait_for()  # the script is on
    assert_accessible(page)
    page.evaluate(RECORD_ANNOUNCEMENTS)

    # The address follows the title; pasted formatting becomes Markdown.
    page.get_by_label("Title", exact=True).fill("Getting ready for the meeting")
    assert (
        page.get_by_label("Address", exact=True).input_value()
        == "getting-ready-for-the-meeting"
    )
    page.get_by_label("Summary").fill("What to bring, and why.")
    # About the law: which law, when she last checked it, how the post ends.
    page.get_by_label("Law it covers").select_option(label="Virginia law")
    page.get_by_label("Last reviewed").fill("2026-05-01")
    page.get_by_label("How the post ends").select_option(
        label="The state-guide waitlist"
    )
    # Google Docs' pictures are on its own servers: pasted, they come here.
    remote = f'<p><img src="{other_site_url}/photo.jpg" alt="A folder of records"></p>'
    page.evaluate(PASTE, [PASTED.replace("</b>", remote + "</b>")])
    wait_until_announced(page, "Pasted picture added.")
    text = page.get_by_label("Text", exact=True).input_value()
    assert "![A folder of records](/media/p/" in text
    assert other_site_url not in text and "uploading" not in text
    assert "## Before the meeting" in text
    assert "**Bring** your _notes_ and [the guide](https://example.org/guide)." in text
    assert "- School records" in text and "- Your questions" in text
    assert "plain text only" not in text

    # The toolbar: select a word, make it bold.
    body = page.get_by_label("Text", exact=True)
    body.evaluate(
        "b => { b.focus(); b.value += '\\n\\nCalm'; b.select(); "
        "b.setSelectionRange(b.value.length - 4, b.value.length); }"
    )
    page.get_by_role("toolbar", name="Formatting").get_by_role(
        "button", name="Bold"
    ).click()
    assert body.input_value().endswith("**Calm**")

    # The Picture button: a file and its description, in a small form in the page.
    photo = tmp_path / "card.png"
    photo.write_bytes(encoded(two_colour_image(800, 600), "PNG"))
    body.press("End")
    page.get_by_role("button", name="Picture").click()
    page.get_by_label("Picture (JPEG, PNG, WebP or HEIC)").set_input_files(photo)
    page.get_by_role("button", name="Add the picture").click()
    assert page.get_by_role("alert").inner_text() == (
        "Please describe the picture for people who cannot see it."
    )
    assert_accessible(page)
    page.get_by_label("Description (alt text)").fill("A red and blue card")
    page.get_by_role("button", name="Add the picture").click()
    wait_until_announced(page, "Picture added.")
    assert page.get_by_role("group", name="Add a picture").is_hidden()
    added = body.input_value()
    assert added.startswith(text.rstrip())  # the pasted text is all still there
    assert "**Calm**\n![A red and blue card](/media/p/" in added

    # Autosave makes it a draft with its own address in the admin.
    page.get_by_role("status").filter(has_text="Draft saved").wait_for()
    assert "/admin/posts/" in page.url and "new" not in page.url
    post = stored(app, "getting-ready-for-the-meeting")
    assert post.status == "draft" and "**Bring**" in post.body
    assert post.notes == {"reviewed": "2026-05-01", "law": "VA", "cta": "waitlist"}

    # The preview is the public page, in a tab of its own.
    with page.context.expect_page() as preview_info:
        page.get_by_role("button", name="Preview").click()
    preview = preview_info.value
    preview.wait_for_load_state()
    assert preview.get_by_role("heading", level=1).inner_text() == (
        "Getting ready for the meeting"
    )
    assert preview.locator(".prose strong").first.inner_text() == "Bring"
    assert preview.get_by_role("link", name="the guide").count() == 1
    card = preview.get_by_role("img", name="A red and blue card")
    assert (card.get_attribute("width"), card.get_attribute("height")) == (
        "800",
        "600",
    )
    assert preview.get_by_role("img", name="A folder of records").count() == 1
    preview.close()

    # Schedule for tomorrow morning: not on the blog yet.
    tomorrow = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT09:00")
    page.get_by_label("Date and time to publish").fill(tomorrow)
    page.get_by_role("button", name="Schedule").click()
    assert "Scheduled for" in page.get_by_role("status").first.inner_text()
    assert_accessible(page)
    page.goto(site + "/blog/")
    assert "Getting ready for the meeting" not in page.locator("main").inner_text()

    # Its time comes: it appears, with no restart.
    set_publish_at(app, post.slug, utcnow() - timedelta(seconds=1))
    page.reload()
    page.get_by_role("link", name="Getting ready for the meeting").click()
    assert page.locator(".prose strong").first.inner_text() == "Bring"
    assert page.locator("script[src]").count() == 0  # public pages: no script
    assert page.locator(".post-notes").inner_text() == (
        "Covers: Virginia law · Last reviewed May 1, 2026"
    )
    assert page.get_by_role("link", name="Join the state-guide waitlist").count() == 1
    card = page.get_by_role("img", name="A red and blue card")
    card.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=card.element_handle()
    )

    # Email it to the two confirmed subscribers; a real SMTP server receives it.
    page.goto(f"{site}/admin/posts/{post.id}")
    page.get_by_role("link", name="Send to newsletter subscribers").click()
    assert "2 people have confirmed" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Check the email").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("button", name="Send to 2 people").press("Enter")
    page.get_by_role("row", name="Waiting to be sent").wait_for()
    with app.app_context():
        deliver_due()
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "ann@example.com",
        "bo@example.com",
    ]
    mail = smtp_server.messages[0]
    assert mail["Subject"] == "Getting ready for the meeting"
    assert "**Calm**" in mail.get_body(("plain",)).get_content()
    assert 'alt="A red and blue card"' in mail.get_body(("html",)).get_content()

    # Edit it.
    page.goto(f"{site}/admin/posts/{post.id}")
    edited = page.get_by_label("Text", exact=True)
    edited.fill(edited.input_value().replace("School records", "Report cards"))
    page.get_by_role("button", name="Save changes").click()
    page.get_by_role("status").filter(has_text="Saved.").wait_for()
    page.goto(f"{site}/blog/{post.slug}")
    assert "Report cards" in page.locator("main").inner_text()

    # Restore the revision from before the edit.
    page.goto(f"{site}/admin/posts/{post.id}")
    page.get_by_role("link", name="Revisions").click()
    assert_accessible(page)
    page.get_by_role("link", name="Saved").last.click()  # the oldest
    assert page.locator("del").filter(has_text="Report").count() == 1
    assert_accessible(page)
    page.get_by_role("button", name="Restore this version").click()
    assert "School records" in page.get_by_label("Text", exact=True).input_value()
    page.goto(f"{site}/blog/{post.slug}")
    assert "School records" in page.locator("main").inner_text()

    # A new address; the old link still leads to the post.
    page.goto(f"{site}/admin/posts/{post.id}")
    page.get_by_label("Address", exact=True).fill("ready-for-the-meeting")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_role("status").filter(has_text="Saved.").wait_for()
    page.goto(f"{site}/blog/getting-ready-for-the-meeting")
    assert page.url == f"{site}/blog/ready-for-the-meeting"
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Getting ready for the meeting"
    )

    # The list, and deleting asks first.
    page.goto(site + "/admin/posts")
    assert_accessible(page)
    page.goto(f"{site}/admin/posts/{post.id}/delete")
    assert_accessible(page)


# What Word puts on the clipboard for a heading, a bulleted and a numbered list:
# list items are paragraphs whose bullet sits in a span Word hides.
WORD = (
    "<html><head><style>p.MsoNormal {margin:0}</style></head><body>"
    "<h1>Questions to ask</h1>"
    "<p class=MsoListParagraphCxSpFirst style='mso-list:l0 level1 lfo1'>"
    "<span style='mso-list:Ignore'>·<span>&nbsp;&nbsp;</span></span>"
    "<b>Who</b> writes the goals?</p>"
    "<p class=MsoListParagraphCxSpLast style='mso-list:l0 level1 lfo1'>"
    "<span style='mso-list:Ignore'>·<span>&nbsp;&nbsp;</span></span>"
    "When is the <i>next</i> review?</p>"
    "<p class=MsoNormal>Then:</p>"
    "<p class=MsoListParagraphCxSpFirst style='mso-list:l1 level1 lfo2'>"
    "<span style='mso-list:Ignore'>1.<span>&nbsp;</span></span>Read it</p>"
    "<p class=MsoListParagraphCxSpLast style='mso-list:l1 level1 lfo2'>"
    "<span style='mso-list:Ignore'>2.<span>&nbsp;</span></span>Sign it</p>"
    "</body></html>"
)


def test_pasting_from_word_keeps_headings_lists_bold_and_italics(
    app, live_server, page
):
    make_owner(app)
    sign_in_page(page, live_server.url + "/admin/posts/new")
    page.get_by_role("toolbar", name="Formatting").wait_for()  # the script is on
    page.evaluate(PASTE, [WORD])
    assert page.get_by_label("Text", exact=True).input_value() == (
        "# Questions to ask\n\n"
        "- **Who** writes the goals?\n"
        "- When is the _next_ review?\n\n"
        "Then:\n\n"
        "1. Read it\n"
        "2. Sign it\n"
    )


def test_pasted_pictures_are_stored_here_and_a_broken_one_is_left_out(
    app, live_server, page, other_site_url
):
    make_owner(app)
    sign_in_page(page, live_server.url + "/admin/posts/new")
    page.get_by_role("toolbar", name="Formatting").wait_for()
    png = encoded(two_colour_image(320, 160), "PNG")
    data_uri = "data:image/png;base64," + base64.b64encode(png).decode()
    pasted = (
        f'<p>First words.</p><p><img src="{data_uri}" alt="A chart"></p>'
        f'<p><img src="{other_site_url}/missing.jpg"></p><p>Last words.</p>'
    )
    page.evaluate(PASTE, [pasted])
    page.get_by_role("status").filter(has_text="was left out").wait_for()
    body = page.get_by_label("Text", exact=True)
    page.wait_for_function(
        "() => !document.querySelector('#body').value.includes('uploading')"
    )
    text = body.input_value()
    assert text.startswith("First words.\n\n![A chart](/media/p/")
    assert text.rstrip().endswith("Last words.")
    assert "missing.jpg" not in text and other_site_url not in text
    assert "add the picture with the Picture button" in (
        page.get_by_role("status").filter(has_text="was left out").inner_text()
    )

    # A picture pasted on its own (a screenshot) is stored too, undescribed.
    page.evaluate(
        """([bytes]) => {
        const body = document.querySelector("#body");
        body.focus();
        body.setSelectionRange(body.value.length, body.value.length);
        const data = new DataTransfer();
        data.items.add(new File([new Uint8Array(bytes)], "shot.png",
                                {type: "image/png"}));
        body.dispatchEvent(new ClipboardEvent("paste", {
            clipboardData: data, bubbles: true, cancelable: true}));
    }""",
        [list(png)],
    )
    page.get_by_role("status").filter(has_text="Please write what it shows").wait_for()
    assert "\n![](/media/p/" in body.input_value()


def test_the_link_button_asks_for_the_address_in_a_dialog(app, live_server, page):
    make_owner(app)
    sign_in_page(page, live_server.url + "/admin/posts/new")
    toolbar = page.get_by_role("toolbar", name="Formatting")
    link_button = toolbar.get_by_role("button", name="Link")
    body = page.get_by_label("Text", exact=True)
    body.fill("Read the guide today")
    body.evaluate("b => { b.focus(); b.setSelectionRange(9, 14); }")  # "guide"
    link_button.click()
    dialog = page.get_by_role("dialog", name="Add a link")
    address = dialog.get_by_label("Address of the link")
    assert dialog.is_visible() and address.evaluate("a => a === document.activeElement")
    assert_accessible(page)

    dialog.get_by_role("button", name="Add the link").click()  # nothing written
    assert dialog.get_by_role("alert").inner_text() == (
        "Please write the address of the link, e.g. https://example.org/page."
    )
    assert address.get_attribute("aria-invalid") == "true"
    address.fill("https://example.org/guide")
    address.press("Enter")
    assert dialog.is_hidden()
    assert body.input_value() == "Read the [guide](https://example.org/guide) today"
    assert body.evaluate("b => b === document.activeElement")

    # Escape, or Cancel, closes it and the focus goes back to the button.
    for close in (
        lambda: page.keyboard.press("Escape"),
        dialog.get_by_role("button", name="Cancel").click,
    ):
        link_button.click()
        assert dialog.is_visible() and address.input_value() == ""
        address.fill("https://example.org/other")
        close()
        assert dialog.is_hidden()
        assert link_button.evaluate("b => b === document.activeElement")
    assert body.input_value() == "Read the [guide](https://example.org/guide) today"
