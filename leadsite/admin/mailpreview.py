"""The review page of a mail to a list shows the HTML mail itself, in a sandboxed
frame, beside its text part.

The frame's document (`srcdoc`) shares the page's Content-Security-Policy, which
refuses inline styles, and a mail is nothing but inline styles. So this one
response allows exactly the styles of this one mail, each by its hash
('unsafe-hashes' covers style attributes), and nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import re
from html import unescape
from pathlib import Path

from flask import current_app, make_response, render_template

from ..security.headers import content_security_policy, template_style_hashes

STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')
STYLE_BLOCK = re.compile(r"<style>(.*?)</style>", re.S)


def csp_hash(css: str) -> str:
    digest = hashlib.sha256(css.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def mail_styles(html: str) -> list[str]:
    """The hashes of every style attribute and style block in the mail."""
    found = {unescape(v) for v in STYLE_ATTRIBUTE.findall(html)}
    found |= set(STYLE_BLOCK.findall(html))
    return sorted(csp_hash(css) for css in found)


def mail_preview_page(template: str, html: str, **context):
    """Render `template` with `html` (the mail) and a policy that lets it show."""
    response = make_response(render_template(template, html=html, **context))
    page = template_style_hashes(Path(current_app.template_folder))
    response.headers["Content-Security-Policy"] = content_security_policy(
        [*page, "'unsafe-hashes'", *mail_styles(html)]
    )
    return response
