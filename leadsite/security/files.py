"""Only the files meant for visitors are served: nothing whose path has a part
starting with a dot (`.env`, `.git/`, editors' `.DS_Store`) through the static and
media routes. Traversal out of those folders (`..`, encoded or not) is refused by
Werkzeug's `safe_join` already; the tests try both."""

from __future__ import annotations

from flask import Flask, abort, request

FILE_ENDPOINTS = {"static", "blog.media"}


def init_app(app: Flask) -> None:
    @app.before_request
    def refuse_hidden_files():
        if request.endpoint not in FILE_ENDPOINTS:
            return
        filename = (request.view_args or {}).get("filename", "")
        parts = filename.replace("\\", "/").split("/")
        if any(part.startswith(".") for part in parts):
            abort(404)
