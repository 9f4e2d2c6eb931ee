"""The scoring kernel. One vectorized path serves single and bulk scoring.

``score()`` runs the very kernel that ``score_bulk()`` runs, on a one-row array, and the kernel
uses only element-wise operations in a fixed order (sums are accumulated indicator by
indicator, never by a reduction whose order numpy may pick by shape). So a result shown on a
page and the same assessment re-scored in bulk are bit-identical.

Internally rows are transposed to (indicators, assessments): every operation then runs over a
long contiguous row instead of numpy's slow per-row inner loop of length k.

A value that is "not available" (PRODUCT.md section 8: ``None`` in ``score()``, ``False`` in
``score_bulk()``'s optional ``available`` mask) scores s = 0, exactly as a value at the worst
bound would. Without a mask the bulk path takes no shortcut and no extra pass: NaN stays invalid.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .specs import GRADE_TOLERANCE, SchemeSpec, ScoringError, add_error, fmt
from .validation import validate_scheme, validate_values


@dataclass(frozen=True, slots=True)
class IndicatorResult:
    """One indicator's part of a score; ``potential_gain`` is the points still to win.

    ``value`` is None for an indicator that is not available (scored at s = 0). ``ratio`` is
    (value − worst) / (best − worst) before clamping to 0..1 (None when not available): with
    ``worst`` and ``best`` it lets a report show every step of the arithmetic.
    """

    code: str
    dimension: str
    value: float | None
    normalized: float
    score: float
    weight: float
    contribution: float
    potential_gain: float
    worst: float = 0.0
    best: float = 0.0
    ratio: float | None = None


@dataclass(frozen=True, slots=True)
class DimensionResult:
    """A dimension's weighted score; ``score`` is None when all its weights are 0.
    ``contribution`` is the points its indicators add to the overall score."""

    code: str
    weight: float
    score: float | None
    contribution: float = 0.0


@dataclass(frozen=True, slots=True)
class ScoreResult:
    """The evaluation of one assessment under one scheme version.

    ``incomplete`` is True when some indicator was not available; ``coverage`` says how many
    had a value out of all, e.g. "4/5".
    """

    scheme: str
    scheme_version: int
    overall: float
    grade: str
    incomplete: bool
    coverage: str
    dimensions: tuple[DimensionResult, ...]
    indicators: tuple[IndicatorResult, ...]

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of PRODUCT.md section 3 (floats unrounded).

        The ``score`` command adds ``"warnings"`` after ``"coverage"``: they judge the input,
        not the score, so they are not part of the result.
        """
        return {
            "scheme": self.scheme,
            "scheme_version": self.scheme_version,
            "overall": self.overall,
            "grade": self.grade,
            "incomplete": self.incomplete,
            "coverage": self.coverage,
            "dimensions": [
                {"code": d.code, "weight": d.weight, "score": d.score} for d in self.dimensions
            ],
            "indicators": [
                {
                    "code": i.code,
                    "value": i.value,
                    "normalized": i.normalized,
                    "score": i.score,
                    "weight": i.weight,
                    "contribution": i.contribution,
                    "potential_gain": i.potential_gain,
                }
                for i in self.indicators
            ],
        }


@dataclass(frozen=True, slots=True)
class _Plan:
    """A validated scheme turned into the column vectors the kernel needs (built once)."""

    scheme: SchemeSpec
    worst: np.ndarray  # (k, 1)
    span: np.ndarray  # (k, 1): best - worst
    weight100: np.ndarray  # (k, 1): 100 * w
    lower: np.ndarray  # (k,) min_value
    upper: np.ndarray  # (k,) max_value, or the largest float so +inf still fails
    dimension_codes: tuple[str, ...]
    dimension_members: tuple[tuple[int, ...], ...]
    dimension_weights: tuple[float, ...]
    total_weight: float
    thresholds: np.ndarray  # ascending (min_score - tolerance) of every band but the lowest
    grades: np.ndarray  # grade letters, lowest band first


