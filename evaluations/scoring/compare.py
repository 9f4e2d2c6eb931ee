"""What a new scheme version would do to a cohort: two bulk results of the same rows compared.

The admin preview scores every enterprise's latest stored values under the current default and
under a draft, both with ``score_bulk``, and hands the two results here. A row with an indicator
not available under either scheme is left out of every figure (PRODUCT.md section 8: incomplete
runs are left out of cohort figures) and only counted.

Grades are compared by their place in the bands, best first: the new scheme's letters in its
order, then any letter only the old scheme has, in the old order. Spearman's rho is the Pearson
correlation of the two rankings, tied scores taking the average of the ranks they span.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .engine import BulkResult


@dataclass(frozen=True, slots=True)
class CohortImpact:
    """The figures of a comparison; every float is None when no row could be compared.

    ``transitions[i][j]`` counts the compared rows graded ``grades[i]`` before and
    ``grades[j]`` after. A shift is the new overall score minus the old one.
    """

    total: int
    compared: int
    incomplete: int
    up: int
    same: int
    down: int
    grades: tuple[str, ...]
    transitions: tuple[tuple[int, ...], ...]
    median_shift: float | None
    median_abs_shift: float | None
    max_abs_shift: float | None
    spearman: float | None

    @property
    def changed(self) -> int:
        return self.up + self.down


def _grade_order(old: BulkResult, new: BulkResult) -> tuple[str, ...]:
    letters = [band.grade for band in new.scheme.grade_bands]
    letters += [band.grade for band in old.scheme.grade_bands if band.grade not in letters]
    return tuple(dict.fromkeys(letters))


def _positions(grades: np.ndarray, order: tuple[str, ...]) -> np.ndarray:
    """Each grade letter's index in ``order`` (0 = best)."""
    index = np.zeros(grades.shape, dtype=np.intp)
    for i, letter in enumerate(order):
        index[grades == letter] = i
    return index


def average_ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1..n of ``x``; equal values share the average of the ranks they occupy."""
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0]
    order = np.argsort(x, kind="stable")
    ordered = x[order]
    starts_group = np.empty(n, dtype=bool)
    starts_group[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts_group[1:])
    starts = np.flatnonzero(starts_group)
    ends = np.append(starts[1:], n)  # exclusive
    average = (starts + ends + 1) / 2.0  # mean of the 1-based ranks starts+1 .. ends
    ranks = np.empty(n, dtype=np.float64)
    ranks[order] = average[np.cumsum(starts_group) - 1]
    return ranks


def spearman(x: np.ndarray, y: np.ndarray) -> float | None:
    """Spearman's rank correlation of two equal-length arrays (ties averaged).

    None when it is undefined: fewer than two rows, or one side all equal.
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"x and y must be 1-d arrays of one length (got {x.shape}, {y.shape})")
    if x.shape[0] < 2:
        return None
    rx, ry = average_ranks(x), average_ranks(y)
    rx -= rx.mean()
    ry -= ry.mean()
    denominator = float(np.sqrt(np.dot(rx, rx) * np.dot(ry, ry)))
    if denominator == 0.0:
        return None
    return max(-1.0, min(1.0, float(np.dot(rx, ry)) / denominator))


def cohort_impact(old: BulkResult, new: BulkResult) -> CohortImpact:
    """Compare two bulk results of the same rows (row i is one enterprise in both)."""
    if len(old) != len(new):
        raise ValueError(f"old and new must score the same rows ({len(old)} != {len(new)})")
    complete = ~(old.incomplete | new.incomplete)
    before, after = old.overall[complete], new.overall[complete]
    order = _grade_order(old, new)
    was = _positions(old.grade[complete], order)
    now = _positions(new.grade[complete], order)
    m = len(order)
    counts = np.bincount(was * m + now, minlength=m * m).reshape(m, m)
    shift = after - before
    compared = int(before.shape[0])
    empty = compared == 0
    return CohortImpact(
        total=len(old),
        compared=compared,
        incomplete=len(old) - compared,
        up=int(np.count_nonzero(now < was)),
        same=int(np.count_nonzero(now == was)),
        down=int(np.count_nonzero(now > was)),
        grades=order,
        transitions=tuple(tuple(int(c) for c in row) for row in counts.tolist()),
        median_shift=None if empty else float(np.median(shift)),
        median_abs_shift=None if empty else float(np.median(np.abs(shift))),
        max_abs_shift=None if empty else float(np.max(np.abs(shift))),
        spearman=spearman(before, after),
    )
