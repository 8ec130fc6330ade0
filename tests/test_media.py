"""Pictures: an upload is turned upright, loses its metadata (GPS included), is
resized and stored in the database, served with long cache headers, and written in
posts with srcset, width and height. Anything that is not a real raster picture is
refused with a message the owner can act on."""

from __future__ import annotations

import io
import re

import pytest
from PIL import ExifTags, Image
from sqlalchemy import func, select
from test_admin_support import signed_in_client

from leadsite.extensions import db
from leadsite.media import (
    HEIC_SUPPORTED,
    PictureError,
    missing_descriptions,
    save_picture,
)
from leadsite.models import Picture, PictureVariant
from leadsite.posts import sized_images

RED, BLUE = (220, 0, 0), (0, 0, 220)


@pytest.fixture
def app_config(app_config):
    """A 2 MB limit, so the oversize tests send little."""
    return {**app_config, "PICTURE_MAX_BYTES": 2 * 1024 * 1024}


def two_colour_image(width: int, height: int, mode: str = "RGB") -> Image.Image:
    """Left half red, right half blue: shows which way a picture was turned."""
    image = Image.new(mode, (width, height), RED)
    image.paste(BLUE, (width // 2, 0, width, height))
    return image


def camera_jpeg(width: int = 120, height: int = 80) -> bytes:
    """A JPEG as a phone writes it: stored sideways with orientation 6 (turn 90°
    clockwise to show), and the place it was taken in its GPS tags."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (40.0, 26.0, 46.0),
        ExifTags.GPS.GPSLongitudeRef: "W",
        ExifTags.GPS.GPSLongitude: (79.0, 58.0, 56.0),
    }
    out = io.BytesIO()
    two_colour_image(width, height).save(out, "JPEG", quality=95, exif=exif)
    return out.getvalue()


def encoded(image: Image.Image, kind: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


def noise_png(width: int, height: int) -> bytes:
    """A PNG that does not compress: its size is about width × height × 3."""
    return encoded(
        Image.frombytes("RGB", (width, height), rand(width * height * 3)), "PNG"
    )


def rand(count: int) -> bytes:
    import random

    return random.Random(7).randbytes(count)


def upload(client, data: bytes, name: str = "photo.jpg", alt: str = "", **headers):
    return client.post(
        "/admin/media",
        data={"file": (io.BytesIO(data), name), "alt": alt},
        headers={"Accept": "application/json", **headers},
    )


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def stored(app) -> list[Picture]:
    with app.app_context():
        return list(db.session.scalars(select(Picture).order_by(Picture.id)))


def test_camera_picture_is_turned_upright_and_loses_gps(app):
    source = camera_jpeg()
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    client = signed_in_client(app)

    response = upload(client, source, "IMG_0001.JPG", "A red and blue card")

    assert response.status_code == 201, response.get_data(as_text=True)
    answer = response.get_json()
    assert (answer["width"], answer["height"]) == (80, 120)  # upright: tall
    served = client.get(answer["url"])
    assert served.status_code == 200
    image = decoded(served.data)
    assert image.format == "WEBP"
    assert image.size == (80, 120)
    # Orientation 6 shows the stored left edge (red) at the top.
    assert image.convert("RGB").getpixel((40, 5)) == pytest.approx(RED, abs=40)
    assert image.convert("RGB").getpixel((40, 114)) == pytest.approx(BLUE, abs=40)
    assert not image.getexif()
    assert "exif" not in image.info and "icc_profile" not in image.info
    for marker in (b"Exif", b"GPS", b"PhoneMaker", b"XMP"):
        assert marker not in served.data
    with app.app_context():
        for variant in db.session.scalars(select(PictureVariant)):
            assert b"PhoneMaker" not in variant.data and b"Exif" not in variant.data


@pytest.mark.parametrize(
    ("size", "widths"),
    [
        ((2000, 1000), [(480, 240), (960, 480), (1600, 800)]),
        ((700, 350), [(480, 240), (700, 350)]),
        ((300, 200), [(300, 200)]),
        ((1600, 400), [(480, 120), (960, 240), (1600, 400)]),
    ],
)
def test_variants_are_never_wider_than_the_original(app, size, widths):
    with app.app_context():
        picture = save_picture(encoded(two_colour_image(*size), "PNG"), "a.png")
        db.session.commit()
        picture_id = picture.id
    client = signed_in_client(app)
    with app.app_context():
        picture = db.session.get(Picture, picture_id)
        found = [(v.width, v.height) for v in picture.variants]
        digest = picture.digest
    assert found == widths
    for width, height in widths:
        response = client.get(f"/media/p/{picture_id}-{digest}-{width}x{height}.webp")
        assert decoded(response.data).size == (width, height)


def test_png_with_transparency_keeps_it(app):
    image = two_colour_image(64, 32, "RGBA")
    image.putpixel((0, 0), (0, 0, 0, 0))
    with app.app_context():
        picture = save_picture(encoded(image, "PNG"), "logo.png", "Logo")
        db.session.commit()
        data = db.session.scalars(select(PictureVariant.data)).one()
        assert picture.original_format == "PNG"
    assert decoded(data).mode == "RGBA"
    assert decoded(data).getpixel((0, 0))[3] == 0


@pytest.mark.skipif(not HEIC_SUPPORTED, reason="pillow-heif is not installed")
def test_iphone_heic_is_taken_upright_without_gps(app):
    exif = Image.open(io.BytesIO(camera_jpeg())).getexif()  # orientation 6, GPS
    source = encoded(two_colour_image(120, 80), "HEIF", exif=exif.tobytes())
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    client = signed_in_client(app)

    response = upload(client, source, "IMG_0002.HEIC", "A card")

    assert response.status_code == 201, response.get_data(as_text=True)
    assert (response.get_json()["width"], response.get_json()["height"]) == (80, 120)
    assert stored(app)[0].original_format == "HEIC"
    served = client.get(response.get_json()["url"]).data
    image = decoded(served).convert("RGB")
    assert image.size == (80, 120)
    assert image.getpixel((40, 5)) == pytest.approx(RED, abs=40)
    assert b"GPS" not in served and b"PhoneMaker" not in served


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (SVG, "drawing.svg", "SVG drawings can't be uploaded"),
        (SVG, "drawing.png", "SVG drawings can't be uploaded"),
        (HTML, "photo.jpg", "is not a picture the site can use"),
        (b"GIF89a" + b"\0" * 40, "x.gif", "is not a picture the site can use"),
        (encoded(two_colour_image(8, 8), "GIF"), "x.gif", "Please upload a JPEG"),
        (camera_jpeg()[:200], "cut.jpg", "is not a picture the site can use"),
        (b"", "empty.jpg", "is not a picture the site can use"),
    ],
)
def test_anything_but_a_raster_picture_is_refused(app, data, name, message):
    client = signed_in_client(app)

    response = upload(client, data, name)

    assert response.status_code == 400
    assert message in response.get_json()["error"]
    assert stored(app) == []


def test_a_refused_file_is_explained_on_the_pictures_page(app):
    client = signed_in_client(app)

    response = client.post(
        "/admin/media",
        data={"file": (io.BytesIO(SVG), "logo.svg"), "alt": "Logo"},
    )

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Please check the form" in page
    assert "SVG drawings can&#39;t be uploaded" in page
    assert stored(app) == []


def test_a_picture_larger_than_the_site_limit_but_within_its_own_is_taken(app):
    source = noise_png(600, 600)  # about 1 MB: over MAX_CONTENT_LENGTH (512 KiB)
    assert app.config["MAX_CONTENT_LENGTH"] < len(source) < 2 * 1024 * 1024
    client = signed_in_client(app)

    assert upload(client, source, "noise.png", "Noise").status_code == 201
    # Only the upload endpoint takes that much.
    too_big = client.post(
        "/admin/media/1/alt", data={"alt": "x" * (len(source))}, follow_redirects=True
    )
    assert too_big.status_code == 413


def test_oversize_upload_gets_a_friendly_answer(app):
    source = noise_png(900, 900)  # about 2.4 MB
    assert len(source) > app.config["PICTURE_MAX_BYTES"]
    client = signed_in_client(app)

    answer = upload(client, source, "big.png")
    assert answer.status_code == 413
    assert "larger than 2 MB" in answer.get_json()["error"]

    page = client.post("/admin/media", data={"file": (io.BytesIO(source), "big.png")})
    assert page.status_code == 413
    text = page.get_data(as_text=True)
    assert "larger than 2 MB, the most the site takes" in text
    assert '<form method="post" action="/admin/media"' in text
    assert stored(app) == []


def test_served_picture_is_cached_a_year_and_never_run(app):
    client = signed_in_client(app)
    url = upload(client, camera_jpeg(), alt="Card").get_json()["url"]
    anonymous = app.test_client()

    response = anonymous.get(url)

    assert response.status_code == 200
    assert response.mimetype == "image/webp"
    cache = response.cache_control
    assert cache.max_age == 365 * 24 * 60 * 60 and cache.immutable and cache.public
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    with app.app_context():
        variant = db.session.scalars(select(PictureVariant)).one()
        assert response.data == variant.data
    again = anonymous.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304

    wrong_digest = re.sub(r"-[0-9a-f]{12}-", "-000000000000-", url)
    assert anonymous.get(wrong_digest).status_code == 404
    assert anonymous.get(url.replace(".webp", ".png")).status_code == 404
    assert anonymous.get(url.replace("x120.", "x121.")).status_code == 404
    assert anonymous.get("/media/p/999-000000000000-480x320.webp").status_code == 404


def test_upload_answers_what_the_editor_needs(app):
    client = signed_in_client(app)

    response = upload(client, noise_png(100, 50), "chart.png", "Chart [2026]")

    answer = response.get_json()
    picture = stored(app)[0]
    url = f"/media/p/{picture.id}-{picture.digest}-100x50.webp"
    assert answer == {
        "id": picture.id,
        "url": url,
        "alt": "Chart [2026]",
        "width": 100,
        "height": 50,
        "markdown": f"![Chart \\[2026\\]]({url})",
    }


def test_post_pictures_get_srcset_width_and_height(app, site_dir):
    with app.app_context():
        picture = save_picture(encoded(two_colour_image(2000, 1500), "JPEG"), "a.jpg")
        db.session.commit()
        base = f"/media/p/{picture.id}-{picture.digest}"
    (site_dir / "posts" / "with-picture.md").write_text(
        "---\ntitle: With a picture\npublished: 2026-05-01\nsummary: S.\n---\n\n"
        f"![Two colours]({base}-1600x1200.webp)\n",
        encoding="utf-8",
    )

    page = app.test_client().get("/blog/with-picture").get_data(as_text=True)

    tag = re.search(r'<img [^>]*alt="Two colours"[^>]*>', page).group(0)
    assert f'src="{base}-1600x1200.webp"' in tag
    srcset = re.search(r'srcset="([^"]*)"', tag).group(1)
    assert srcset == (
        f"{base}-480x360.webp 480w, {base}-960x720.webp 960w, "
        f"{base}-1600x1200.webp 1600w"
    )
    client = app.test_client()
    for candidate in srcset.split(", "):
        address, width = candidate.split()
        assert decoded(client.get(address).data).width == int(width[:-1])
    assert 'sizes="(min-width: 44rem) 41.5rem, calc(100vw - 2.5rem)"' in tag
    assert 'width="1600" height="1200"' in tag


def test_render_hook_needs_no_database(site_dir):
    html = (
        '<p><img src="/media/p/7-0123456789ab-700x350.webp" alt="a">'
        '<img src="/media/other.jpg" alt="b"></p>'
    )
    assert sized_images(html, site_dir) == (
        '<p><img src="/media/p/7-0123456789ab-700x350.webp" alt="a" srcset="'
        "/media/p/7-0123456789ab-480x240.webp 480w, "
        '/media/p/7-0123456789ab-700x350.webp 700w" '
        'sizes="(min-width: 44rem) 41.5rem, calc(100vw - 2.5rem)" '
        'width="700" height="350"><img src="/media/other.jpg" alt="b"></p>'
    )


@pytest.mark.parametrize(
    ("markdown", "missing"),
    [
        ("![A cat](/media/p/1-aaaaaaaaaaaa-480x240.webp)", []),
        (
            "![](/media/p/1-aaaaaaaaaaaa-480x240.webp)",
            ["/media/p/1-aaaaaaaaaaaa-480x240.webp"],
        ),
        ("![  ](/a.jpg) and ![b](/b.jpg)", ["/a.jpg"]),
        ("Text\n\n> ![](/q.jpg)\n\n- ![ok](/l.jpg)", ["/q.jpg"]),
        ('<img src="/h.jpg">', ["/h.jpg"]),
        ('<img src="/h.jpg" alt="">', ["/h.jpg"]),
        ('<p>See <img alt="Fine" src="/h.jpg"></p>', []),
        ("No pictures at all.", []),
        ("`![](/in-code.jpg)`", []),
    ],
)
def test_missing_descriptions(markdown, missing):
    assert missing_descriptions(markdown) == missing


def test_pictures_page_flags_missing_descriptions_and_edits_them(app):
    client = signed_in_client(app)
    upload(client, camera_jpeg(), "IMG_1.JPG", "")
    page = client.get("/admin/media").get_data(as_text=True)
    assert "No description yet" in page
    assert "1 picture has no description" in page
    picture = stored(app)[0]

    response = client.post(
        f"/admin/media/{picture.id}/alt",
        data={"alt": "  Our  kitchen table "},
        follow_redirects=True,
    )

    assert "Description saved." in response.get_data(as_text=True)
    assert stored(app)[0].alt == "Our kitchen table"
    assert "No description yet" not in client.get("/admin/media").get_data(as_text=True)


def test_deleting_a_picture_removes_its_copies(app):
    client = signed_in_client(app)
    url = upload(
        client, encoded(two_colour_image(1000, 500), "PNG"), alt="x"
    ).get_json()["url"]
    picture = stored(app)[0]
    confirm = client.get(f"/admin/media/{picture.id}/delete").get_data(as_text=True)
    assert "Delete this picture?" in confirm

    client.post(f"/admin/media/{picture.id}/delete")

    assert stored(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count(PictureVariant.id))) == 0
    assert client.get(url).status_code == 404


def test_signed_out_visitors_cannot_upload(app):
    response = upload(app.test_client(), camera_jpeg())
    assert response.status_code == 302
    assert "/admin/sign-in" in response.headers["Location"]
    assert stored(app) == []


def test_save_picture_refuses_without_touching_the_database(app):
    with app.app_context():
        with pytest.raises(PictureError):
            save_picture(HTML, "page.html")
        assert db.session.scalar(select(func.count(Picture.id))) == 0
