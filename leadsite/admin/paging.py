"""Page numbers for long tables, read from `?page=` and shown as Previous / Next."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request


def page_number() -> int:
    """The page asked for; anything that is not a positive whole number means 1."""
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and int(raw) > 0 else 1


@dataclass(frozen=True)
class Page:
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        return (min(self.number, self.pages) - 1) * self.per_page

    @property
    def current(self) -> int:
        return min(self.number, self.pages)

    @property
    def first_row(self) -> int:
        return self.offset + 1 if self.total else 0

    @property
    def last_row(self) -> int:
        return min(self.offset + self.per_page, self.total)
