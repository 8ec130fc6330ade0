"""Charts drawn on the server as inline SVG: no script, no other site.

Each chart is an image with a title and a description for screen readers, and
comes with a one-sentence summary the page shows as text (the numbers are also
in a table next to it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

INK = "#1f2328"  # text: 15:1 on white
BAR = "#0b5394"  # bars: 8:1 on white, well above the 3:1 graphics need
AXIS = "#595959"
WIDTH = 720


@dataclass(frozen=True)
class Chart:
    svg: Markup
    summary: str


def svg(
    chart_id: str, title: str, summary: str, height: int, body: list[str]
) -> Markup:
    parts = [
        f'<svg id="{chart_id}" class="chart" role="img" viewBox="0 0 {WIDTH} {height}"'
        f' width="100%" preserveAspectRatio="xMinYMin meet"'
        f' aria-labelledby="{chart_id}-title {chart_id}-desc"'
        f' font-family="system-ui, sans-serif" font-size="15">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(summary)}</desc>',
        *body,
        "</svg>",
    ]
    return Markup("\n".join(parts))


def short_day(day: date) -> str:
    return f"{day:%b} {day.day}"


def day_summary(series: list[tuple[date, int]]) -> str:
    total = sum(n for _, n in series)
    if not total:
        return f"None in the {len(series)} days shown."
    busiest_day, most = max(series, key=lambda item: (item[1], item[0]))
    quiet = sum(1 for _, n in series if n == 0)
    return (
        f"{total} in the {len(series)} days from {series[0][0]:%Y-%m-%d} to "
        f"{series[-1][0]:%Y-%m-%d}. The busiest day was {busiest_day:%Y-%m-%d} "
        f"with {most}; {quiet} day{'s' if quiet != 1 else ''} had none."
    )


def day_chart(series: list[tuple[date, int]], chart_id: str, title: str) -> Chart:
    """Columns, one per day, oldest on the left; the axis marks the highest value."""
    summary = day_summary(series)
    height, left, right, top, bottom = 200, 44, 8, 12, 28
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    most = max((n for _, n in series), default=0) or 1
    step = plot_w / max(len(series), 1)
    base = top + plot_h
    body = [
        f'<line x1="{left}" y1="{base}" x2="{WIDTH - right}" y2="{base}" '
        f'stroke="{AXIS}"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" '
        f'fill="{INK}">{most}</text>',
        f'<text x="{left - 6}" y="{base}" text-anchor="end" fill="{INK}">0</text>',
    ]
    for index, (day, count) in enumerate(series):
        bar_h = plot_h * count / most
        body.append(
            f'<rect x="{left + index * step + 0.5:.1f}" y="{base - bar_h:.1f}" '
            f'width="{max(step - 1, 1):.1f}" height="{bar_h:.1f}" fill="{BAR}">'
            f"<title>{day:%Y-%m-%d}: {count}</title></rect>"
        )
    if series:
        marks = {0: "start", len(series) // 2: "middle", len(series) - 1: "end"}
        for index, anchor in marks.items():
            x = left + index * step + step / 2
            body.append(
                f'<text x="{x:.1f}" y="{height - 8}" text-anchor="{anchor}" '
                f'fill="{INK}">{short_day(series[index][0])}</text>'
            )
    return Chart(svg(chart_id, title, summary, height, body), summary)


def bar_chart(
    rows: list[tuple[str, int]], chart_id: str, title: str, noun: str = "state"
) -> Chart:
    """Horizontal bars, one per row, in the order given, each with its number."""
    if not rows:
        return Chart(Markup(""), "No one is on it yet.")
    total = sum(n for _, n in rows)
    top_label, top_value = rows[0]
    summary = (
        f"{total} in all, across {len(rows)} {noun}{'s' if len(rows) != 1 else ''}; "
        f"the most is {top_label} with {top_value}."
    )
    row_h, label_w, value_w = 30, 190, 50
    height = row_h * len(rows) + 8
    bar_room = WIDTH - label_w - value_w
    most = max(n for _, n in rows) or 1
    body = []
    for index, (label, value) in enumerate(rows):
        y = 4 + index * row_h
        bar_w = max(bar_room * value / most, 1)
        body += [
            f'<text x="{label_w - 8}" y="{y + 20}" text-anchor="end" '
            f'fill="{INK}">{escape(label)}</text>',
            f'<rect x="{label_w}" y="{y + 3}" width="{bar_w:.1f}" '
            f'height="{row_h - 8}" fill="{BAR}"/>',
            f'<text x="{label_w + bar_w + 6:.1f}" y="{y + 20}" '
            f'fill="{INK}">{value}</text>',
        ]
    return Chart(svg(chart_id, title, summary, height, body), summary)
