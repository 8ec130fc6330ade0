"""Security headers on every response, error pages included.

The Content-Security-Policy allows scripts from this site only and no inline
script. JSON-LD (`<script type="application/ld+json">`) is data a browser never
runs, so CSP does not apply to it. Inline `<style>` blocks written literally in a
template (the admin has one) are allowed by their hash, computed at start-up, so
an injected style block would still be refused. A response that sets its own
header (the media route's stricter CSP) keeps it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from flask import Flask

STYLE_BLOCK = re.compile(r"<style>(.*?)</style>", re.S)


def template_style_hashes(folder: Path) -> list[str]:
    """CSP hashes of each literal `<style>` block in the templates."""
    hashes = set()
    for path in sorted(folder.rglob("*.html")):
        for css in STYLE_BLOCK.findall(path.read_text(encoding="utf-8")):
            if "{{" in css or "{%" in css:
                continue  # rendered differently each time: cannot be hashed here
            digest = hashlib.sha256(css.encode()).digest()
            hashes.add(f"'sha256-{base64.b64encode(digest).decode()}'")
    return sorted(hashes)


def content_security_policy(style_hashes: list[str]) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            " ".join(["style-src 'self'", *style_hashes]),
            "img-src 'self' data:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeaders:
    """WSGI middleware adding the headers to every response, also those answered
    before Flask (WhiteNoise's static files, a bad Host's 400). A header the
    response already has is left as it is."""

    def __init__(self, wsgi_app, headers: dict[str, str]) -> None:
        self.wsgi_app = wsgi_app
        self.headers = list(headers.items())

    def __call__(self, environ, start_response):
        def start(status, headers, exc_info=None):
            present = {name.lower() for name, _ in headers}
            headers.extend(h for h in self.headers if h[0].lower() not in present)
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)


def init_app(app: Flask) -> None:
    headers = {
        "Content-Security-Policy": content_security_policy(
            template_style_hashes(Path(app.template_folder))
        ),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }
    if app.config["SITE_URL"].startswith("https://"):
        hsts = "max-age=31536000"
        if app.config["HSTS_INCLUDE_SUBDOMAINS"]:
            hsts += "; includeSubDomains"  # only if every subdomain has HTTPS
        headers["Strict-Transport-Security"] = hsts
    app.wsgi_app = SecurityHeaders(app.wsgi_app, headers)
