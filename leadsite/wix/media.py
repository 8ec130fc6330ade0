"""Ricos nodes that are not text or pictures: videos, audio, files, embeds, link
previews, HTML code and Wix app widgets. Each becomes a `<figure>` with a link to
its address (or the file's Wix id) and a line saying what it was, so nothing is
lost silently; HTML code is never copied into a post, only reported.
"""

from __future__ import annotations

import re
from html import escape

KINDS = ("VIDEO", "AUDIO", "FILE", "EMBED", "LINK_PREVIEW", "HTML", "APP_EMBED")
WHAT = {
    "VIDEO": "Video",
    "AUDIO": "Audio",
    "FILE": "File",
    "EMBED": "Embedded content",
    "LINK_PREVIEW": "Link",
    "HTML": "Embedded content",
    "APP_EMBED": "Wix app content",
}
ADDRESS_IN_CODE = re.compile(r"""(?:src|href)\s*=\s*["'](https?://[^"'\s<>]+)""")


def source(src: dict) -> str:
    """A media source's address: `url`, else `id`, else the older `custom`."""
    src = src or {}
    return src.get("url") or src.get("id") or src.get("custom") or ""


def address_and_title(node: dict) -> tuple[str, str, str]:
    """(address, title, description) of a media node, as Ricos names them."""
    kind = node.get("type")
    if kind == "VIDEO":
        data = node.get("videoData", {})
        return source(data.get("video", {}).get("src")), data.get("title") or "", ""
    if kind == "AUDIO":
        data = node.get("audioData", {})
        author = data.get("authorName") or ""
        return source(data.get("audio", {}).get("src")), data.get("name") or "", author
    if kind == "FILE":
        data = node.get("fileData", {})
        return source(data.get("src")), data.get("name") or "", ""
    if kind == "EMBED":
        data = node.get("embedData", {})
        oembed = data.get("oembed") or {}
        address = data.get("src") or oembed.get("url") or oembed.get("videoUrl")
        return address or "", oembed.get("title") or "", ""
    if kind == "LINK_PREVIEW":
        data = node.get("linkPreviewData", {})
        address = (data.get("link") or {}).get("url") or ""
        return address, data.get("title") or "", data.get("description") or ""
    if kind == "HTML":
        data = node.get("htmlData", {})
        found = ADDRESS_IN_CODE.search(data.get("html") or "")
        return data.get("url") or (found.group(1) if found else ""), "", ""
    data = node.get("appEmbedData", {})
    return data.get("url") or "", data.get("name") or "", ""


def figure(node: dict) -> tuple[str, str]:
    """The HTML kept in the post, and the note for the report."""
    kind = node.get("type", "")
    address, title, description = address_and_title(node)
    return render(kind, address, title, description, node.get("htmlData", {}))


def gallery_video(item: dict) -> tuple[str, str]:
    video = item.get("video", {})
    address = source(video.get("media", {}).get("src"))
    return render("VIDEO", address, item.get("title") or "", "", {})


def render(
    kind: str, address: str, title: str, description: str, html: dict
) -> tuple[str, str]:
    what = WHAT.get(kind, kind.title())
    label = escape(title or address or what)
    web = address.startswith(("http://", "https://"))
    if web:
        shown = f'<a href="{escape(address)}">{label}</a>'
        note = f"{kind} kept as a link to {address}"
    elif address:
        shown = label
        note = (
            f"{kind} kept as a line naming it; its file ({address}) is on Wix: "
            "download it from Wix's Media Manager and add it to the post by hand"
        )
    else:
        shown = label
        note = f"{kind} kept as a line naming it; Wix gave no address for it"
    if kind == "HTML" and html.get("html"):
        code = " ".join(html["html"].split())
        note += f"; its HTML code was not copied (it began: {code[:120]})"
    lines = [f"<figure>\n<p>{shown}</p>"]
    caption = f"{what} from the old site" + (
        f": {escape(description)}" if description else ""
    )
    lines.append(f"<figcaption>{caption}</figcaption>\n</figure>")
    return "\n".join(lines), note