def _build_plan(scheme: SchemeSpec) -> _Plan:
    errors = validate_scheme(scheme)
    if errors:
        raise ScoringError(errors)
    inds = scheme.indicators
    weights = [float(i.weight) for i in inds]
    dims = scheme.dimensions
    members = tuple(tuple(j for j, ind in enumerate(inds) if ind.dimension == dim) for dim in dims)
    # Plain left-to-right float sums, like the kernel's, so "weight" adds up as displayed.
    dim_weights = tuple(sum((weights[j] for j in m), 0.0) for m in members)
    bands = scheme.grade_bands[::-1]

    def column(xs: list[float]) -> np.ndarray:
        return np.array(xs, dtype=np.float64).reshape(-1, 1)

    return _Plan(
        scheme=scheme,
        worst=column([float(i.worst) for i in inds]),
        span=column([float(i.best) - float(i.worst) for i in inds]),
        weight100=column([100.0 * w for w in weights]),
        lower=np.array([float(i.min_value) for i in inds]),
        upper=np.array(
            [np.finfo(np.float64).max if i.max_value is None else float(i.max_value) for i in inds]
        ),
        dimension_codes=dims,
        dimension_members=members,
        dimension_weights=dim_weights,
        total_weight=sum(dim_weights, 0.0),
        thresholds=np.array([float(b.min_score) - GRADE_TOLERANCE for b in bands[1:]]),
        grades=np.array([b.grade for b in bands]),
    )


@functools.lru_cache(maxsize=64)
def _cached_plan(scheme: SchemeSpec) -> _Plan:
    return _build_plan(scheme)


def _plan(scheme: SchemeSpec) -> _Plan:
    """Validate and compile a scheme, cached: schemes are frozen and re-used for many scores."""
    try:
        hash(scheme)
    except TypeError:  # e.g. indicators passed as a list
        return _build_plan(scheme)
    return _cached_plan(scheme)


@dataclass(frozen=True, eq=False)
class BulkResult:
    """Scores of n assessments; arrays are read-only, (n, k) columns in scheme order.

    ``values`` is the validated float64 input (the caller's own array when it was float64
    already). ``dimension_scores`` holds NaN for a dimension that is not weighted.
    ``available`` is the (n, k) mask the caller gave, or None when every value was available;
    where it is False, ``values`` is ignored (often NaN) and the indicator scored s = 0.
    """

    scheme: SchemeSpec
    values: np.ndarray
    overall: np.ndarray
    grade: np.ndarray
    normalized: np.ndarray
    score: np.ndarray
    contribution: np.ndarray
    potential_gain: np.ndarray
    dimension_scores: np.ndarray
    dimension_codes: tuple[str, ...]
    dimension_weights: tuple[float, ...]
    indicator_codes: tuple[str, ...]
    available: np.ndarray | None = None
    dimension_members: tuple[tuple[int, ...], ...] = ()  # indicator columns of each dimension

    def __len__(self) -> int:
        return int(self.overall.shape[0])

    @property
    def incomplete(self) -> np.ndarray:
        """(n,) bool: True for a row with some indicator not available."""
        if self.available is None:
            return np.zeros(len(self), dtype=bool)
        return ~self.available.all(axis=1)

    def row(self, i: int) -> ScoreResult:
        """Row i as the ScoreResult that ``score()`` returns for the same values."""
        scheme = self.scheme
        k = len(scheme.indicators)
        values: list[float | None] = self.values[i].tolist()
        if self.available is not None:
            values = [
                x if ok else None for x, ok in zip(values, self.available[i].tolist(), strict=True)
            ]
        given = sum(x is not None for x in values)
        columns = zip(
            scheme.indicators,
            values,
            self.normalized[i].tolist(),
            self.score[i].tolist(),
            self.contribution[i].tolist(),
            self.potential_gain[i].tolist(),
            strict=True,
        )
        contributions = self.contribution[i].tolist()
        dims = zip(
            self.dimension_codes,
            self.dimension_weights,
            self.dimension_scores[i].tolist(),
            [_left_sum(contributions[j] for j in members) for members in self.dimension_members],
            strict=True,
        )
        return ScoreResult(
            scheme=scheme.slug,
            scheme_version=scheme.version,
            overall=float(self.overall[i]),
            grade=str(self.grade[i]),
            incomplete=given < k,
            coverage=f"{given}/{k}",
            dimensions=tuple(
                DimensionResult(code, weight, None if math.isnan(s) else s, total)
                for code, weight, s, total in dims
            ),
            indicators=tuple(
                IndicatorResult(
                    ind.code,
                    ind.dimension,
                    x,
                    s,
                    sc,
                    float(ind.weight),
                    c,
                    g,
                    float(ind.worst),
                    float(ind.best),
                    None
                    if x is None
                    else (x - float(ind.worst)) / (float(ind.best) - float(ind.worst)),
                )
                for ind, x, s, sc, c, g in columns
            ),
        )


