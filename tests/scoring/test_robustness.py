"""The robustness band (PRODUCT.md section 8): how a score moves under plausible schemes.

Each draw multiplies every weight by a factor uniform in [1 - weight_spread, 1 + weight_spread]
and renormalizes the weights to sum 1, and moves each bound (worst and best separately) by a
factor uniform in [-bound_spread, +bound_spread] times (best - worst). The band is the 5th-95th
percentile of the overall score over the draws (numpy's linear interpolation), with the median;
the grade share is the fraction of draws per grade. The expected figures here are recomputed
from the draws by the plain formula, never typed in.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import statistics
import time
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluations.scoring import (
    DEFAULT_DRAWS,
    GRADE_TOLERANCE,
    RobustnessBand,
    ScoringError,
    default_seed,
    robustness_band,
    robustness_bulk,
    robustness_draws,
    score,
)

from .test_engine import ALL_BEST, ALL_WORST, MIDDLING
from .test_engine_properties import schemes, value_for

SPREAD = {"weight_spread": 0.25, "bound_spread": 0.20}  # PRODUCT.md section 8's defaults


@pytest.fixture
def scheme(table4):
    return dataclasses.replace(table4, **SPREAD)


def _row(scheme, values):
    x = np.array([[np.nan if values[c] is None else values[c] for c in scheme.codes]])
    return x, ~np.isnan(x)


def brute_force(draws, values) -> np.ndarray:
    """Every draw's overall score by the section 3 formula on the drawn scheme."""
    x, available = _row(draws.scheme, values)
    s = np.clip((x - draws.worst) / (draws.best - draws.worst), 0.0, 1.0)
    s = np.where(available, s, 0.0)  # not available: s = 0 in every draw
    return np.minimum(100.0 * (draws.weights * s).sum(axis=1), 100.0)


def shares(scheme, overall) -> dict[str, float]:
    bands = scheme.grade_bands
    counts = dict.fromkeys((b.grade for b in bands), 0)
    for value in overall.tolist():
        grade = next(
            (b.grade for b in bands[:-1] if value >= b.min_score - GRADE_TOLERANCE),
            bands[-1].grade,
        )
        counts[grade] += 1
    return {grade: count / len(overall) for grade, count in counts.items()}


# --- the draws ------------------------------------------------------------------------------


def test_the_default_seed_comes_from_slug_and_version(scheme):
    digest = hashlib.sha256(b"ye-2025-table-4:1").digest()
    assert default_seed("ye-2025-table-4", 1) == int.from_bytes(digest[:8], "big")
    assert default_seed("ye-2025-table-4", 2) != default_seed("ye-2025-table-4", 1)
    assert default_seed("other", 1) != default_seed("ye-2025-table-4", 1)
    draws = robustness_draws(scheme)
    assert draws.seed == default_seed(scheme.slug, scheme.version)
    assert draws.draws == DEFAULT_DRAWS == 2000


def test_draws_are_fixed_per_scheme_version_and_reused(scheme):
    first = robustness_draws(scheme)
    assert robustness_draws(scheme) is first  # cached: a bulk re-score reuses them
    again = robustness_draws(dataclasses.replace(scheme))  # an equal spec, e.g. from a snapshot
    assert np.array_equal(again.weights, first.weights)
    assert np.array_equal(again.worst, first.worst) and np.array_equal(again.best, first.best)
    other = robustness_draws(scheme, seed=first.seed + 1)
    assert not np.array_equal(other.weights, first.weights)
    with pytest.raises(ValueError):
        first.weights[0, 0] = 1.0  # read-only: a cached object must not be changed


