"""Reading Wix's CSV exports: any column order, extra columns, loose names and dates.

Column names are compared loosely ("Published Date", "published_date" and
"PUBLISHED DATE" are the same column), so a re-ordered or hand-made file still works.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

# Rich content can be long; the csv module's default limit (128 KiB) is not enough.
FIELD_LIMIT = 16 * 1024 * 1024

DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%b %d, %Y %I:%M %p",
    "%B %d, %Y %I:%M %p",
    "%d %b %Y",
)


class CSVError(Exception):
    """The file cannot be read as the expected export; the message says why."""


def column_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", (name or "").lower()).strip()


class Row:
    """One CSV row, looked up by any of a column's usual names. `number` is the row
    as a spreadsheet numbers it (the column names are row 1)."""

    def __init__(self, number: int, values: dict[str, str]) -> None:
        self.number = number
        self.values = {column_key(k): (v or "").strip() for k, v in values.items() if k}

    def get(self, *names: str) -> str:
        """The first non-empty value among the given column names, else ""."""
        for name in names:
            if value := self.values.get(column_key(name)):
                return value
        return ""


def read_rows(path: Path, required: dict[str, tuple[str, ...]]) -> Iterator[Row]:
    """Yield the rows of `path`; raise CSVError if a required column is missing.

    `required` maps a column's description to the names it may have.
    """
    csv.field_size_limit(FIELD_LIMIT)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            present = {column_key(name) for name in reader.fieldnames or []}
            for label, names in required.items():
                if not present & {column_key(n) for n in names}:
                    found = ", ".join(reader.fieldnames or []) or "nothing"
                    raise CSVError(
                        f"{path.name}: no {label} column found. The first line should "
                        f"name the columns; it has: {found}"
                    )
            for number, values in enumerate(reader, start=2):
                yield Row(number, values)
    except FileNotFoundError:
        raise CSVError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise CSVError(
            f"{path.name}: not UTF-8 text. Export it again from Wix, or save it "
            "from your spreadsheet as 'CSV UTF-8'."
        ) from None
    except csv.Error as exc:
        raise CSVError(f"{path.name}: not a readable CSV file ({exc})") from None


def parse_datetime(text: str) -> datetime | None:
    """A date or time in any usual export format, in UTC; None if unreadable.

    Times without a zone are taken as UTC.
    """
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        for pattern in DATE_FORMATS:
            try:
                value = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        else:
            return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def split_list(text: str) -> list[str]:
    """Tags or categories: a JSON array (`["a", "b"]`) or comma-separated words."""
    text = (text or "").strip()
    if text.startswith("["):
        try:
            items = json.loads(text)
        except ValueError:
            items = text.strip("[]").split(",")
    else:
        items = text.split(",")
    return [
        str(item).strip().strip("\"'").strip() for item in items if str(item).strip()
    ]
