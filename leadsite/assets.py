"""Static files under content-hashed names, compressed once, served by WhiteNoise.

At start-up each file in `static/` is copied to `instance/static/` under a name that
holds a hash of its bytes (`css/site.css` becomes `css/site.3f9a1c2b7d4e.css`), with
a gzip copy beside it (and a brotli one when the `brotli` package is installed).
Templates write `static_url("css/site.css")`. A changed file gets a new name, so a
browser may keep each one for a year without asking again (`immutable`), and never
shows yesterday's CSS with today's page. Old names stay on disk: a page still open
in a browser during an update keeps its look.

Images in `site/media/` (covers, pictures in posts) get the same treatment without
being renamed: pages link them as `/media/a/b.jpg?v=<hash>`, with their width and
height (so the page keeps their space and nothing jumps while they load), and the
media route keeps a versioned address a year (see `file_version`).

WhiteNoise answers `/static/...` before Flask sees the request: hashed names with a
one-year `immutable` lifetime, the plain names (for anything that links to them)
with `PLAIN_MAX_AGE`, each in gzip when the browser accepts it. Files whose path has
a part starting with a dot are never served. In production nginx serves
`instance/static/` itself (see docs/deployment.md); WhiteNoise is the fallback.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from flask import Flask, current_app, url_for
from PIL import Image, UnidentifiedImageError
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

HASH_CHARS = 12
HASHED_NAME = re.compile(rf"\.[0-9a-f]{{{HASH_CHARS}}}(\.\w+)?$")
PLAIN_MAX_AGE = 3600
BUILD_DIR = "static"  # in the instance folder, which is never committed
EXTENSION = "static_manifest"
SVG_TAG = re.compile(r"<svg\b[^>]*>", re.S)
SVG_ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*["']([^"']*)["']""")


def hashed_name(relative: str, data: bytes) -> str:
    """`css/site.css` -> `css/site.<first 12 hex digits of its SHA-256>.css`."""
    digest = hashlib.sha256(data).hexdigest()[:HASH_CHARS]
    folder, slash, filename = relative.rpartition("/")
    stem, _, suffix = filename.rpartition(".")
    named = f"{stem}.{digest}.{suffix}" if stem else f"{filename}.{digest}"
    return folder + slash + named


_versions: dict[tuple[str, int, int], str] = {}


def file_version(path: Path) -> str:
    """The first 12 hex digits of the file's SHA-256, remembered while its size and
    modification time stay the same."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _versions:
        _versions[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:HASH_CHARS]
    return _versions[key]


def svg_size(text: str) -> tuple[int, int] | None:
    """An SVG's size from its width and height, or else its viewBox."""
    tag = SVG_TAG.search(text)
    attributes = dict(SVG_ATTRIBUTE.findall(tag.group(0))) if tag else {}
    try:
        width = float(attributes["width"].removesuffix("px"))
        height = float(attributes["height"].removesuffix("px"))
    except (KeyError, ValueError):
        try:
            width, height = map(
                float, attributes["viewBox"].replace(",", " ").split()[2:]
            )
        except (KeyError, ValueError):
            return None
    return (round(width), round(height)) if width > 0 and height > 0 else None


def image_size(path: Path) -> tuple[int, int] | None:
    """An image's width and height in pixels; None when it cannot be read."""
    try:
        if path.suffix.lower() == ".svg":
            return svg_size(path.read_text(encoding="utf-8", errors="replace"))
        with Image.open(path) as image:
            return image.size
    except (OSError, UnidentifiedImageError):
        return None


def write_once(path: Path, data: bytes) -> None:
    """Write the file unless it exists. Its name holds its hash, so an existing file
    is already right; the write goes through a temporary file and a rename, so other
    workers starting at the same moment never see half a file."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def compressed_copies(name: str, data: bytes) -> dict[str, bytes]:
    """The `.gz` (and `.br`) copies worth keeping: at least 5% smaller."""
    compressor = Compressor(quiet=True)
    if not compressor.should_compress(name):
        return {}
    copies = {".gz": compressor.compress_gzip(data)}
    if compressor.use_brotli:
        copies[".br"] = compressor.compress_brotli(data)
    return {
        suffix: squeezed
        for suffix, squeezed in copies.items()
        if compressor.is_compressed_effectively(suffix, name, len(data), squeezed)
    }


def visible_files(source: Path) -> list[str]:
    """Every file under `source` as a relative path, leaving out dotfiles."""
    return sorted(
        path.relative_to(source).as_posix()
        for path in source.rglob("*")
        if path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(source).parts)
    )


def build(source: Path, target: Path) -> dict[str, str]:
    """Copy each static file to `target` under its hashed name, with compressed
    copies; return the manifest, plain name -> hashed name.

    The hashed copy is written after its compressed copies, so once it is there
    the file is done and nothing is compressed again: every start-up (each
    `flask` command, each gunicorn worker) used to spend 0.2 s on brotli."""
    manifest = {}
    for relative in visible_files(source):
        data = (source / relative).read_bytes()
        name = hashed_name(relative, data)
        manifest[relative] = name
        if (target / name).exists():
            continue
        for suffix, squeezed in compressed_copies(name, data).items():
            write_once(target / (name + suffix), squeezed)
        write_once(target / name, data)
    return manifest


def static_url(filename: str) -> str:
    """The address of a static file under its hashed name (templates use this)."""
    manifest = current_app.extensions[EXTENSION]
    return url_for("static", filename=manifest.get(filename, filename))


def is_hashed(_path: str, url: str) -> bool:
    return bool(HASHED_NAME.search(url))


def nosniff(headers, _path: str, _url: str) -> None:
    headers["X-Content-Type-Options"] = "nosniff"


def init_app(app: Flask) -> None:
    """Build the hashed copies, offer `static_url` to templates, and put WhiteNoise
    in front of the app for `/static/`."""
    source = Path(app.static_folder)
    target = Path(app.instance_path) / BUILD_DIR
    manifest = build(source, target)
    app.extensions[EXTENSION] = manifest
    app.add_template_global(static_url)

    files = WhiteNoise(
        app.wsgi_app,
        max_age=PLAIN_MAX_AGE,
        immutable_file_test=is_hashed,
        add_headers_function=nosniff,
        allow_all_origins=False,
    )
    prefix = app.static_url_path.rstrip("/") + "/"
    for plain, hashed in manifest.items():
        # Both names serve the built copy, so both come compressed.
        for url in (prefix + plain, prefix + hashed):
            files.add_file_to_dictionary(url, str(target / hashed))
    app.wsgi_app = files
