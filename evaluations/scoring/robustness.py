"""The robustness band (PRODUCT.md section 8): how far a score moves under plausible schemes.

The paper fixes the weights; the bounds, and how exactly the weights should be read, are the
product's choices. So beside its point score every run can show the range its score takes over
``draws`` plausible schemes (default 2,000). In each draw

- every weight is multiplied by a factor uniform in [1 - weight_spread, 1 + weight_spread] and
  the weights are renormalized to sum 1 (a zero weight stays zero);
- every bound, worst and best separately, moves by a factor uniform in
  [-bound_spread, +bound_spread] times (best - worst); with bound_spread <= 0.45 they never cross;
- an indicator that is not available stays at s = 0.

The band is the 5th and 95th percentile of the drawn overall scores, with the median (numpy's
default linear interpolation); the grade share is the fraction of draws per grade of the scheme,
every grade listed, and ``same_grade`` the share of the point score's grade.

**Draws are fixed per scheme version.** The seed defaults to ``default_seed(slug, version)``:
the first 8 bytes of SHA-256 of ``"<slug>:<version>"`` read as a big-endian unsigned integer.
With numpy's default generator (PCG64 seeded through SeedSequence) the draws are one call
``rng.random((3, draws, k))``: weight factors, worst shifts, best shifts, in that order, each
``spread * (2u - 1)``. Every run under one version therefore faces the same schemes, and a bulk
re-score reuses them (``robustness_draws`` is cached per scheme, draws, seed and spreads).

**A scheme without spreads has no band.** ``SchemeSpec`` carries the spreads of its version;
a snapshot stored before schemes had them loads with both None (see ``snapshot.py``), and the
band refuses it (ScoringError ``robustness.weight_spread`` / ``robustness.bound_spread``) unless
both are given explicitly: PRODUCT.md says such runs show no band until re-scored.

**Exact at zero spread.** Each draw is scored with the point kernel's own operations in its own
order (x - worst, / span, clip, x 100 w, dimension sums, / total weight, min 100), so with both
spreads 0 every draw *is* the point score, bit for bit, and the band equals it exactly.

The bulk path works in chunks of runs (``chunk_bytes`` per working array, about five of them),
so memory stays bounded whatever the number of runs, and stays in one thread: parallelism is
the Celery workers' business, a library call should not take every core of a worker.
"""

from __future__ import annotations

import functools
import hashlib
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .engine import _as_mask, _as_matrix, _band_index, _Plan, _plan, _run, _single_row
from .specs import MAX_BOUND_SPREAD, MAX_WEIGHT_SPREAD, SchemeSpec, ScoringError, fmt
from .validation import _finite

DEFAULT_DRAWS = 2_000
MAX_DRAWS = 100_000
PERCENTILES = (5.0, 50.0, 95.0)
# Per (chunk rows x draws) float64 working array: about 1 MiB keeps a chunk in the CPU's cache
# (65 runs at 2,000 draws), which is faster than larger chunks, and memory stays a few MB.
DEFAULT_CHUNK_BYTES = 1 << 20


