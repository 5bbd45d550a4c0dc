"""Charts as inline SVG, drawn on the server: no JavaScript library, nothing for the
Content-Security-Policy to allow. Colours come from presentation attributes and the
stylesheet (CSS classes), never inline ``style``."""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

from markupsafe import Markup

MAX_BAR = 24.0  # pixels of the 640-wide view box


def fill_days(
    points: list[tuple[date, int]], days: int | None = None, end: date | None = None
) -> list[tuple[date, int]]:
    """Every day from the first point (or ``days`` before ``end``) to ``end``, zeros
    where nothing happened, so gaps show as gaps."""
    counts = dict(points)
    if not counts and days is None:
        return []
    last = end or (max(counts) if counts else date.today())
    first = last - timedelta(days=days - 1) if days else min(counts)
    span = (last - first).days + 1
    return [
        (first + timedelta(days=i), counts.get(first + timedelta(days=i), 0))
        for i in range(max(span, 0))
    ]


def bar_chart(
    points: list[tuple[date, int]], *, label: str, width: int = 640, height: int = 160
) -> Markup:
    """A bar per day with a <title> tooltip; the accessible name is ``label``."""
    if not points:
        return Markup("")
    top = max(n for _, n in points) or 1
    left, bottom, pad = 36, 20, 4
    plot_w, plot_h = width - left - pad, height - bottom - pad
    step = plot_w / len(points)
    # A bar is never wider than MAX_BAR, centred in its day: one day of mentions draws as
    # one bar on a wide axis, not as a solid block that reads as a filled chart.
    bar = min(max(step - 1, 1), MAX_BAR)
    offset = (step - bar) / 2 if bar == MAX_BAR else 0.0
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(label)}" viewBox="0 0 {width} '
        f'{height}" width="100%" preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg">',
        f'<text class="axis" x="{left - 4}" y="{pad + 10}" text-anchor="end">{top}</text>',
        f'<text class="axis" x="{left - 4}" y="{pad + plot_h}" text-anchor="end">0</text>',
        f'<line class="baseline" x1="{left}" y1="{pad + plot_h}" x2="{width - pad}" '
        f'y2="{pad + plot_h}"/>',
    ]
    for i, (day, count) in enumerate(points):
        h = plot_h * count / top
        x = left + i * step + offset
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{pad + plot_h - h:.1f}" width="{bar:.1f}" '
            f'height="{h:.1f}"><title>{day.isoformat()}: {count}</title></rect>'
        )
    first, last = points[0][0].isoformat(), points[-1][0].isoformat()
    parts.append(f'<text class="axis" x="{left}" y="{height - 4}">{first}</text>')
    parts.append(
        f'<text class="axis" x="{width - pad}" y="{height - 4}" text-anchor="end">{last}</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))