def _left_sum(values) -> float:
    """Additions in the kernel's order (left to right), so a dimension's contribution is the
    sum the kernel itself formed."""
    total = 0.0
    for value in values:
        total += value
    return total


def _as_matrix(plan: _Plan, values: object) -> np.ndarray:
    """The input as an (n, k) float64 array, or a ScoringError saying what shape is expected."""
    k = len(plan.scheme.indicators)
    array = np.asarray(values)
    if array.dtype.kind not in "iuf":
        raise ScoringError({"values": f"must be a numeric array (got dtype {array.dtype})"})
    if array.ndim != 2 or array.shape[1] != k:
        codes = ", ".join(plan.scheme.codes)
        raise ScoringError(
            {"values": f"must have shape (n, {k}), columns {codes} (got {array.shape})"}
        )
    return array.astype(np.float64, copy=False)


def _as_mask(x: np.ndarray, available: object) -> np.ndarray | None:
    """The availability mask as a read-only (n, k) bool array (a copy), or None for "all"."""
    if available is None:
        return None
    if not isinstance(available, np.ndarray) or available.dtype != np.bool_:
        kind = type(available).__name__
        if isinstance(available, np.ndarray):
            kind = f"dtype {available.dtype}"
        raise ScoringError({"available": f"must be a numpy bool array (got {kind})"})
    if available.shape != x.shape:
        raise ScoringError(
            {"available": f"must have the shape of values, {x.shape} (got {available.shape})"}
        )
    mask = available.copy()
    mask.flags.writeable = False
    return mask


def _check_range(plan: _Plan, xt: np.ndarray) -> None:
    """Reject non-finite or out-of-range values per indicator, cheaply when all are fine.

    min/max propagate NaN, so two contiguous reductions per indicator catch every bad value;
    only when one is found are the rows counted for the message.
    """
    n = xt.shape[1]
    if n == 0:
        return
    lo, hi = xt.min(axis=1), xt.max(axis=1)
    with np.errstate(invalid="ignore"):
        good = (lo >= plan.lower) & (hi <= plan.upper)
    if good.all():
        return
    errors: dict[str, str] = {}
    for j in np.flatnonzero(~good).tolist():
        row, code = xt[j], plan.scheme.indicators[j].code
        finite = np.isfinite(row)
        with np.errstate(invalid="ignore"):
            low, high = (row < plan.lower[j]) & finite, (row > plan.upper[j]) & finite
        bad = ~finite | low | high
        parts = [
            (np.count_nonzero(~finite), "not finite"),
            (np.count_nonzero(low), f"below {fmt(float(plan.lower[j]))}"),
            (np.count_nonzero(high), f"above {fmt(float(plan.upper[j]))}"),
        ]
        detail = ", ".join(
            f"{count} {'row' if count == 1 else 'rows'} {what}" for count, what in parts if count
        )
        add_error(errors, code, f"{detail} (first bad row index: {int(np.argmax(bad))})")
    raise ScoringError(errors)


def _band_index(thresholds: np.ndarray, overall: np.ndarray) -> np.ndarray:
    """How many band thresholds each score reaches, i.e. searchsorted(side="right").

    A few vectorized comparisons beat np.searchsorted ~20x here: with only a handful of
    thresholds its per-element binary search is dominated by branch mispredictions.
    """
    index = np.zeros(overall.shape, dtype=np.uint8 if len(thresholds) < 255 else np.intp)
    reached = np.empty(overall.shape, dtype=bool)
    for threshold in thresholds.tolist():
        np.greater_equal(overall, threshold, out=reached)
        np.add(index, reached, out=index)
    return index


