"""Pictures in the database: saving an upload, finding a variant by its address,
and the answer the editor's script reads.

A variant's address is `/media/p/<id>-<digest>-<width>x<height>.webp`. The digest
is a hash of the picture's bytes, so an address always means the same bytes and
browsers may keep it a year; a wrong digest is a 404. The size in the address lets
a page write `srcset`, `width` and `height` without asking the database.
"""

from __future__ import annotations

import hashlib
import re

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import undefer

from ..extensions import db
from ..models import Picture, PictureVariant
from .images import SUFFIX, PictureTooLarge, prepare

PREFIX = "/media/p/"
ADDRESS = re.compile(r"/media/p/(\d{1,12})-([0-9a-f]{12})-(\d{1,5})x(\d{1,5})\.webp")
DIGEST_CHARS = 12
ALT_MAX = 1000


def variant_url(picture_id: int, digest: str, width: int, height: int) -> str:
    return f"{PREFIX}{picture_id}-{digest}-{width}x{height}.{SUFFIX}"


def picture_url(picture: Picture, variant: PictureVariant | None = None) -> str:
    """The address of one variant; the widest when none is given."""
    variant = variant or picture.largest
    return variant_url(picture.id, picture.digest, variant.width, variant.height)


def size_limit() -> int:
    return current_app.config["PICTURE_MAX_BYTES"]


def too_large_message() -> str:
    megabytes = size_limit() / (1024 * 1024)
    return (
        f"This picture is larger than {megabytes:g} MB, the most the site takes. "
        "Please make it smaller (a phone's “medium” or “large” size is plenty) "
        "and upload it again."
    )


def clean_alt(alt: str) -> str:
    """A description on one line, without surrounding spaces."""
    return " ".join((alt or "").split())[:ALT_MAX]


def save_picture(data: bytes, filename: str = "", alt: str = "") -> Picture:
    """Check and store an upload with its resized copies (added, not committed);
    PictureError with a message for the owner when it is refused."""
    picture = new_picture(data, filename, alt)
    db.session.add(picture)
    db.session.flush()
    return picture


def save_picture_once(
    data: bytes, filename: str = "", alt: str = ""
) -> tuple[Picture, bool]:
    """Like `save_picture`, but a picture whose copies are already stored (same
    digest) is found, not stored again; True when it was new. For imports that
    may run twice."""
    picture = new_picture(data, filename, alt)
    found = db.session.scalar(
        select(Picture).where(Picture.digest == picture.digest).order_by(Picture.id)
    )
    if found is not None:
        return found, False
    db.session.add(picture)
    db.session.flush()
    return picture, True


def new_picture(data: bytes, filename: str = "", alt: str = "") -> Picture:
    """The checked, resized picture, not yet added to the session."""
    if len(data) > size_limit():
        raise PictureTooLarge(too_large_message())
    prepared = prepare(data, filename)
    digest = hashlib.sha256()
    for variant in prepared.variants:
        digest.update(variant.data)
    return Picture(
        digest=digest.hexdigest()[:DIGEST_CHARS],
        alt=clean_alt(alt),
        original_name=(filename or "")[-255:],
        original_format=prepared.format,
        original_bytes=len(data),
        width=prepared.width,
        height=prepared.height,
        variants=[
            PictureVariant(
                width=v.width,
                height=v.height,
                media_type=v.media_type,
                byte_size=len(v.data),
                data=v.data,
            )
            for v in prepared.variants
        ],
    )


def parse_address(src: str) -> tuple[int, str, int, int] | None:
    """(id, digest, width, height) of a picture variant's address, or None."""
    found = ADDRESS.fullmatch(src.split("?", 1)[0])
    if not found:
        return None
    return int(found[1]), found[2], int(found[3]), int(found[4])


def find_variant(
    picture_id: int, digest: str, width: int, height: int
) -> PictureVariant | None:
    """The variant with its bytes, if the address is current."""
    return db.session.scalar(
        select(PictureVariant)
        .join(PictureVariant.picture)
        .where(
            PictureVariant.picture_id == picture_id,
            PictureVariant.width == width,
            PictureVariant.height == height,
            Picture.digest == digest,
        )
        .options(undefer(PictureVariant.data))
    )


def markdown_for(picture: Picture) -> str:
    """`![description](address)`, with the characters Markdown treats specially in
    a description escaped."""
    alt = re.sub(r"([\\\[\]])", r"\\\1", picture.alt)
    return f"![{alt}]({picture_url(picture)})"


def as_json(picture: Picture) -> dict:
    """What the editor's script gets back after an upload."""
    return {
        "id": picture.id,
        "url": picture_url(picture),
        "alt": picture.alt,
        "width": picture.largest.width,
        "height": picture.largest.height,
        "markdown": markdown_for(picture),
    }
