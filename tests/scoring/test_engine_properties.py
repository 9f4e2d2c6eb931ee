"""Properties that must hold for any valid scheme and any valid values."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluations.scoring import IndicatorSpec, SchemeSpec, score, score_bulk, validate_scheme

DIMENSIONS = ("operational_efficiency", "innovation_capacity", "market_adaptability", "green")
# No deadline: a loaded CI machine must not turn a slow example into a failure.
relaxed = settings(deadline=None)
bound = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)


@st.composite
def schemes(draw: st.DrawFn) -> SchemeSpec:
    """Random valid schemes: 1-8 indicators, some zero weights, bounds in either direction."""
    k = draw(st.integers(1, 8))
    raw = draw(st.lists(st.integers(0, 20), min_size=k, max_size=k).filter(any))
    total = sum(raw)
    indicators = []
    for j, units in enumerate(raw):
        worst = draw(bound)
        best = draw(bound.filter(lambda b, w=worst: b != w))
        bounded = draw(st.booleans())
        indicators.append(
            IndicatorSpec(
                code=f"ind_{j}",
                dimension=draw(st.sampled_from(DIMENSIONS)),
                weight=units / total,
                worst=worst,
                best=best,
                min_value=0.0,
                max_value=100.0 if bounded else None,
            )
        )
    scheme = SchemeSpec("random", 1, tuple(indicators))
    assert validate_scheme(scheme) == {}
    return scheme


def value_for(ind: IndicatorSpec) -> st.SearchStrategy[float]:
    high = 1e5 if ind.max_value is None else ind.max_value
    return st.floats(ind.min_value, high, allow_nan=False, allow_infinity=False)


@st.composite
def scheme_and_rows(draw: st.DrawFn, max_rows: int = 6) -> tuple[SchemeSpec, np.ndarray]:
    scheme = draw(schemes())
    n = draw(st.integers(1, max_rows))
    rows = [[draw(value_for(ind)) for ind in scheme.indicators] for _ in range(n)]
    return scheme, np.array(rows, dtype=np.float64)


def as_values(scheme: SchemeSpec, row: np.ndarray) -> dict[str, float]:
    return dict(zip(scheme.codes, row.tolist(), strict=True))


@relaxed
@given(scheme_and_rows(max_rows=1))
def test_contributions_add_up_to_the_overall_score(case):
    scheme, rows = case
    result = score(scheme, as_values(scheme, rows[0]))
    assert math.isclose(
        sum(i.contribution for i in result.indicators), result.overall, rel_tol=0, abs_tol=1e-9
    )
    for ind in result.indicators:
        assert math.isclose(ind.contribution + ind.potential_gain, 100 * ind.weight, abs_tol=1e-9)


@relaxed
@given(scheme_and_rows(max_rows=1))
def test_every_score_stays_within_0_and_100(case):
    scheme, rows = case
    result = score(scheme, as_values(scheme, rows[0]))
    assert 0.0 <= result.overall <= 100.0
    for ind in result.indicators:
        assert 0.0 <= ind.normalized <= 1.0
        assert 0.0 <= ind.score <= 100.0
        assert ind.contribution >= 0.0 and ind.potential_gain >= 0.0
    for dim in result.dimensions:
        assert (dim.score is None) == (dim.weight == 0.0)
        assert dim.score is None or 0.0 <= dim.score <= 100.0


@relaxed
@given(scheme_and_rows(max_rows=1), st.data())
def test_improving_one_indicator_never_lowers_the_overall(case, data):
    scheme, rows = case
    values = as_values(scheme, rows[0])
    j = data.draw(st.integers(0, len(scheme.indicators) - 1))
    ind = scheme.indicators[j]
    x = values[ind.code]
    # any valid value at least as close to `best` (on the best side of x)
    step = data.draw(value_for(ind))
    better = max(x, step) if ind.best > ind.worst else min(x, step)
    before = score(scheme, values)
    after = score(scheme, {**values, ind.code: better})
    assert after.overall >= before.overall
    assert after.indicators[j].score >= before.indicators[j].score


@settings(max_examples=200, deadline=None)
@given(scheme_and_rows())
def test_bulk_and_single_agree(case):
    scheme, rows = case
    bulk = score_bulk(scheme, rows)
    for i, row in enumerate(rows):
        single = score(scheme, as_values(scheme, row))
        # The kernel is shared, so the agreement is exact (the contract asks for 1e-12).
        assert bulk.row(i) == single
        assert abs(float(bulk.overall[i]) - single.overall) <= 1e-12
        assert bulk.grade[i] == single.grade