def test_each_draw_follows_the_recipe(scheme):
    draws = robustness_draws(scheme)
    w = np.array([ind.weight for ind in scheme.indicators])
    worst = np.array([ind.worst for ind in scheme.indicators], dtype=float)
    best = np.array([ind.best for ind in scheme.indicators], dtype=float)
    span = best - worst
    assert draws.weights.shape == draws.worst.shape == draws.best.shape == (2000, 5)
    # weight factors uniform in [0.75, 1.25], weights renormalized to sum 1
    factors = draws.weight_factors
    assert factors.min() >= 0.75 and factors.max() <= 1.25
    assert factors.min() < 0.76 and factors.max() > 1.24  # the whole interval is used
    assert abs(factors.mean() - 1.0) < 0.01
    assert np.allclose(draws.weights.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    expected = w * factors / (w * factors).sum(axis=1, keepdims=True)
    assert np.allclose(draws.weights, expected, rtol=1e-12, atol=0)
    # each bound moved by a factor in [-0.2, 0.2] times (best - worst), independently
    for moved, bound in ((draws.worst, worst), (draws.best, best)):
        shift = (moved - bound) / span
        assert shift.min() >= -0.2 - 1e-12 and shift.max() <= 0.2 + 1e-12
        assert shift.min() < -0.19 and shift.max() > 0.19
    worst_shift, best_shift = (draws.worst - worst) / span, (draws.best - best) / span
    assert abs(np.corrcoef(worst_shift[:, 0], best_shift[:, 0])[0, 1]) < 0.1
    # bounds never cross: best - worst keeps its sign in every draw
    assert (np.sign(draws.best - draws.worst) == np.sign(span)).all()


def test_a_zero_weight_stays_zero_in_every_draw(scheme):
    indicators = tuple(
        dataclasses.replace(
            ind,
            weight={"market_response_time": 0.0, "environmental_impact_score": 0.5}.get(
                ind.code, ind.weight
            ),
        )
        for ind in scheme.indicators
    )
    draws = robustness_draws(dataclasses.replace(scheme, slug="no-market", indicators=indicators))
    assert (draws.weights[:, 3] == 0.0).all()
    assert np.allclose(draws.weights.sum(axis=1), 1.0, rtol=0, atol=1e-12)


# --- one run ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [MIDDLING, ALL_BEST, ALL_WORST, {**MIDDLING, "environmental_impact_score": None}],
    ids=["middling", "best", "worst", "not-available"],
)
def test_the_band_is_the_percentiles_of_the_drawn_scores(scheme, values):
    band = robustness_band(scheme, values)
    overall = brute_force(robustness_draws(scheme), values)
    low, median, high = np.percentile(overall, [5, 50, 95])
    assert band.low == pytest.approx(low, rel=1e-12, abs=1e-12)
    assert band.median == pytest.approx(median, rel=1e-12, abs=1e-12)
    assert band.high == pytest.approx(high, rel=1e-12, abs=1e-12)
    assert band.low <= band.median <= band.high
    expected = shares(scheme, overall)
    assert dict(band.grade_share) == pytest.approx(expected, abs=1.5 / 2000)
    point = score(scheme, values)
    assert band.same_grade == dict(band.grade_share)[point.grade]


def test_the_band_moves_with_the_scheme_not_with_chance(scheme):
    band = robustness_band(scheme, MIDDLING)
    assert robustness_band(scheme, MIDDLING) == band  # same version, same draws, same band
    assert band.high > band.low  # Table 4 weights and bounds do matter for a middling entry
    other = robustness_band(scheme, MIDDLING, seed=band.seed + 1)
    assert other != band and other.seed == band.seed + 1


def test_a_not_available_indicator_stays_at_zero_in_every_draw(scheme):
    missing = {**MIDDLING, "environmental_impact_score": None}
    band = robustness_band(scheme, missing)
    # moving the worst bound would give a typed 0 points in some draws; not available gets none
    typed_zero = robustness_band(scheme, {**MIDDLING, "environmental_impact_score": 0})
    assert band.high <= typed_zero.high
    overall = brute_force(robustness_draws(scheme), missing)
    assert band.high == pytest.approx(np.percentile(overall, 95), rel=1e-12)


def test_as_dict_is_the_documented_shape(scheme):
    data = robustness_band(scheme, MIDDLING).as_dict()
    assert list(data) == [
        "draws",
        "seed",
        "weight_spread",
        "bound_spread",
        "low",
        "median",
        "high",
        "grade_share",
        "same_grade",
    ]
    assert (data["draws"], data["weight_spread"], data["bound_spread"]) == (2000, 0.25, 0.2)
    assert data["seed"] == default_seed(scheme.slug, scheme.version)
    assert list(data["grade_share"]) == ["A", "B", "C", "D", "E"]  # zeros included
    assert sum(data["grade_share"].values()) == pytest.approx(1.0)
    assert all(type(data[key]) is float for key in ("low", "median", "high", "same_grade"))
    assert all(type(v) is float for v in data["grade_share"].values())
    assert type(data["draws"]) is int and type(data["seed"]) is int
    assert json.loads(json.dumps(data, allow_nan=False)) == data


