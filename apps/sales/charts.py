"""Charts of the control panel's figures, drawn on the server as SVG.

Why server-side SVG and not a JavaScript chart library: the pages run under a strict CSP
(no inline script or style) and vendor every asset; an SVG written by the template needs no
script at all, works with JavaScript off, prints, and is accessible by construction — each
chart is an `<svg role="img">` with a `<title>` and a `<desc>` that says what it shows, axes
with labelled ticks, the value of every bar written on it (and in its own `<title>`, shown on
hover), and the same figures in a table next to it for screen readers (the template's
`sales/control/_chart.html`). Colours and sizes come from static/css/figures.css (classes
only, no style attributes). This module only computes geometry: the template draws it.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # the category (a day, a channel)
    value_label: str  # the value as written on the bar
    text_x: float
    text_y: float


@dataclass(frozen=True)
class Tick:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class Chart:
    """A bar chart's geometry in its viewBox (width × height)."""

    title: str
    description: str
    width: int
    height: int
    horizontal: bool
    left: float
    top: float
    right: float
    bottom: float
    bars: list[Bar]
    value_ticks: list[Tick]
    category_ticks: list[Tick]


def _nice_maximum(value: float) -> tuple[float, float]:
    """An axis maximum at or above `value` and its tick step (1, 2 or 5 × 10ⁿ, at most 5 ticks
    above zero)."""
    if value <= 0:
        return 1.0, 1.0
    raw = value / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(nice * magnitude for nice in (1, 2, 5, 10) if nice * magnitude >= raw)
    if value >= 1:
        step = max(step, 1.0)  # no half tickets on an axis
    return round(step * math.ceil(value / step), 10), round(step, 10)


def _tick_label(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def column_chart(
    *,
    title: str,
    description: str,
    points: Sequence[tuple[str, Decimal | int, str]],
    label_every: int = 1,
    width: int = 720,
    height: int = 260,
) -> Chart:
    """Vertical bars, one per point (category, value, value as written)."""
    left, top, right, bottom = 44.0, 16.0, width - 8.0, height - 40.0
    maximum, step = _nice_maximum(float(max((p[1] for p in points), default=0)))
    slot = (right - left) / max(len(points), 1)
    bar_width = max(slot * 0.7, 1.0)
    bars = []
    category_ticks = []
    for index, (label, value, value_label) in enumerate(points):
        bar_height = (bottom - top) * float(value) / maximum
        x = left + index * slot + (slot - bar_width) / 2
        bars.append(
            Bar(
                x=round(x, 2),
                y=round(bottom - bar_height, 2),
                width=round(bar_width, 2),
                height=round(bar_height, 2),
                label=label,
                value_label=value_label if value else "",
                text_x=round(x + bar_width / 2, 2),
                text_y=round(bottom - bar_height - 3, 2),
            )
        )
        if index % label_every == 0:
            category_ticks.append(Tick(x=round(x + bar_width / 2, 2), y=bottom + 16, label=label))
    value_ticks = []
    tick = 0.0
    while tick <= maximum + 1e-9:
        value_ticks.append(
            Tick(x=left - 6, y=round(bottom - (bottom - top) * tick / maximum, 2), label=_tick_label(tick))
        )
        tick += step
    return Chart(
        title, description, width, height, False, left, top, right, bottom, bars, value_ticks, category_ticks
    )


def bar_chart(
    *,
    title: str,
    description: str,
    points: Sequence[tuple[str, Decimal | int, str]],
    width: int = 720,
    row_height: int = 30,
) -> Chart:
    """Horizontal bars, one row per point (category, value, value as written)."""
    left, top, right = 180.0, 8.0, width - 60.0
    height = int(top + row_height * max(len(points), 1) + 28)
    bottom = height - 28.0
    maximum, step = _nice_maximum(float(max((p[1] for p in points), default=0)))
    bars = []
    category_ticks = []
    for index, (label, value, value_label) in enumerate(points):
        length = (right - left) * float(value) / maximum
        y = top + index * row_height + row_height * 0.15
        bars.append(
            Bar(
                x=left,
                y=round(y, 2),
                width=round(length, 2),
                height=round(row_height * 0.7, 2),
                label=label,
                value_label=value_label,
                text_x=round(left + length + 4, 2),
                text_y=round(y + row_height * 0.5, 2),
            )
        )
        category_ticks.append(Tick(x=left - 6, y=round(y + row_height * 0.5, 2), label=label))
    value_ticks = []
    tick = 0.0
    while tick <= maximum + 1e-9:
        value_ticks.append(
            Tick(x=round(left + (right - left) * tick / maximum, 2), y=bottom + 16, label=_tick_label(tick))
        )
        tick += step
    return Chart(
        title, description, width, height, True, left, top, right, bottom, bars, value_ticks, category_ticks
    )
