from evaluations.charts import bar_chart, line_chart


def test_bars_are_proportional_to_the_score_and_none_draws_nothing():
    chart = bar_chart([("A", 100.0), ("B", 50.0), ("C", None)])
    full, half, empty = chart.bars
    assert full.width == chart.plot_width
    assert half.width == chart.plot_width / 2
    assert empty.width == 0.0 and empty.score is None
    assert half.y > full.y


def test_lines_run_from_bottom_0_to_top_100():
    chart = line_chart(["2026-Q1", "2026-Q2"], [("Overall", [0.0, 100.0]), ("X", [None, 50.0])])
    overall, other = chart.series
    (x0, y0, _), (x1, y1, _) = overall.dots
    assert y0 == chart.top + chart.plot_height and y1 == chart.top
    assert x0 == chart.left and x1 == chart.left + chart.plot_width
    assert len(other.dots) == 1 and other.dashed
