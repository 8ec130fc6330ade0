"""A readable comparison of two versions of a text, for the revisions page.

Lines that stayed are shown as they are (long unchanged stretches folded), removed
lines struck through and added ones marked; within a changed paragraph only the
words that changed are marked, since a paragraph is one long line in Markdown.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from markupsafe import Markup, escape

CONTEXT = 2  # unchanged lines kept around each change
WORDS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class DiffLine:
    kind: str  # same | removed | added | changed | folded
    html: Markup


def word_diff(old: str, new: str) -> Markup:
    """One line, with removed words in <del> and added ones in <ins>."""
    a, b = WORDS.findall(old), WORDS.findall(new)
    parts = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(Markup("<del>%s</del>") % "".join(a[i1:i2]))
        if j2 > j1:
            parts.append(Markup("<ins>%s</ins>") % "".join(b[j1:j2]))
    return Markup("").join(parts)


def compare(old: str, new: str) -> list[DiffLine]:
    """The lines of `old` turned into `new`, marked."""
    a, b = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            same = a[i1:i2]
            if len(same) > 2 * CONTEXT + 1:
                folded = len(same) - 2 * CONTEXT
                same_html = [escape(line) for line in same]
                lines += [DiffLine("same", h) for h in same_html[:CONTEXT]]
                lines.append(DiffLine("folded", Markup(f"{folded} unchanged lines")))
                lines += [DiffLine("same", h) for h in same_html[-CONTEXT:]]
            else:
                lines += [DiffLine("same", escape(line)) for line in same]
        elif op == "replace" and i2 - i1 == j2 - j1:
            lines += [
                DiffLine("changed", word_diff(x, y))
                for x, y in zip(a[i1:i2], b[j1:j2], strict=True)
            ]
        else:
            lines += [DiffLine("removed", escape(line)) for line in a[i1:i2]]
            lines += [DiffLine("added", escape(line)) for line in b[j1:j2]]
    return lines
