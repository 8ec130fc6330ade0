"""A cap on the number of fields in a form submission, whichever its encoding.

Werkzeug counts the parts of a `multipart/form-data` body against MAX_FORM_PARTS,
but parses an urlencoded body whole, however many fields it holds: 500 KB of
`a=&a=&...` is a quarter of a million fields. Here the urlencoded body is counted
too, before parsing; over the cap, the friendly 413 page (`failures`).
"""

from __future__ import annotations

import io

from flask import Flask, Request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser


class TooManyFields(RequestEntityTooLarge):
    """More fields than MAX_FORM_PARTS: a 413 that says nothing about size."""


class CappedFormDataParser(FormDataParser):
    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        body = stream.read()
        fields = body.count(b"&") + 1 if body else 0
        if self.max_form_parts is not None and fields > self.max_form_parts:
            raise TooManyFields()
        return super()._parse_urlencoded(
            io.BytesIO(body), mimetype, content_length, options
        )


class CappedRequest(Request):
    """Flask's request; its `max_form_parts` is the MAX_FORM_PARTS setting."""

    form_data_parser_class = CappedFormDataParser


def init_app(app: Flask) -> None:
    app.request_class = CappedRequest
