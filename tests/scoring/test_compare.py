"""A scheme's impact on a cohort (the admin preview): figures checked on hand-made arrays."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from evaluations.scoring import (
    GradeBand,
    IndicatorSpec,
    SchemeSpec,
    cohort_impact,
    score_bulk,
    spearman,
)
from evaluations.scoring.compare import average_ranks

# One indicator on 0..100 with weight 1: the overall score is the value itself.
PLAIN = SchemeSpec("plain", 1, (IndicatorSpec("x", "d", 1.0, 0, 100, 0, 100),))


def overall(values, scheme=PLAIN, available=None):
    column = np.array(values, dtype=np.float64).reshape(-1, 1)
    mask = None if available is None else np.array(available).reshape(-1, 1)
    return score_bulk(scheme, column, available=mask)


def test_average_ranks_share_ties():
    assert average_ranks(np.array([10, 20, 20, 30, 20])).tolist() == [1, 3, 3, 5, 3]
    assert average_ranks(np.array([3.0, 1.0, 2.0])).tolist() == [3, 1, 2]
    assert average_ranks(np.array([7.0, 7.0])).tolist() == [1.5, 1.5]


def test_spearman_of_the_textbook_example():
    """Wikipedia, "Spearman's rank correlation coefficient", worked example: IQ against hours
    of television a week for ten people, rho = -29/165 = -0.175757..."""
    iq = [106, 86, 100, 101, 99, 103, 97, 113, 112, 110]
    tv = [7, 0, 27, 50, 28, 29, 20, 12, 6, 17]
    assert spearman(np.array(iq), np.array(tv)) == pytest.approx(-29 / 165, abs=1e-12)


def test_spearman_with_ties_is_pearson_of_average_ranks():
    # ranks (1, 2.5, 2.5, 4) against (1, 2, 3, 4): 4.5 / sqrt(4.5 * 5) = sqrt(0.9)
    assert spearman(np.array([1, 2, 2, 3]), np.array([1, 2, 3, 4])) == pytest.approx(
        math.sqrt(0.9), abs=1e-12
    )


def test_spearman_extremes_and_undefined_cases():
    x = np.arange(10.0)
    assert spearman(x, x**3) == 1.0  # monotone, not linear
    assert spearman(x, -x) == -1.0
    assert spearman(x, np.full(10, 5.0)) is None  # one side all equal
    assert spearman(np.array([1.0]), np.array([2.0])) is None
    with pytest.raises(ValueError):
        spearman(x, x[:3])


def test_cohort_impact_counts_grades_and_shifts():
    old = overall([90, 80, 60, 50, 30, 10])  # A B C D E E
    new = overall([84, 86, 61, 39, 45, 10])  # B A C E D E
    impact = cohort_impact(old, new)
    assert (impact.total, impact.compared, impact.incomplete) == (6, 6, 0)
    assert (impact.up, impact.same, impact.down, impact.changed) == (2, 2, 2, 4)
    assert impact.grades == ("A", "B", "C", "D", "E")
    assert impact.transitions == (
        (0, 1, 0, 0, 0),  # A -> B
        (1, 0, 0, 0, 0),  # B -> A
        (0, 0, 1, 0, 0),  # C -> C
        (0, 0, 0, 0, 1),  # D -> E
        (0, 0, 0, 1, 1),  # E -> D, E -> E
    )
    # shifts -6, 6, 1, -11, 15, 0
    assert impact.median_shift == pytest.approx(0.5)
    assert impact.median_abs_shift == pytest.approx(6.0)
    assert impact.max_abs_shift == pytest.approx(15.0)
    # ranks (6 5 4 3 2 1) and (5 6 4 2 3 1): 1 - 6 * 4 / (6 * 35) = 31 / 35
    assert impact.spearman == pytest.approx(31 / 35, abs=1e-12)


def test_incomplete_rows_are_counted_and_left_out():
    available = [True, True, False, True]
    old = overall([90, 60, 0, 30], available=available)
    new = overall([95, 40, 0, 30], available=[True, True, True, True])
    impact = cohort_impact(old, new)
    assert (impact.total, impact.compared, impact.incomplete) == (4, 3, 1)
    assert (impact.up, impact.same, impact.down) == (0, 2, 1)
    assert impact.max_abs_shift == pytest.approx(20.0)


def test_nothing_to_compare():
    impact = cohort_impact(overall([50], available=[False]), overall([50]))
    assert (impact.compared, impact.incomplete, impact.up, impact.same) == (0, 1, 0, 0)
    assert impact.median_shift is impact.spearman is impact.max_abs_shift is None
    empty = cohort_impact(overall([]), overall([]))
    assert empty.total == 0 and empty.transitions == ((0,) * 5,) * 5


def test_grades_follow_the_new_bands_then_the_old_ones():
    three = SchemeSpec(
        "three",
        1,
        PLAIN.indicators,
        (GradeBand("A", 80, "leading"), GradeBand("B", 50, "advanced"), GradeBand("C", 0, "x")),
    )
    old = overall([90, 45, 20])  # A D E under A..E
    new = overall([90, 45, 20], scheme=three)  # A C C
    impact = cohort_impact(old, new)
    assert impact.grades == ("A", "B", "C", "D", "E")
    assert (impact.up, impact.same, impact.down) == (2, 1, 0)  # D -> C and E -> C are up


def test_rows_must_match():
    with pytest.raises(ValueError):
        cohort_impact(overall([1, 2]), overall([1]))


def test_a_hundred_thousand_rows_take_well_under_a_second():
    rng = np.random.default_rng(7)
    before = rng.uniform(0, 100, 100_000)
    after = np.clip(before + rng.normal(0, 5, before.shape), 0, 100)
    old, new = overall(before), overall(after)
    start = time.perf_counter()
    impact = cohort_impact(old, new)
    elapsed = time.perf_counter() - start
    assert impact.compared == 100_000 and 0.9 < impact.spearman < 1.0
    assert elapsed < 0.5
