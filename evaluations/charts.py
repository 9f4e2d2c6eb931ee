"""Geometry for the server-rendered SVG charts (result page, dashboard, PDF report).

Plain Python: it turns scores into coordinates; templates draw and label them, so the same chart
serves the page and the PDF, and screen readers get the numbers from a table beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

PALETTE = ("#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#d63384", "#20c997", "#6c757d")


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    score: float | None
    y: float
    width: float
    text_x: float


@dataclass(frozen=True, slots=True)
class BarChart:
    width: int
    height: int
    label_width: int
    plot_width: int
    bar_height: int
    bars: tuple[Bar, ...]
    ticks: tuple[tuple[float, int], ...]  # (x, value)
    kind = "bars"  # which part of evaluations/_chart.html draws it


def bar_chart(items: list[tuple[str, float | None]], *, width: int = 640) -> BarChart:
    """Horizontal bars on a fixed 0–100 axis; a None score ("not weighted") draws no bar."""
    label_width, bar_height, gap, top = 190, 26, 12, 8
    plot_width = width - label_width - 50
    bars = []
    for i, (label, score) in enumerate(items):
        y = top + i * (bar_height + gap)
        bar_width = 0.0 if score is None else plot_width * max(0.0, min(score, 100.0)) / 100
        bars.append(Bar(label, score, y, bar_width, label_width + bar_width + 6))
    height = top + len(items) * (bar_height + gap) + 22
    ticks = tuple((label_width + plot_width * v / 100, v) for v in (0, 25, 50, 75, 100))
    return BarChart(width, height, label_width, plot_width, bar_height, tuple(bars), ticks)


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    color: str
    points: str  # the SVG polyline "x,y x,y"
    dots: tuple[tuple[float, float, float], ...]  # (x, y, value)
    dashed: bool


@dataclass(frozen=True, slots=True)
class LineChart:
    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    x_labels: tuple[tuple[float, str], ...]
    y_ticks: tuple[tuple[float, int], ...]
    series: tuple[Series, ...]
    changes: tuple[tuple[float, str], ...] = ()  # (x, what changed) between two periods


def line_chart(
    periods: list[str],
    series: list[tuple[str, list[float | None]]],
    *,
    width: int = 720,
    changes: list[tuple[int, str]] = (),
) -> LineChart:
    """Scores (0–100) over periods; the first series is drawn solid, the others dashed.
    ``changes`` marks, before period i, that the scores from there on use another scheme."""
    left, top, right, bottom, plot_height = 40, 10, 20, 30, 220
    plot_width = width - left - right
    n = len(periods)

    def x_at(i: int) -> float:
        return left + (plot_width / 2 if n == 1 else plot_width * i / (n - 1))

    def y_at(value: float) -> float:
        return top + plot_height * (1 - max(0.0, min(value, 100.0)) / 100)

    drawn = []
    for index, (label, values) in enumerate(series):
        dots = tuple(
            (round(x_at(i), 1), round(y_at(v), 1), v) for i, v in enumerate(values) if v is not None
        )
        points = " ".join(f"{x},{y}" for x, y, _ in dots)
        drawn.append(Series(label, PALETTE[index % len(PALETTE)], points, dots, index > 0))
    step = max(1, n // 8)  # at most about eight period labels
    x_labels = tuple((round(x_at(i), 1), p) for i, p in enumerate(periods) if i % step == 0)
    y_ticks = tuple((round(y_at(v), 1), v) for v in (0, 25, 50, 75, 100))
    return LineChart(
        width,
        top + plot_height + bottom,
        left,
        top,
        plot_width,
        plot_height,
        x_labels,
        y_ticks,
        tuple(drawn),
        tuple((round((x_at(i - 1) + x_at(i)) / 2, 1), label) for i, label in changes if i > 0),
    )


@dataclass(frozen=True, slots=True)
class BoxRow:
    label: str
    y: float
    x_min: float
    x_q1: float
    x_median: float
    x_q3: float
    x_max: float
    x_value: float | None
    box_width: float


@dataclass(frozen=True, slots=True)
class BoxChart:
    width: int
    height: int
    label_width: int
    plot_width: int
    row_height: int
    rows: tuple[BoxRow, ...]
    ticks: tuple[tuple[float, int], ...]
    kind = "boxes"


def box_chart(items: list[tuple[str, object]], *, width: int = 640) -> BoxChart:
    """Small box plots on a 0–100 axis; each item is (label, box with minimum, q1, median, q3,
    maximum and the enterprise's value, drawn as a marker)."""
    label_width, row_height, gap, top = 190, 22, 14, 8
    plot_width = width - label_width - 20

    def x(v: float) -> float:
        return round(label_width + plot_width * max(0.0, min(v, 100.0)) / 100, 1)

    rows = []
    for i, (label, b) in enumerate(items):
        y = top + i * (row_height + gap)
        value = getattr(b, "value", None)
        rows.append(
            BoxRow(
                label,
                y,
                x(b.minimum),
                x(b.q1),
                x(b.median),
                x(b.q3),
                x(b.maximum),
                None if value is None else x(value),
                round(x(b.q3) - x(b.q1), 1),
            )
        )
    height = top + len(items) * (row_height + gap) + 22
    ticks = tuple((label_width + plot_width * v / 100, v) for v in (0, 25, 50, 75, 100))
    return BoxChart(width, height, label_width, plot_width, row_height, tuple(rows), ticks)
