"""Pictures from other sites' addresses are fetched and stored like uploads, and
never from inside our own network; the upload endpoint keeps the admin's CSRF
check, with the token in a header (the editor's script) or a field (a form)."""

from __future__ import annotations

import io
import re

import pytest
from conftest import submit_form
from serving import serving
from sqlalchemy import select
from test_admin_support import OWNER, PASSWORD, make_owner, signed_in_client
from test_media import HTML, camera_jpeg, decoded, noise_png
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from leadsite.extensions import db
from leadsite.media import PictureError, import_remote_picture
from leadsite.media.remote import allowed_address
from leadsite.models import Picture

PICTURE = camera_jpeg()


@Request.application
def other_site(request: Request) -> Response:
    """A small web site on loopback with pictures and traps."""
    routes = {
        "/photo.jpg": lambda: Response(PICTURE, mimetype="image/jpeg"),
        "/page.jpg": lambda: Response(HTML, mimetype="image/jpeg"),
        "/big.png": lambda: Response(noise_png(900, 900), mimetype="image/png"),
        "/to-file": lambda: Response(
            status=302, headers={"Location": "file:///etc/passwd"}
        ),
        "/to-ftp": lambda: Response(
            status=302, headers={"Location": "ftp://127.0.0.1/a.jpg"}
        ),
        "/to-photo": lambda: Response(status=302, headers={"Location": "/photo.jpg"}),
    }
    return routes.get(request.path, lambda: Response("Not here", status=404))()


@pytest.fixture(scope="module")
def other_site_url():
    with serving(make_server("127.0.0.1", 0, other_site, threaded=True)) as server:
        yield f"http://127.0.0.1:{server.server_port}"


@pytest.fixture
def app_config(app_config):
    return {
        **app_config,
        "PICTURE_FETCH_ALLOW_LOOPBACK": True,
        "PICTURE_MAX_BYTES": 2 * 1024 * 1024,
    }


def test_imports_a_picture_from_another_site(app, other_site_url):
    client = signed_in_client(app)

    response = client.post(
        "/admin/media/import",
        data={"url": f"{other_site_url}/to-photo", "alt": "A card"},
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 201, response.get_data(as_text=True)
    answer = response.get_json()
    assert answer["alt"] == "A card" and (answer["width"], answer["height"]) == (
        80,
        120,
    )
    served = client.get(answer["url"])
    assert decoded(served.data).size == (80, 120)
    assert b"GPS" not in served.data and b"PhoneMaker" not in served.data
    with app.app_context():
        assert db.session.scalars(select(Picture.original_name)).one() == "to-photo"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/page.jpg", "is not a picture the site can use"),
        ("/big.png", "larger than 2 MB"),
        ("/to-file", "could not be fetched"),
        ("/to-ftp", "not a web page"),
        ("/nowhere.jpg", "could not be fetched"),
    ],
)
def test_refuses_what_is_not_a_picture_on_the_web(app, other_site_url, path, message):
    with app.app_context():
        with pytest.raises(PictureError, match=message):
            import_remote_picture(other_site_url + path)
        assert db.session.scalars(select(Picture)).all() == []


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://example.com/a.jpg", "javascript:alert(1)", "/a.jpg"],
)
def test_only_web_addresses(app, url):
    with app.app_context(), pytest.raises(PictureError, match="http:// or https://"):
        import_remote_picture(url)


def test_loopback_is_refused_unless_the_setting_allows_it(app, other_site_url):
    app.config["PICTURE_FETCH_ALLOW_LOOPBACK"] = False
    with app.app_context():
        with pytest.raises(PictureError, match="not on the public internet"):
            import_remote_picture(f"{other_site_url}/photo.jpg")
        name = other_site_url.replace("127.0.0.1", "localhost")
        with pytest.raises(PictureError, match="not on the public internet"):
            import_remote_picture(f"{name}/photo.jpg")


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("93.184.215.14", True),
        ("2606:4700:4700::1111", True),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fd00::1", False),
        ("::ffff:10.0.0.1", False),
    ],
)
def test_allowed_addresses(app, address, allowed):
    app.config["PICTURE_FETCH_ALLOW_LOOPBACK"] = False
    with app.app_context():
        assert allowed_address(address) is allowed


@pytest.fixture
def csrf_app(app_config):
    from conftest import build_app, close_app

    app = build_app({**app_config, "WTF_CSRF_ENABLED": True})
    yield app
    close_app(app)


def test_upload_needs_the_csrf_token_in_a_header_or_a_field(csrf_app):
    make_owner(csrf_app)
    client = csrf_app.test_client()
    signed_in = submit_form(
        client, "/admin/sign-in", {"email": OWNER, "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    page = client.get("/admin/media").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]

    def send(headers=None, **fields):
        return client.post(
            "/admin/media",
            data={"file": (io.BytesIO(PICTURE), "a.jpg"), "alt": "Card", **fields},
            headers=headers or {},
        )

    refused = send({"Accept": "application/json"})
    assert refused.status_code == 400
    assert "Reload" in refused.get_json()["error"]
    form_refused = send()
    assert form_refused.status_code == 400
    assert "Please try that again" in form_refused.get_data(as_text=True)

    by_header = send({"Accept": "application/json", "X-CSRFToken": token})
    assert by_header.status_code == 201
    by_field = send(csrf_token=token)
    assert by_field.status_code == 302
    with csrf_app.app_context():
        assert len(db.session.scalars(select(Picture)).all()) == 2
