"""Geometry for the server-rendered SVG charts (result page, dashboard, landing page, PDF report).

Plain Python: it turns scores into coordinates; templates draw and label them, so the same chart
serves the page and the PDF, and screen readers get the numbers from a table beside it.

Horizontal positions are percentages of the chart's width and vertical ones are pixels, with no
``viewBox``: the chart stretches to its card while its text keeps its size (``FONT_SIZE`` px), so
a label never shrinks below what a phone's reader can read (issue 15: at 390 px a 640-unit
viewBox drew 5 px labels). Labels sit above their bar or box, never in a column beside it, so a
narrow screen leaves the whole width to the plot. WeasyPrint draws the same percentages.
"""

from __future__ import annotations

from dataclasses import dataclass

PALETTE = ("#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#d63384", "#20c997", "#6c757d")
FONT_SIZE = 14  # every label, in CSS pixels; tick labels use TICK_FONT_SIZE
TICK_FONT_SIZE = 12
TICKS = (0, 25, 50, 75, 100)


def pct(value: float) -> float:
    """A 0–100 score as a percentage of the plot's width, clamped, to one decimal."""
    return round(max(0.0, min(float(value), 100.0)), 1)


@dataclass(frozen=True, slots=True)
class Tick:
    x: float  # percent
    value: int
    anchor: str  # text-anchor: the end ticks stay inside the chart

    @classmethod
    def axis(cls) -> tuple[Tick, ...]:
        return tuple(
            cls(v, v, "start" if v == 0 else "end" if v == 100 else "middle") for v in TICKS
        )


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    score: float | None
    y: float  # the label line's baseline
    bar_y: float
    width: float  # percent of the plot
    track_y: float  # the middle of the bar: a light full-width track is drawn along it


@dataclass(frozen=True, slots=True)
class BarChart:
    height: int
    bar_height: int
    axis_y: int  # where the gridlines end and the tick labels sit
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    kind = "bars"  # which part of evaluations/_chart.html draws it
    font_size = FONT_SIZE
    tick_font_size = TICK_FONT_SIZE


def bar_chart(items: list[tuple[str, float | None]]) -> BarChart:
    """One bar per item on a fixed 0–100 axis, its label and score on the line above it; a None
    score ("not weighted") draws no bar."""
    row, bar_height, top = 46, 16, 4
    bars = []
    for i, (label, score) in enumerate(items):
        y = top + i * row
        width = 0.0 if score is None else pct(score)
        bar_y = y + FONT_SIZE + 8
        bars.append(Bar(label, score, y + FONT_SIZE + 2, bar_y, width, bar_y + bar_height / 2))
    axis_y = top + len(items) * row
    return BarChart(axis_y + TICK_FONT_SIZE + 4, bar_height, axis_y, tuple(bars), Tick.axis())


@dataclass(frozen=True, slots=True)
class Segment:
    x1: float  # percent
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    color: str
    segments: tuple[Segment, ...]  # consecutive dots joined (a missing value is skipped)
    dots: tuple[tuple[float, float, float], ...]  # (x percent, y, value)
    dashed: bool


@dataclass(frozen=True, slots=True)
class XLabel:
    x: float  # percent
    lines: tuple[str, ...]  # a period on two short lines: ("2026", "Q1"), ("2026年", "第一季度")
    minor: bool  # left out on a narrow screen (static/css/site.css), so labels never overlap


@dataclass(frozen=True, slots=True)
class LineChart:
    height: int
    top: int
    plot_height: int
    x_labels: tuple[XLabel, ...]
    y_ticks: tuple[tuple[float, int], ...]  # (y, value); the label sits above its gridline
    series: tuple[Series, ...]
    # (x percent, what changed, text-anchor) between two periods
    changes: tuple[tuple[float, str, str], ...] = ()
    font_size = FONT_SIZE
    tick_font_size = TICK_FONT_SIZE


