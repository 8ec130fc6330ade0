"""From an uploaded file to the copies the site serves.

Rules, each enforced here:
- Only real raster pictures: JPEG, PNG, WebP and (with pillow-heif) iPhone HEIC.
  The file is decoded in full by Pillow and the copies are encoded anew, so nothing
  of the upload but its pixels reaches a visitor: an SVG or an HTML page named
  `.jpg` is refused, and no upload can carry a script.
- Turned upright from the camera's EXIF orientation, then every piece of metadata
  (EXIF with its GPS position, XMP, comments, the colour profile after converting
  to sRGB) left behind.
- Resized to `WIDTHS`, never wider than the original; stored as WebP (lossless for
  PNG drawings and screenshots when that is not much larger).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import ExifTags, Image, ImageCms, ImageOps, UnidentifiedImageError

try:
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIC_SUPPORTED = True
except ImportError:  # pragma: no cover  (pinned in requirements.txt)
    HEIC_SUPPORTED = False

WIDTHS = (480, 960, 1600)
MAX_PIXELS = 60_000_000  # a 48-megapixel iPhone picture fits; a pixel bomb does not
FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WebP", "HEIF": "HEIC"}
WEBP_QUALITY = 82
LOSSLESS_AT_MOST = 1.5  # times the lossy size
MEDIA_TYPE = "image/webp"
SUFFIX = "webp"


class PictureError(ValueError):
    """An upload that is not a picture the site takes; the message says why."""


class PictureTooLarge(PictureError):
    """An upload over the size limit."""


@dataclass(frozen=True)
class Variant:
    width: int
    height: int
    data: bytes
    media_type: str = MEDIA_TYPE


@dataclass(frozen=True)
class Prepared:
    """An upload's upright size, its format's name, and the copies to store."""

    width: int
    height: int
    format: str
    variants: list[Variant]


def looks_like_svg(data: bytes, filename: str) -> bool:
    head = data[:1024].lstrip().lower()
    return filename.lower().endswith((".svg", ".svgz")) or (
        head.startswith(b"<") and b"<svg" in head
    )


def upright_size(image: Image.Image) -> tuple[int, int]:
    """The picture's size as shown: width and height swapped when the camera held
    it sideways (EXIF orientations 5 to 8)."""
    turned = image.getexif().get(ExifTags.Base.Orientation) in (5, 6, 7, 8)
    return (image.height, image.width) if turned else image.size


def decode(data: bytes, filename: str = "") -> tuple[Image.Image, tuple[int, int]]:
    """The upload decoded in full, with its upright size; PictureError with a
    message for the owner. A large JPEG is decoded at a half, quarter or eighth of
    its size (still wider than the widest copy), which saves most of the memory."""
    if looks_like_svg(data, filename):
        raise PictureError(
            "SVG drawings can't be uploaded, because they can carry scripts. "
            "Save it as a PNG and upload that."
        )
    try:
        image = Image.open(io.BytesIO(data))
        if image.format not in FORMATS:
            raise PictureError(not_a_picture(filename))
        if image.width * image.height > MAX_PIXELS:
            raise PictureTooLarge(
                f"This picture is {image.width} × {image.height} pixels, more "
                "than the site takes. Please make it smaller and upload it again."
            )
        size = upright_size(image)
        if image.format in ("JPEG", "MPO"):
            image.draft(image.mode, (WIDTHS[-1], WIDTHS[-1]))
        image.load()
    except PictureError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise PictureError(not_a_picture(filename)) from error
    except Image.DecompressionBombError as error:
        raise PictureTooLarge("This picture is too large in pixels.") from error
    return image, size


def not_a_picture(filename: str) -> str:
    name = f"“{filename}” " if filename else "This file "
    kinds = "JPEG, PNG, WebP or HEIC" if HEIC_SUPPORTED else "JPEG, PNG or WebP"
    return f"{name}is not a picture the site can use. Please upload a {kinds} file."


def to_srgb(image: Image.Image, mode: str) -> Image.Image:
    """The pixels in sRGB (what browsers assume without a profile), in `mode`."""
    profile = image.info.get("icc_profile")
    if profile and image.mode in ("RGB", "RGBA", "CMYK"):
        try:
            return ImageCms.profileToProfile(
                image,
                ImageCms.ImageCmsProfile(io.BytesIO(profile)),
                ImageCms.createProfile("sRGB"),
                outputMode=mode,
            )
        except (ImageCms.PyCMSError, OSError):
            pass  # a broken profile: keep the pixels as they are
    return image.convert(mode)


def upright_pixels(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Turned as the camera meant, at `size`, in sRGB: a new image holding only
    pixels."""
    image = ImageOps.exif_transpose(image)
    transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    mode = "RGBA" if transparent else "RGB"
    if image.mode not in ("RGB", "RGBA", "CMYK", "L"):
        image = image.convert(mode)  # palette and 16-bit pictures resize badly
    if image.size != size:
        image = image.resize(size, Image.Resampling.LANCZOS, None, 2.0)
    image = to_srgb(image, mode)
    return Image.frombytes(mode, image.size, image.tobytes())


def encode(image: Image.Image, lossless_first: bool) -> bytes:
    """WebP bytes; for drawings, lossless unless that is much larger."""
    lossy = io.BytesIO()
    image.save(lossy, "WEBP", quality=WEBP_QUALITY, method=4)
    if not lossless_first:
        return lossy.getvalue()
    exact = io.BytesIO()
    image.save(exact, "WEBP", lossless=True, method=4)
    if exact.tell() <= lossy.tell() * LOSSLESS_AT_MOST:
        return exact.getvalue()
    return lossy.getvalue()


def target_widths(width: int) -> list[int]:
    """`WIDTHS` narrower than the picture, and its own width if it is narrower
    than the widest: never enlarged."""
    widths = [w for w in WIDTHS if w < width]
    if width <= WIDTHS[-1]:
        widths.append(width)
    return widths


def variant_sizes(width: int, height: int) -> list[tuple[int, int]]:
    """Each copy's width and height, from the picture's own size or from its widest
    copy's alike (so a page can write `srcset` from the widest copy's address)."""
    widest = min(width, WIDTHS[-1])
    tallest = max(1, round(height * widest / width))
    return [
        (w, tallest if w == widest else max(1, round(tallest * w / widest)))
        for w in target_widths(widest)
    ]


def prepare(data: bytes, filename: str = "") -> Prepared:
    """Check, turn upright, strip and resize an upload (PictureError if refused)."""
    decoded, (original_width, original_height) = decode(data, filename)
    kind = FORMATS[decoded.format]
    sizes = variant_sizes(original_width, original_height)
    image = upright_pixels(decoded, sizes[-1])
    variants = []
    for width, height in sizes:
        resized = (
            image
            if (width, height) == image.size
            else image.resize((width, height), Image.Resampling.LANCZOS, None, 2.0)
        )
        variants.append(Variant(width, height, encode(resized, kind == "PNG")))
    return Prepared(original_width, original_height, kind, variants)