def default_seed(slug: str, version: int) -> int:
    """The seed of a scheme version's draws: first 8 bytes of sha256("slug:version"), unsigned."""
    digest = hashlib.sha256(f"{slug}:{version}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


@dataclass(frozen=True, eq=False)
class RobustnessDraws:
    """The plausible schemes of one (scheme, draws, seed, spreads): arrays (draws, k), read-only.

    ``weights`` are renormalized (each row sums to 1), ``weight_factors`` the factors drawn;
    ``worst`` and ``best`` the moved bounds. The remaining fields are the same numbers laid out
    for the kernel (unnormalized 100 w, per-draw total weight, transposed bounds).
    """

    scheme: SchemeSpec
    draws: int
    seed: int
    weight_spread: float
    bound_spread: float
    weight_factors: np.ndarray
    weights: np.ndarray
    worst: np.ndarray
    best: np.ndarray
    worst_t: np.ndarray = field(repr=False)  # (k, D)
    span_t: np.ndarray = field(repr=False)  # (k, D): best - worst
    weight100_t: np.ndarray = field(repr=False)  # (k, D): 100 * w * factor, unnormalized
    total_weight: np.ndarray = field(repr=False)  # (D,): sum of w * factor, kernel order


@dataclass(frozen=True, slots=True)
class RobustnessBand:
    """One run's band; ``grade_share`` pairs each grade (best first) with its share of draws."""

    draws: int
    seed: int
    weight_spread: float
    bound_spread: float
    low: float
    median: float
    high: float
    grade_share: tuple[tuple[str, float], ...]
    same_grade: float

    def as_dict(self) -> dict[str, Any]:
        """PRODUCT.md section 8's ``"robustness"`` object (floats unrounded)."""
        return {
            "draws": self.draws,
            "seed": self.seed,
            "weight_spread": self.weight_spread,
            "bound_spread": self.bound_spread,
            "low": self.low,
            "median": self.median,
            "high": self.high,
            "grade_share": dict(self.grade_share),
            "same_grade": self.same_grade,
        }


@dataclass(frozen=True, eq=False)
class BulkRobustness:
    """Bands of n runs: arrays (n,), ``grade_share`` (n, len(grades)), grades best first."""

    draws: RobustnessDraws
    grades: tuple[str, ...]
    overall: np.ndarray  # the point scores
    grade: np.ndarray  # the point grades
    low: np.ndarray
    median: np.ndarray
    high: np.ndarray
    same_grade: np.ndarray
    grade_share: np.ndarray

    def __len__(self) -> int:
        return int(self.low.shape[0])

    def row(self, i: int) -> RobustnessBand:
        d = self.draws
        return RobustnessBand(
            draws=d.draws,
            seed=d.seed,
            weight_spread=d.weight_spread,
            bound_spread=d.bound_spread,
            low=float(self.low[i]),
            median=float(self.median[i]),
            high=float(self.high[i]),
            grade_share=tuple(zip(self.grades, self.grade_share[i].tolist(), strict=True)),
            same_grade=float(self.same_grade[i]),
        )


# --- settings and draws -----------------------------------------------------------------------


def _whole(value: object) -> int | None:
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        return None
    return int(value)


def _settings(
    scheme: SchemeSpec,
    draws: object,
    seed: object,
    weight_spread: object,
    bound_spread: object,
) -> tuple[tuple[int, int, float, float] | None, dict[str, str]]:
    """The four settings resolved and checked; errors keyed ``robustness.<name>``."""
    errors: dict[str, str] = {}
    n = _whole(draws)
    if n is None or not 1 <= n <= MAX_DRAWS:
        errors["robustness.draws"] = (
            f"must be a whole number from 1 to {MAX_DRAWS} (got {fmt(draws)})"
        )
    if seed is None:
        s = default_seed(scheme.slug, scheme.version)
    else:
        s = _whole(seed)
        if s is None or s < 0:
            errors["robustness.seed"] = f"must be a whole number from 0 (got {fmt(seed)})"
    spreads = []
    for name, given, own, limit in (
        ("weight_spread", weight_spread, scheme.weight_spread, MAX_WEIGHT_SPREAD),
        ("bound_spread", bound_spread, scheme.bound_spread, MAX_BOUND_SPREAD),
    ):
        key = f"robustness.{name}"
        raw = own if given is None else given
        if raw is None:
            errors[key] = (
                f"{scheme.slug} v{scheme.version} has no {name.replace('_', ' ')} (a result "
                "scored before robustness bands existed): re-score it, or give one"
            )
            spreads.append(None)
            continue
        spread = _finite(raw)
        source = "" if given is not None else f" ({scheme.slug} v{scheme.version}'s own)"
        if spread is None or not 0.0 <= spread <= limit:
            errors[key] = f"must be a number from 0 to {fmt(limit)} (got {fmt(raw)}){source}"
        spreads.append(spread)
    if errors:
        return None, errors
    assert n is not None and s is not None and None not in spreads
    return (n, s, float(spreads[0]), float(spreads[1])), errors


def _build_draws(
    plan: _Plan, draws: int, seed: int, weight_spread: float, bound_spread: float
) -> RobustnessDraws:
    scheme = plan.scheme
    k = len(scheme.indicators)
    u = np.random.default_rng(seed).random((3, draws, k))
    np.multiply(u, 2.0, out=u)
    np.subtract(u, 1.0, out=u)  # uniform in [-1, 1)
    factors = 1.0 + weight_spread * u[0]
    w = np.array([float(ind.weight) for ind in scheme.indicators])
    wf = w * factors
    worst0 = plan.worst.reshape(-1)
    best0 = np.array([float(ind.best) for ind in scheme.indicators])
    span0 = plan.span.reshape(-1)  # best0 - worst0, as the kernel has it
    worst = worst0 + (bound_spread * u[1]) * span0
    best = best0 + (bound_spread * u[2]) * span0
    # Without a weight spread every draw has the scheme's own weights, so its total is the
    # kernel's, bit for bit (the kernel sums with Python's sum(), which compensates rounding).
    total = np.full(draws, plan.total_weight) if weight_spread == 0.0 else wf.sum(axis=1)
    span = best - worst  # with a zero shift: exactly the kernel's span
    arrays = {
        "weight_factors": factors,
        "weights": wf / wf.sum(axis=1, keepdims=True),
        "worst": worst,
        "best": best,
        "worst_t": np.ascontiguousarray(worst.T),
        "span_t": np.ascontiguousarray(span.T),
        "weight100_t": np.ascontiguousarray((100.0 * wf).T),
        "total_weight": total,
    }
    for array in arrays.values():
        array.flags.writeable = False
    return RobustnessDraws(scheme, draws, seed, weight_spread, bound_spread, **arrays)


@functools.lru_cache(maxsize=8)
def _cached_draws(
    scheme: SchemeSpec, draws: int, seed: int, weight_spread: float, bound_spread: float
) -> RobustnessDraws:
    return _build_draws(_plan(scheme), draws, seed, weight_spread, bound_spread)


def _draws_for(plan: _Plan, settings: tuple[int, int, float, float]) -> RobustnessDraws:
    try:
        return _cached_draws(plan.scheme, *settings)
    except TypeError:  # an unhashable spec (e.g. indicators given as a list)
        return _build_draws(plan, *settings)


def robustness_draws(
    scheme: SchemeSpec,
    *,
    draws: object = DEFAULT_DRAWS,
    seed: object = None,
    weight_spread: object = None,
    bound_spread: object = None,
) -> RobustnessDraws:
    """The plausible schemes for ``scheme``, built once and cached.

    ``seed`` defaults to the version's ``default_seed``; the spreads default to the scheme's
    own. Raises ScoringError for an invalid scheme or setting (keys ``robustness.<name>``).
    """
    plan = _plan(scheme)
    settings, errors = _settings(scheme, draws, seed, weight_spread, bound_spread)
    if settings is None:
        raise ScoringError(errors)
    return _draws_for(plan, settings)


# --- the bands ------------------------------------------------------------------------------


def _chunk_rows(draws: int, chunk_bytes: int) -> int:
    return max(1, int(chunk_bytes) // (draws * 8))


def _bands(
    plan: _Plan,
    d: RobustnessDraws,
    x: np.ndarray,
    available: np.ndarray | None,
    chunk_bytes: int,
) -> BulkRobustness:
    """Point scores (which validate ``x``), then every chunk of runs against every draw."""
    point = _run(plan, x, available)
    n, k = x.shape
    D = d.draws
    grades_low_first = plan.grades.tolist()
    g = len(grades_low_first)
    thresholds = plan.thresholds.tolist()
    low, median, high = np.empty(n), np.empty(n), np.empty(n)
    reached = np.empty((n, len(thresholds)), dtype=np.int64)  # draws at or above each threshold

    missing = None if available is None else ~available
    if missing is not None and missing.any():
        x = np.where(missing, plan.lower, x)  # ignored values: any finite number will do
    weighted = [
        members
        for members, weight in zip(plan.dimension_members, plan.dimension_weights, strict=True)
        if weight != 0.0
    ]
    rows = _chunk_rows(D, chunk_bytes)
    acc, buf, tmp = np.empty((rows, D)), np.empty((rows, D)), np.empty((rows, D))
    hit = np.empty((rows, D), dtype=bool)
    for start in range(0, n, rows):
        stop = min(n, start + rows)
        c = stop - start
        xs = x[start:stop]
        miss = None if missing is None else missing[start:stop]
        a, b, t = acc[:c], buf[:c], tmp[:c]
        first = True
        for members in weighted:
            for position, j in enumerate(members):
                out = b if position == 0 else t
                with np.errstate(over="ignore"):
                    np.subtract(xs[:, j : j + 1], d.worst_t[j], out=out)
                    np.divide(out, d.span_t[j], out=out)
                np.clip(out, 0.0, 1.0, out=out)
                if miss is not None and miss[:, j].any():
                    np.copyto(out, 0.0, where=miss[:, j : j + 1])  # not available: s = 0
                np.multiply(out, d.weight100_t[j], out=out)
                if position > 0:
                    np.add(b, out, out=b)
            if first:
                a, b = b, a  # the first dimension's total is the running overall
                first = False
            else:
                np.add(a, b, out=a)
        np.divide(a, d.total_weight, out=a)
        np.minimum(a, 100.0, out=a)
        low[start:stop], median[start:stop], high[start:stop] = np.percentile(
            a, PERCENTILES, axis=1
        )
        h = hit[:c]
        for column, threshold in enumerate(thresholds):
            np.greater_equal(a, threshold, out=h)
            reached[start:stop, column] = np.count_nonzero(h, axis=1)

    # Draws per grade, lowest grade first: all draws minus those reaching the next threshold.
    counts = np.empty((n, g), dtype=np.int64)
    above = np.concatenate([np.full((n, 1), D), reached, np.zeros((n, 1), np.int64)], axis=1)
    np.subtract(above[:, :-1], above[:, 1:], out=counts)
    share_low_first = counts / D
    point_index = _band_index(plan.thresholds, point.overall).astype(np.intp)
    same_grade = share_low_first[np.arange(n), point_index]
    grade_share = np.ascontiguousarray(share_low_first[:, ::-1])
    outputs = (low, median, high, same_grade, grade_share)
    for array in outputs:
        array.flags.writeable = False
    return BulkRobustness(
        draws=d,
        grades=tuple(grades_low_first[::-1]),
        overall=point.overall,
        grade=point.grade,
        low=low,
        median=median,
        high=high,
        same_grade=same_grade,
        grade_share=grade_share,
    )


def robustness_bulk(
    scheme: SchemeSpec,
    values: np.ndarray,
    available: np.ndarray | None = None,
    *,
    draws: object = DEFAULT_DRAWS,
    seed: object = None,
    weight_spread: object = None,
    bound_spread: object = None,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
) -> BulkRobustness:
    """Bands for n runs: ``values`` (n, k) and ``available`` as ``score_bulk`` takes them.

    Raises ScoringError for an invalid scheme or setting, a wrong shape, or bad values.
    """
    plan = _plan(scheme)
    settings, errors = _settings(scheme, draws, seed, weight_spread, bound_spread)
    if settings is None:
        raise ScoringError(errors)
    x = _as_matrix(plan, values)
    mask = _as_mask(x, available)
    return _bands(plan, _draws_for(plan, settings), x, mask, chunk_bytes)


def robustness_band(
    scheme: SchemeSpec,
    values: Mapping[str, object],
    *,
    draws: object = DEFAULT_DRAWS,
    seed: object = None,
    weight_spread: object = None,
    bound_spread: object = None,
) -> RobustnessBand:
    """One run's band; ``values`` as ``score()`` takes them (None: not available).

    Raises ScoringError naming every bad setting and value at once.
    """
    plan = _plan(scheme)
    settings, errors = _settings(scheme, draws, seed, weight_spread, bound_spread)
    try:
        x, available = _single_row(scheme, values)
    except ScoringError as error:
        raise ScoringError({**errors, **error.errors}) from None
    if settings is None:
        raise ScoringError(errors)
    d = _draws_for(plan, settings)
    return _bands(plan, d, x, available, DEFAULT_CHUNK_BYTES).row(0)