# Percent kept free beside the first and last period: half a two-line period label at 390 px.
LINE_LEFT, LINE_RIGHT = 9.0, 9.0
MAX_X_LABELS = 8


def line_chart(
    periods: list[str | tuple[str, ...]],
    series: list[tuple[str, list[float | None]]],
    *,
    changes: list[tuple[int, str]] = (),
) -> LineChart:
    """Scores (0–100) over periods; the first series is drawn solid, the others dashed.
    ``changes`` marks, before period i, that the scores from there on use another scheme."""
    top, plot_height, bottom = 16, 200, 26
    n = len(periods)
    span = 100.0 - LINE_LEFT - LINE_RIGHT

    def x_at(i: int) -> float:
        return round(LINE_LEFT + (span / 2 if n == 1 else span * i / (n - 1)), 2)

    def y_at(value: float) -> float:
        return round(top + plot_height * (1 - max(0.0, min(value, 100.0)) / 100), 1)

    drawn = []
    for index, (label, values) in enumerate(series):
        dots = tuple((x_at(i), y_at(v), v) for i, v in enumerate(values) if v is not None)
        segments = tuple(
            Segment(a[0], a[1], b[0], b[1]) for a, b in zip(dots, dots[1:], strict=False)
        )
        drawn.append(Series(label, PALETTE[index % len(PALETTE)], segments, dots, index > 0))
    step = max(1, -(-n // MAX_X_LABELS))  # at most eight period labels
    shown = [i for i in range(n) if i % step == 0]
    last = len(shown) - 1
    x_labels = tuple(
        XLabel(
            x_at(i),
            (periods[i],) if isinstance(periods[i], str) else tuple(periods[i]),
            # a phone keeps the first, the last and every other one between, never the one
            # just before the last (it would touch it)
            0 < position < last and (position % 2 == 1 or position == last - 1),
        )
        for position, i in enumerate(shown)
    )
    y_ticks = tuple((y_at(v), v) for v in TICKS)
    return LineChart(
        top + plot_height + bottom,
        top,
        plot_height,
        x_labels,
        y_ticks,
        tuple(drawn),
        tuple(
            (x, label, "end" if x > 60 else "start")
            for x, label in (
                (round((x_at(i - 1) + x_at(i)) / 2, 2), label) for i, label in changes if i > 0
            )
        ),
    )


@dataclass(frozen=True, slots=True)
class BoxRow:
    label: str
    y: float  # the label line's baseline
    box_y: float
    x_min: float  # percent
    x_q1: float
    x_median: float
    x_q3: float
    x_max: float
    x_value: float | None
    value: float | None  # the enterprise's score, written at the end of the label line
    box_width: float


@dataclass(frozen=True, slots=True)
class BoxChart:
    height: int
    row_height: int  # the box's height
    axis_y: int
    rows: tuple[BoxRow, ...]
    ticks: tuple[Tick, ...]
    kind = "boxes"
    font_size = FONT_SIZE
    tick_font_size = TICK_FONT_SIZE


def box_chart(items: list[tuple[str, object]]) -> BoxChart:
    """Small box plots on a 0–100 axis; each item is (label, box with minimum, q1, median, q3,
    maximum and the enterprise's value, drawn as a dot)."""
    row, box_height, top = 50, 18, 4
    rows = []
    for i, (label, b) in enumerate(items):
        y = top + i * row
        value = getattr(b, "value", None)
        rows.append(
            BoxRow(
                label,
                y + FONT_SIZE + 2,
                y + FONT_SIZE + 8,
                pct(b.minimum),
                pct(b.q1),
                pct(b.median),
                pct(b.q3),
                pct(b.maximum),
                None if value is None else pct(value),
                value,
                round(pct(b.q3) - pct(b.q1), 1),
            )
        )
    axis_y = top + len(items) * row
    return BoxChart(axis_y + TICK_FONT_SIZE + 4, box_height, axis_y, tuple(rows), Tick.axis())
