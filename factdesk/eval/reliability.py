"""A reliability diagram as a standalone SVG file: is a score of 0.7 right 70 % of the time?

Drawn here rather than with a plotting library because none is installed (and the desk
needs none): the diagram is a handful of shapes, and SVG keeps it readable in a browser,
on GitHub and inside ``docs/``. Plain data in (the bins of ``detect.loso.reliability``),
text out; the caller writes the file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

SIZE = 320.0  # side of the square plot, in view-box units
LEFT, TOP = 56.0, 52.0  # room for the axis labels and the title
HIST = 60.0  # height of the row-count strip under the plot
MAX_DOT = 9.0  # radius of the most populated bin's dot


def _x(score: float) -> float:
    return LEFT + SIZE * min(max(score, 0.0), 1.0)


def _y(share: float) -> float:
    return TOP + SIZE * (1.0 - min(max(share, 0.0), 1.0))


def reliability_chart(
    bins: Sequence[Mapping[str, float]], *, title: str, subtitle: str = ""
) -> str:
    """SVG of observed share against mean predicted score per bin, the diagonal being perfect
    calibration; each dot's area is proportional to its bin's rows, and a strip below shows
    how the rows spread over the scores (a well-calibrated bin of 3 rows proves little)."""
    width = LEFT + SIZE + 40.0
    height = TOP + SIZE + 36.0 + HIST + 24.0
    most = max((float(b["rows"]) for b in bins), default=1.0) or 1.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<text x="8" y="18" font-size="13" font-weight="bold">{escape(title)}</text>',
        f'<text x="8" y="36">{escape(subtitle)}</text>',
        f'<rect x="{LEFT}" y="{TOP}" width="{SIZE}" height="{SIZE}" fill="none" stroke="#888"/>',
    ]
    for tick in (0.0, 0.2, 0.4, 0.6, 0.8, 1.0):
        x, y = _x(tick), _y(tick)
        parts.append(
            f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + SIZE}" stroke="#eee"/>'
        )
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + SIZE}" y2="{y:.1f}" stroke="#eee"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{TOP + SIZE + 14}" text-anchor="middle">{tick:.1f}</text>'
        )
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{tick:.1f}</text>')
    parts.append(
        f'<line class="diagonal" x1="{_x(0):.1f}" y1="{_y(0):.1f}" x2="{_x(1):.1f}" '
        f'y2="{_y(1):.1f}" stroke="#999" stroke-dasharray="4 3"/>'
    )
    points = " ".join(f"{_x(b['predicted']):.1f},{_y(b['observed']):.1f}" for b in bins)
    if len(bins) > 1:
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="#1f5fa8" stroke-width="1.5"/>'
        )
    for b in bins:
        radius = max(MAX_DOT * (float(b["rows"]) / most) ** 0.5, 1.5)
        parts.append(
            f'<circle class="bin" cx="{_x(b["predicted"]):.1f}" cy="{_y(b["observed"]):.1f}" '
            f'r="{radius:.1f}" fill="#1f5fa8" fill-opacity="0.7">'
            f"<title>{b['low']:.1f}–{b['high']:.1f}: {int(b['rows'])} rows, mean score "
            f"{b['predicted']:.3f}, share check-worthy {b['observed']:.3f}</title></circle>"
        )
    parts.append(
        f'<text x="{LEFT + SIZE / 2}" y="{TOP + SIZE + 30}" text-anchor="middle">'
        "mean score in the bin</text>"
    )
    parts.append(
        f'<text transform="translate(16 {TOP + SIZE / 2}) rotate(-90)" text-anchor="middle">'
        "share check-worthy</text>"
    )
    base = TOP + SIZE + 36.0 + HIST
    for b in bins:
        bar = HIST * float(b["rows"]) / most
        x0, x1 = _x(b["low"]), _x(b["high"])
        parts.append(
            f'<rect class="rows" x="{x0 + 1:.1f}" y="{base - bar:.1f}" width="{x1 - x0 - 2:.1f}" '
            f'height="{bar:.1f}" fill="#9bb7d8"/>'
        )
    parts.append(
        f'<text x="{LEFT + SIZE / 2}" y="{base + 16}" text-anchor="middle">'
        f"rows per score bin (largest: {int(most):,})</text>"
    )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