def test_overrides_replace_the_schemes_settings(scheme):
    band = robustness_band(scheme, MIDDLING, draws=300, seed=7, weight_spread=0.5, bound_spread=0)
    assert (band.draws, band.seed, band.weight_spread, band.bound_spread) == (300, 7, 0.5, 0.0)
    draws = robustness_draws(scheme, draws=300, seed=7, weight_spread=0.5, bound_spread=0)
    assert band.median == pytest.approx(np.percentile(brute_force(draws, MIDDLING), 50))
    assert (draws.worst == np.array([i.worst for i in scheme.indicators])).all()


@pytest.mark.parametrize(
    "values",
    [MIDDLING, ALL_BEST, ALL_WORST, {**MIDDLING, "npd_cycle": None}, dict.fromkeys(MIDDLING)],
)
def test_with_both_spreads_zero_the_band_is_the_point_score(scheme, values):
    band = robustness_band(scheme, values, weight_spread=0, bound_spread=0)
    point = score(scheme, values)
    assert band.low == band.median == band.high == point.overall
    assert band.same_grade == 1.0
    assert dict(band.grade_share)[point.grade] == 1.0
    assert sum(dict(band.grade_share).values()) == 1.0


@st.composite
def scheme_and_values(draw):
    scheme = draw(schemes())
    values = {
        ind.code: draw(
            st.one_of(st.none(), value_for(ind)) if draw(st.booleans()) else value_for(ind)
        )
        for ind in scheme.indicators
    }
    return scheme, values


@settings(max_examples=60, deadline=None)
@given(scheme_and_values())
def test_zero_spreads_give_the_point_score_exactly_for_any_scheme(case):
    """Weights that do not add up to exactly 1.0 in floats, zero-weight dimensions, any bounds."""
    scheme, values = case
    band = robustness_band(scheme, values, draws=5, weight_spread=0, bound_spread=0)
    point = score(scheme, values)
    assert band.low == band.median == band.high == point.overall
    assert band.same_grade == 1.0


# --- many runs --------------------------------------------------------------------------------


ROWS = [
    MIDDLING,
    ALL_BEST,
    ALL_WORST,
    {**MIDDLING, "environmental_impact_score": None},
    {**ALL_BEST, "logistics_cost": None, "npd_cycle": None},
]


def _matrix(scheme, rows):
    x = np.array([[np.nan if r[c] is None else r[c] for c in scheme.codes] for r in rows])
    return x, ~np.isnan(x)


def test_bulk_rows_are_the_single_run_bands(scheme):
    x, available = _matrix(scheme, ROWS)
    bulk = robustness_bulk(scheme, x, available=available)
    assert len(bulk) == len(ROWS)
    assert bulk.low.shape == bulk.median.shape == bulk.high.shape == bulk.same_grade.shape
    assert bulk.grade_share.shape == (len(ROWS), 5) and bulk.grades == ("A", "B", "C", "D", "E")
    for i, values in enumerate(ROWS):
        assert bulk.row(i) == robustness_band(scheme, values)
    assert np.allclose(bulk.grade_share.sum(axis=1), 1.0)


def test_chunking_changes_nothing(scheme):
    rng = np.random.default_rng(5)
    x = rng.uniform(0, 1, (300, 5)) * np.array([60.0, 365.0, 52.0, 180.0, 100.0])
    available = rng.uniform(size=x.shape) > 0.1
    whole = robustness_bulk(scheme, x, available=available)
    tiny = robustness_bulk(scheme, x, available=available, chunk_bytes=1)  # one row a chunk
    for name in ("low", "median", "high", "same_grade", "grade_share"):
        assert getattr(tiny, name).tobytes() == getattr(whole, name).tobytes(), name


def test_bulk_checks_values_like_score_bulk(scheme):
    x, available = _matrix(scheme, [MIDDLING])
    bad = x.copy()
    bad[0, 0] = 101
    with pytest.raises(ScoringError) as info:
        robustness_bulk(scheme, bad)
    assert list(info.value.errors) == ["logistics_cost"]
    with pytest.raises(ScoringError, match="not finite"):
        robustness_bulk(scheme, _matrix(scheme, ROWS[3:4])[0])  # NaN needs the mask
    with pytest.raises(ScoringError) as info:
        robustness_bulk(scheme, x, available=np.ones((2, 5), dtype=bool))
    assert list(info.value.errors) == ["available"]


def test_bulk_of_nothing(scheme):
    bulk = robustness_bulk(scheme, np.empty((0, 5)))
    assert len(bulk) == 0 and bulk.grade_share.shape == (0, 5)


