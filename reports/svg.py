"""Charts drawn on the server as SVG: the same drawing on the page and in the PDF, seen without
JavaScript. Each SVG has a title and a description, and carries its numbers as text beside the
bars and points; the chart's table under it has them too.

Bars are horizontal (long Chinese labels read on a phone); a doughnut is drawn as a stacked bar
with its shares, which compares parts of a whole just as well and needs no legend.
"""

from decimal import Decimal
from math import ceil

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from hotline.numbers import format_number

from .formatting import escape

WIDTH = 420  # about the width a chart is shown at, so that its text reads at its size
LABEL_WIDTH = 150  # the row labels' column, left of the bars
VALUE_SPACE = 80  # right of the longest bar, for its number
BAR, GAP = 22, 10
COLOURS = ["#1f5fa8", "#d9822b", "#3c8d5a", "#8e5aa8", "#b23b3b", "#5f6b7a"]
FONT = 'font-family="inherit" font-size="13"'


def _text(value) -> str:
    return escape(str(value))


def _shown(chart, series, value) -> str:
    if value is None:
        return "—"
    text = format_number(value, series.decimals)
    return f"{text}%" if chart.unit == "%" else text


def _frame(chart, height, body: str) -> SafeString:
    title_id, desc_id = f"{chart.id}-svg-title", f"{chart.id}-svg-desc"
    summary = "; ".join(f"{label}: " + ", ".join(values) for label, values in chart.rows) + (
        f" ({chart.unit})" if chart.unit else ""
    )
    head = format_html(
        '<svg class="chart-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" '
        'width="100%" role="img" aria-labelledby="{} {}"><title id="{}">{}</title>'
        '<desc id="{}">{}</desc>',
        WIDTH,
        height,
        title_id,
        desc_id,
        title_id,
        chart.title,
        desc_id,
        summary,
    )
    return mark_safe(head + body + "</svg>")


def _bars(chart) -> SafeString:
    values = [v for s in chart.series for v in s.values if v is not None]
    top = max(values, default=Decimal(0)) or Decimal(1)
    span = WIDTH - LABEL_WIDTH - VALUE_SPACE
    group = BAR * len(chart.series) + GAP
    parts, y = [], GAP
    for i, label in enumerate(chart.labels):
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + group / 2 - GAP / 2 + 4:.0f}" '
            f'text-anchor="end" {FONT} fill="#222">{_text(label)}</text>'
        )
        for n, series in enumerate(chart.series):
            value = series.values[i]
            length = 0 if value is None else float(value / top) * span
            top_y = y + n * BAR
            colour = COLOURS[n % len(COLOURS)]
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{top_y}" width="{length:.1f}" height="{BAR - 4}" '
                f'fill="{colour}"><title>{_text(series.label)}: '
                f"{_text(_shown(chart, series, value))}</title></rect>"
            )
            parts.append(
                f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{top_y + BAR / 2 + 2:.0f}" '
                f'{FONT} fill="#222">{_text(_shown(chart, series, value))}</text>'
            )
        y += group
    return _frame(chart, y + GAP, "".join(parts))


def _stacked(chart) -> SafeString:
    """Parts of a whole as one bar cut into its shares, each part labelled below."""
    [series] = chart.series
    values = [v or Decimal(0) for v in series.values]
    whole = sum(values) or Decimal(1)
    left, span, parts = 10.0, WIDTH - 20, []
    for n, (label, value) in enumerate(zip(chart.labels, values, strict=True)):
        length = float(value / whole) * span
        colour = COLOURS[n % len(COLOURS)]
        share = format_number(value / whole * 100, 1)
        words = f"{_text(label)}: {_text(_shown(chart, series, value))} ({share}%)"
        parts.append(
            f'<rect x="{left:.1f}" y="10" width="{length:.1f}" height="34" fill="{colour}">'
            f"<title>{words}</title></rect>"
        )
        row = 70 + n * 22
        parts.append(f'<rect x="10" y="{row - 12}" width="14" height="14" fill="{colour}"/>')
        parts.append(f'<text x="32" y="{row}" {FONT} fill="#222">{words}</text>')
        left += length
    return _frame(chart, 70 + len(values) * 22, "".join(parts))


def _line(chart) -> SafeString:
    values = [v for s in chart.series for v in s.values if v is not None]
    top = max(values, default=Decimal(0)) or Decimal(1)
    height, left, right, base = 240, 60, WIDTH - 40, 200
    steps = max(len(chart.labels) - 1, 1)

    def x(i):
        return left + (right - left) * i / steps

    def y(v):
        return base - float(v / top) * (base - 30)

    parts = [f'<line x1="{left}" y1="{base}" x2="{right}" y2="{base}" stroke="#999"/>']
    for i, label in enumerate(chart.labels):
        parts.append(
            f'<text x="{x(i):.1f}" y="{base + 20}" text-anchor="middle" {FONT} '
            f'fill="#222">{_text(label)}</text>'
        )
    for n, series in enumerate(chart.series):
        colour = COLOURS[n % len(COLOURS)]
        points = [(x(i), y(v), v) for i, v in enumerate(series.values) if v is not None]
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _v in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for px, py, v in points:
            shown = _text(_shown(chart, series, v))
            parts.append(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4" fill="{colour}">'
                f"<title>{_text(series.label)}: {shown}</title></circle>"
                f'<text x="{px:.1f}" y="{py - 8:.1f}" text-anchor="middle" {FONT} '
                f'fill="#222">{shown}</text>'
            )
    if len(chart.series) > 1:
        for n, series in enumerate(chart.series):
            colour = COLOURS[n % len(COLOURS)]
            lx = left + n * ceil((right - left) / len(chart.series))
            parts.append(
                f'<rect x="{lx}" y="4" width="12" height="12" fill="{colour}"/>'
                f'<text x="{lx + 16}" y="15" {FONT} fill="#222">{_text(series.label)}</text>'
            )
    return _frame(chart, height, "".join(parts))


def chart_svg(chart) -> SafeString:
    if chart.kind == "line":
        return _line(chart)
    if chart.kind == "doughnut" and len(chart.series) == 1:
        return _stacked(chart)
    return _bars(chart)