def _run(plan: _Plan, x: np.ndarray, available: np.ndarray | None = None) -> BulkResult:
    """The kernel: x is (n, k) float64; every step writes into preallocated arrays.

    ``available`` (n, k) bool or None: a value marked False is replaced by the indicator's
    minimum before the range check (it is ignored, whatever it is) and scored s = 0 after the
    clamp, so the remaining arithmetic is the same with or without a mask.
    """
    n, k = x.shape
    d = len(plan.dimension_codes)
    norm = np.empty((k, n))
    np.copyto(norm, x.T)  # the one transposing copy; later passes are contiguous
    missing = None
    if available is not None:
        missing = np.logical_not(available.T)
        np.copyto(norm, plan.lower.reshape(-1, 1), where=missing)
    _check_range(plan, norm)

    with np.errstate(over="ignore"):  # a huge ratio just clamps to 1 (span is finite, nonzero)
        np.subtract(norm, plan.worst, out=norm)
        np.divide(norm, plan.span, out=norm)
    np.clip(norm, 0.0, 1.0, out=norm)
    if missing is not None:
        np.copyto(norm, 0.0, where=missing)  # not available: s = 0
    score = np.multiply(norm, 100.0)
    contrib = np.multiply(norm, plan.weight100)
    gain = np.subtract(plan.weight100, contrib)  # 100 w (1 - s); never negative as s <= 1

    dims = np.empty((d, n))
    overall: np.ndarray | None = None
    for row, members, weight in zip(
        dims, plan.dimension_members, plan.dimension_weights, strict=True
    ):
        if weight == 0.0:
            row.fill(np.nan)
            continue
        if len(members) == 1:
            total = contrib[members[0]]
        else:
            total = np.add(contrib[members[0]], contrib[members[1]], out=row)
            for j in members[2:]:
                np.add(total, contrib[j], out=total)
        if overall is None:
            overall = total.copy()
        else:
            np.add(overall, total, out=overall)
        np.divide(total, weight, out=row)
        np.minimum(row, 100.0, out=row)  # 100 * sum(w s) / sum(w) may round to 100 + 1 ulp
    assert overall is not None  # a valid scheme has a positive total weight
    if plan.total_weight != 1.0:
        np.divide(overall, plan.total_weight, out=overall)
    np.minimum(overall, 100.0, out=overall)
    grade = plan.grades[_band_index(plan.thresholds, overall)]

    outputs = (overall, grade, norm.T, score.T, contrib.T, gain.T, dims.T)
    for array in outputs:
        array.flags.writeable = False
    return BulkResult(
        plan.scheme,
        x,
        *outputs,
        dimension_codes=plan.dimension_codes,
        dimension_weights=plan.dimension_weights,
        indicator_codes=plan.scheme.codes,
        available=available,
        dimension_members=plan.dimension_members,
    )


def score_bulk(
    scheme: SchemeSpec, values: np.ndarray, available: np.ndarray | None = None
) -> BulkResult:
    """Score many assessments at once: ``values`` is (n, k), columns in scheme order.

    ``available``, optional, is an (n, k) numpy bool array: False marks a value that is not
    available (its entry in ``values`` is ignored, NaN by convention) and scores s = 0.
    Without it every value must be a finite number in its range, NaN included.

    Raises ScoringError for an invalid scheme, a wrong shape or dtype (key "values" or
    "available"), or bad values (keyed by indicator code, with how many rows are bad).
    """
    plan = _plan(scheme)
    x = _as_matrix(plan, values)
    return _run(plan, x, _as_mask(x, available))


def _single_row(
    scheme: SchemeSpec, values: Mapping[str, object]
) -> tuple[np.ndarray, np.ndarray | None]:
    """One assessment's values as a (1, k) row and its mask (None when all are available)."""
    cleaned = validate_values(scheme, values, allow_not_available=True)
    row = [cleaned[code] for code in scheme.codes]
    x = np.array([[math.nan if v is None else v for v in row]], dtype=np.float64)
    if all(v is not None for v in row):
        return x, None
    mask = np.array([[v is not None for v in row]])
    mask.flags.writeable = False
    return x, mask


def score(scheme: SchemeSpec, values: Mapping[str, object]) -> ScoreResult:
    """Score one assessment; raises ScoringError naming every bad field.

    A value given as None is not available and scores s = 0 (PRODUCT.md section 8); a missing
    key is an error. Runs the bulk kernel on a one-row array so both paths give bit-identical
    numbers.
    """
    plan = _plan(scheme)
    x, available = _single_row(scheme, values)
    return _run(plan, x, available).row(0)
