"""Server-rendered SVG bar charts, for the admin's insights. Private.

No JavaScript and no chart library: the admin page embeds the SVG inline, so
it renders offline, prints, and is read by screen readers through its
``<title>``, ``<desc>`` and one ``<title>`` per bar (shown as a tooltip).
Text and axes use ``currentColor``, so the chart follows the admin's light or
dark theme; the bar colours (Okabe-Ito) stay distinguishable with the common
colour-vision deficiencies.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

__all__ = ["PALETTE", "Series", "bar_chart"]

#: Okabe-Ito blue, bluish green, vermillion, reddish purple.
PALETTE = ("#0072b2", "#009e73", "#d55e00", "#cc79a7")

_FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'


@dataclass(frozen=True)
class Series:
    """One coloured set of bars: a value per category."""

    label: str
    values: Sequence[int]
    color: str


def bar_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    desc: str,
    chart_id: str = "chart",
    width: int = 760,
    height: int = 300,
    label_every: int = 1,
) -> str:
    """An SVG document (a string) of grouped bars: one group per category.

    ``label_every`` labels every n-th category on the x axis, counted back from
    the last one (so "today" is always labelled). ``chart_id`` prefixes the ids
    the accessible name refers to: make it unique in the page. Raises
    ValueError for no categories or series, a series whose length differs from
    the categories', or a negative value.
    """
    if not categories:
        raise ValueError("A chart needs at least one category.")
    if not series:
        raise ValueError("A chart needs at least one series.")
    for one in series:
        if len(one.values) != len(categories):
            raise ValueError(
                f"Series {one.label!r} has {len(one.values)} values for "
                f"{len(categories)} categories."
            )
        if any(value < 0 for value in one.values):
            raise ValueError(f"Series {one.label!r} has a negative value.")
    if label_every < 1:
        raise ValueError(f"label_every must be at least 1, not {label_every!r}.")

    left, right, top, bottom = 44, 12, 40, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    step, y_max = _scale(max(max(one.values) for one in series))
    group_w = plot_w / len(categories)
    bar_w = group_w * 0.8 / len(series)

    def y(value: float) -> float:
        return top + plot_h - plot_h * value / y_max

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" class="guest-auth-chart" '
        f'aria-labelledby="{_attr(chart_id)}-title {_attr(chart_id)}-desc" {_FONT} '
        f'font-size="12">',
        f'<title id="{_attr(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{_attr(chart_id)}-desc">{escape(desc)}</desc>',
    ]

    # Horizontal grid lines with their values.
    parts.append('<g class="axis y" fill="currentColor">')
    tick = 0
    while tick <= y_max:
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{_n(y(tick))}" y2="{_n(y(tick))}" '
            f'stroke="currentColor" stroke-opacity="{0.5 if tick == 0 else 0.15}"/>'
            f'<text x="{left - 6}" y="{_n(y(tick) + 4)}" text-anchor="end">{tick}</text>'
        )
        tick += step
    parts.append("</g>")

    # Bars; a zero draws nothing (its value is still in the page's table).
    for index, one in enumerate(series):
        parts.append(f'<g class="series" fill="{_attr(one.color)}">')
        for position, (category, value) in enumerate(zip(categories, one.values, strict=True)):
            if not value:
                continue
            x = left + position * group_w + group_w * 0.1 + index * bar_w
            parts.append(
                f'<rect class="bar" x="{_n(x)}" y="{_n(y(value))}" width="{_n(bar_w)}" '
                f'height="{_n(y(0) - y(value))}">'
                f"<title>{escape(category)}: {value} {escape(one.label)}</title></rect>"
            )
        parts.append("</g>")

    # Category labels, counted back from the last.
    parts.append('<g class="axis x" fill="currentColor" text-anchor="middle">')
    last = len(categories) - 1
    for position, category in enumerate(categories):
        if (last - position) % label_every:
            continue
        x = left + (position + 0.5) * group_w
        parts.append(f'<text x="{_n(x)}" y="{height - bottom + 18}">{escape(category)}</text>')
    parts.append("</g>")

    # The legend, above the plot.
    parts.append('<g class="legend" fill="currentColor">')
    x = left
    for one in series:
        parts.append(
            f'<rect x="{x}" y="12" width="12" height="12" fill="{_attr(one.color)}"/>'
            f'<text x="{x + 17}" y="22">{escape(one.label)}</text>'
        )
        x += 30 + 7 * len(one.label)
    parts.append("</g></svg>")
    return "".join(parts)


def _scale(largest: int) -> tuple[int, int]:
    """A grid step of 1, 2 or 5 times a power of ten, at most five steps to the top."""
    if largest <= 0:
        return 1, 1
    magnitude = 10 ** max(0, math.floor(math.log10(largest)) - 1)
    for factor in (1, 2, 5, 10, 20, 50):
        step = factor * magnitude
        if math.ceil(largest / step) <= 5:
            return step, step * math.ceil(largest / step)
    raise AssertionError("unreachable: 50 * 10**(digits - 2) steps cover any value")


def _n(value: float) -> str:
    """A coordinate, rounded: shorter markup, identical rendering."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _attr(value: str) -> str:
    return escape(value, quote=True)