def test_bulk_memory_stays_bounded(scheme):
    """5,000 runs x 2,000 draws would be 80 MB per array unchunked; the chunks stay small."""
    x = np.random.default_rng(2).uniform(0, 1, (5000, 5)) * np.array([60, 365, 52, 180, 100])
    robustness_draws(scheme)  # cached draws are not part of the peak
    tracemalloc.start()
    try:
        robustness_bulk(scheme, x)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 40 * 2**20, f"peak {peak / 2**20:.1f} MB"


def test_one_run_is_fast(scheme):
    """PRODUCT.md's page budget: one band with 2,000 draws well under 50 ms (cold or cached)."""
    robustness_band(scheme, MIDDLING)
    timings = []
    for seed in range(5):
        start = time.perf_counter()
        robustness_band(scheme, MIDDLING, seed=seed)  # a new seed: draws built, not cached
        robustness_band(scheme, MIDDLING)  # the version's own, cached draws
        timings.append((time.perf_counter() - start) / 2)
    assert statistics.median(timings) < 0.050, timings


# --- validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"weight_spread": -0.01}, "robustness.weight_spread"),
        ({"weight_spread": 0.91}, "robustness.weight_spread"),
        ({"weight_spread": math.nan}, "robustness.weight_spread"),
        ({"weight_spread": "0.2"}, "robustness.weight_spread"),
        ({"weight_spread": True}, "robustness.weight_spread"),
        ({"bound_spread": 0.46}, "robustness.bound_spread"),
        ({"bound_spread": -1e-9}, "robustness.bound_spread"),
        ({"bound_spread": math.inf}, "robustness.bound_spread"),
        ({"draws": 0}, "robustness.draws"),
        ({"draws": 100_001}, "robustness.draws"),
        ({"draws": 20.0}, "robustness.draws"),
        ({"draws": True}, "robustness.draws"),
        ({"draws": "2000"}, "robustness.draws"),
        ({"seed": -1}, "robustness.seed"),
        ({"seed": 1.5}, "robustness.seed"),
        ({"seed": 3.0}, "robustness.seed"),
        ({"seed": "3"}, "robustness.seed"),
        ({"seed": False}, "robustness.seed"),
    ],
)
def test_bad_settings_are_named(scheme, override, field):
    with pytest.raises(ScoringError) as info:
        robustness_band(scheme, MIDDLING, **override)
    assert list(info.value.errors) == [field]
    with pytest.raises(ScoringError) as info:
        robustness_draws(scheme, **override)
    assert list(info.value.errors) == [field]


def test_every_bad_setting_is_reported_at_once(scheme):
    with pytest.raises(ScoringError) as info:
        robustness_band(scheme, MIDDLING, draws=0, seed=-1, weight_spread=2, bound_spread=1)
    assert set(info.value.errors) == {
        "robustness.draws",
        "robustness.seed",
        "robustness.weight_spread",
        "robustness.bound_spread",
    }


def test_the_limits_themselves_are_allowed(scheme):
    band = robustness_band(scheme, MIDDLING, draws=1, seed=0, weight_spread=0.9, bound_spread=0.45)
    assert band.draws == 1 and band.low == band.median == band.high
    assert robustness_draws(scheme, draws=100_000, seed=2**70).weights.shape == (100_000, 5)


def test_a_scheme_without_spreads_has_no_band_unless_given_both(table4):
    """A snapshot from before migration 0006 carries no spreads: no band until re-scored."""
    old = dataclasses.replace(table4, weight_spread=None, bound_spread=None)
    with pytest.raises(ScoringError) as info:
        robustness_band(old, MIDDLING)
    assert set(info.value.errors) == {"robustness.weight_spread", "robustness.bound_spread"}
    assert "no weight spread" in info.value.errors["robustness.weight_spread"]
    with pytest.raises(ScoringError) as info:
        robustness_band(old, MIDDLING, weight_spread=0.25)
    assert list(info.value.errors) == ["robustness.bound_spread"]
    band = robustness_band(old, MIDDLING, weight_spread=0.25, bound_spread=0.2)
    assert isinstance(band, RobustnessBand)


def test_bad_values_are_the_engines_usual_errors(scheme):
    with pytest.raises(ScoringError) as info:
        robustness_band(scheme, {**MIDDLING, "npd_cycle": -1})
    assert list(info.value.errors) == ["npd_cycle"]
