from evaluations.charts import FONT_SIZE, TICK_FONT_SIZE, bar_chart, box_chart, line_chart
from evaluations.peers import Box


def test_bars_are_proportional_to_the_score_and_none_draws_nothing():
    chart = bar_chart([("A", 100.0), ("B", 50.0), ("C", None)])
    full, half, empty = chart.bars
    assert full.width == 100.0  # percent of the chart's width
    assert half.width == 50.0
    assert empty.width == 0.0 and empty.score is None
    assert half.y > full.y
    # each label sits on its own line above its bar, never in a column beside it
    assert full.y < full.bar_y < half.y
    assert chart.height > chart.axis_y > empty.bar_y


def test_text_keeps_a_readable_size_whatever_the_width():
    """Issue 15: no viewBox scales the text down; 11 px is the least a phone reader gets."""
    assert FONT_SIZE >= 11 and TICK_FONT_SIZE >= 11


def test_lines_run_from_bottom_0_to_top_100():
    chart = line_chart(["2026 Q1", "2026 Q2"], [("Overall", [0.0, 100.0]), ("X", [None, 50.0])])
    overall, other = chart.series
    (x0, y0, _), (x1, y1, _) = overall.dots
    assert y0 == chart.top + chart.plot_height and y1 == chart.top
    assert 0 < x0 < x1 < 100
    assert len(overall.segments) == 1 and overall.segments[0].x1 == x0
    assert len(other.dots) == 1 and other.dashed and not other.segments


def test_period_labels_on_two_lines_and_a_phone_keeps_first_and_last():
    periods = [(str(2025 + i // 4), f"Q{i % 4 + 1}") for i in range(6)]
    chart = line_chart(periods, [("Overall", [50.0] * 6)])
    assert [label.lines for label in chart.x_labels] == periods
    kept = [label.lines for label in chart.x_labels if not label.minor]
    assert kept[0] == periods[0] and kept[-1] == periods[-1]
    assert 2 <= len(kept) <= 4


def test_at_most_eight_period_labels():
    chart = line_chart([f"P{i}" for i in range(20)], [("Overall", [50.0] * 20)])
    assert len(chart.x_labels) <= 8


def test_box_rows_in_percent_with_the_enterprise_as_a_dot():
    chart = box_chart([("Overall", Box(10.0, 25.0, 50.0, 75.0, 120.0, 60.0, 55.0))])
    (row,) = chart.rows
    assert (row.x_min, row.x_q1, row.x_median, row.x_q3, row.x_max) == (10, 25, 50, 75, 100)
    assert row.x_value == 60.0 and row.value == 60.0 and row.box_width == 50.0
