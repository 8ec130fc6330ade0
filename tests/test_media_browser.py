"""Pictures in a real browser, CSRF on: upload through the Pictures page, describe
the picture, see it in a post with srcset, width and height; the editor's script
uploads too. axe-core checks each page."""

from __future__ import annotations

import pytest
from conftest import assert_accessible
from test_admin_support import make_owner, sign_in_page
from test_content_support import add_post
from test_media import camera_jpeg, encoded, two_colour_image

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


def sign_in(page, base: str) -> None:
    sign_in_page(page, base + "/admin/media")
    assert page.get_by_role("heading", level=1).inner_text() == "Pictures"


def test_upload_describe_and_show_in_a_post(app, live_server, page, tmp_path):
    make_owner(app)
    photo = tmp_path / "IMG_0042.JPG"
    photo.write_bytes(camera_jpeg(2400, 1800))  # sideways: 1800 × 2400 upright
    sign_in(page, live_server.url)
    assert_accessible(page)

    page.get_by_label("Picture (JPEG, PNG, WebP or HEIC)").set_input_files(photo)
    page.get_by_role("button", name="Upload").click()

    assert (
        "Picture uploaded. Please add its description"
        in page.get_by_role("status").inner_text()
    )
    assert "No description yet" in page.locator(".picture-list").inner_text()
    assert_accessible(page)

    page.get_by_label("Description of IMG_0042.JPG").fill(
        "A red and blue card on a table"
    )
    page.get_by_role("button", name="Save description").click()
    assert "Description saved." in page.get_by_role("status").inner_text()
    snippet = page.locator(".picture-list code").inner_text()
    assert snippet.startswith("![A red and blue card on a table](/media/p/")
    assert snippet.endswith("-1600x2133.webp)")
    assert_accessible(page)

    add_post(
        app,
        title="A card",
        slug="card",
        body=f"Before the card.\n\n{snippet}\n\nAfter the card.\n",
    )
    page.goto(live_server.url + "/blog/card")
    picture = page.get_by_role("img", name="A red and blue card on a table")
    assert picture.get_attribute("width") == "1600"
    assert picture.get_attribute("height") == "2133"
    srcset = picture.get_attribute("srcset")
    assert [entry.split()[1] for entry in srcset.split(", ")] == [
        "480w",
        "960w",
        "1600w",
    ]
    assert picture.get_attribute("sizes")
    picture.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=picture.element_handle()
    )
    # The browser chose a copy from srcset and shows it upright (taller than wide).
    chosen = picture.evaluate("img => new URL(img.currentSrc).pathname")
    assert chosen in [entry.split()[0] for entry in srcset.split(", ")]
    natural = picture.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert natural[1] > natural[0] > 0
    assert_accessible(page)


def test_the_editor_script_uploads_a_pasted_picture(app, live_server, page):
    make_owner(app)
    sign_in(page, live_server.url)
    data_uri = (
        "data:image/png;base64,"
        + __import__("base64")
        .b64encode(encoded(two_colour_image(640, 320), "PNG"))
        .decode()
    )

    answer = page.evaluate(
        """uri => window.LeadsitePictures.savePicture(uri, "Pasted chart")""",
        data_uri,
    )

    assert answer["alt"] == "Pasted chart"
    assert (answer["width"], answer["height"]) == (640, 320)
    assert answer["markdown"] == f"![Pasted chart]({answer['url']})"
    refused = page.evaluate(
        """() => window.uploadPicture(new File(["<svg></svg>"], "x.svg"), "")
                 .then(() => "uploaded", error => error.message)"""
    )
    assert refused.startswith("SVG drawings can't be uploaded")
    page.reload()
    assert "Pasted chart" in page.locator(".picture-list").inner_text()


def test_delete_asks_first(app, live_server, page, tmp_path):
    make_owner(app)
    photo = tmp_path / "kitchen.png"
    photo.write_bytes(encoded(two_colour_image(300, 200), "PNG"))
    sign_in(page, live_server.url)
    page.get_by_label("Picture (JPEG, PNG, WebP or HEIC)").set_input_files(photo)
    page.get_by_label("Description (alt text)").fill("A kitchen table")
    page.get_by_role("button", name="Upload").click()
    address = page.get_by_role("img", name="A kitchen table").get_attribute("src")

    page.get_by_role("link", name="Delete kitchen.png").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Delete this picture?"
    assert_accessible(page)
    page.get_by_role("button", name="Delete the picture for good").click()

    assert "Picture deleted." in page.get_by_role("status").inner_text()
    assert "No pictures yet." in page.locator(".picture-list").inner_text()
    assert page.request.get(live_server.url + address).status == 404
