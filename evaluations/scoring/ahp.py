"""Weights from expert judgement: the Analytic Hierarchy Process (PRODUCT.md section 9).

An administrator compares criteria two at a time on Saaty's 1-9 scale (a_ij: how much more
important i is than j; a_ji = 1 / a_ij). The weights are the matrix's principal right
eigenvector normalized to sum 1; ``lambda_max`` its eigenvalue; the consistency index
ci = (lambda_max - n) / (n - 1) (0 for n = 1) and ratio cr = ci / ri with Saaty's random
indices (cr is 0 for n <= 2, where any reciprocal matrix is consistent). A matrix is consistent
when cr <= 0.10; otherwise the pair to revisit is the one whose judgment departs most from the
weights: the pair i < j with the largest |ln(a_ij * w_j / w_i)|.

An indicator's weight in a scheme is its dimension's weight times its weight inside the
dimension: ``combine_levels``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .specs import ScoringError, add_error, fmt
from .validation import _finite

# Saaty's random consistency indices for n = 1..10 (PRODUCT.md section 9).
RANDOM_INDEX = {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45}
RANDOM_INDEX[10] = 1.49
MAX_CRITERIA = 10
CONSISTENT_CR = 0.10
SCALE_TOLERANCE = 1e-6  # Saaty's scale is [1/9, 9]; 0.1111 for 1/9 is fine
RECIPROCAL_TOLERANCE = 1e-3  # 3 and 0.3333 are reciprocal enough
WEIGHT_SUM_TOLERANCE = 1e-9


@dataclass(frozen=True)
class AhpResult:
    """Weights keyed by criterion (input order), and the consistency figures."""

    weights: dict[str, float]
    lambda_max: float
    ci: float
    ri: float
    cr: float
    consistent: bool
    most_inconsistent: tuple[str, str] | None

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of ``manage.py ahp`` (floats unrounded)."""
        pair = self.most_inconsistent
        return {
            "weights": dict(self.weights),
            "lambda_max": self.lambda_max,
            "ci": self.ci,
            "ri": self.ri,
            "cr": self.cr,
            "consistent": self.consistent,
            "most_inconsistent": None if pair is None else list(pair),
        }


def _check_criteria(criteria: object, errors: dict[str, str]) -> list[str] | None:
    if isinstance(criteria, str) or not isinstance(criteria, Sequence):
        add_error(errors, "criteria", "must be a list of criterion names")
        return None
    if not criteria:
        add_error(errors, "criteria", "must name at least one criterion")
        return None
    if len(criteria) > MAX_CRITERIA:
        add_error(
            errors,
            "criteria",
            f"at most {MAX_CRITERIA} criteria can be compared (got {len(criteria)}): "
            "split them into a hierarchy",
        )
    seen: set[str] = set()
    for i, name in enumerate(criteria):
        if not isinstance(name, str) or not name.strip():
            add_error(errors, f"criteria[{i}]", f"must be a non-empty name (got {fmt(name)})")
        elif name in seen:
            add_error(errors, f"criteria[{i}]", f"{name!r} is named twice")
        else:
            seen.add(name)
    return list(criteria)


def _check_matrix(matrix: object, n: int | None, errors: dict[str, str]) -> np.ndarray | None:
    """The matrix as floats, or None; every entry's problem is recorded under its own key."""
    if isinstance(matrix, str) or not isinstance(matrix, Sequence):
        add_error(errors, "matrix", "must be a list of rows (lists of numbers)")
        return None
    size = len(matrix)
    lengths = []
    for i, row in enumerate(matrix):
        if isinstance(row, str) or not isinstance(row, Sequence):
            add_error(errors, f"matrix[{i}]", "must be a list of numbers")
        else:
            lengths.append(len(row))
    if len(lengths) < size:
        return None
    if size == 0:
        if n is not None:
            add_error(errors, "matrix", "has no rows")
        return None
    if any(length != size for length in lengths):
        if len(set(lengths)) == 1:
            add_error(errors, "matrix", f"must be square ({size} rows of {lengths[0]} entries)")
        else:
            for i, length in enumerate(lengths):
                if length != size:
                    add_error(
                        errors,
                        f"matrix[{i}]",
                        f"has {length} entries; the matrix has {size} rows, so each needs {size}",
                    )
        return None
    if n is not None and size != n:
        add_error(errors, "criteria", f"names {n} criteria but the matrix is {size} x {size}")
    a = np.empty((size, size))
    entries_ok = True
    low, high = 1 / 9 - SCALE_TOLERANCE, 9 + SCALE_TOLERANCE
    for i, row in enumerate(matrix):
        for j, raw in enumerate(row):
            key = f"matrix[{i}][{j}]"
            value = _finite(raw)
            if value is None:
                add_error(errors, key, f"must be a positive number (got {fmt(raw)})")
            elif value <= 0:
                add_error(errors, key, f"must be positive (got {fmt(value)})")
            elif i == j and abs(value - 1.0) > SCALE_TOLERANCE:
                add_error(errors, key, f"a criterion compared with itself is 1 (got {fmt(value)})")
            elif not low <= value <= high:
                add_error(errors, key, f"must be within Saaty's scale 1/9 to 9 (got {fmt(value)})")
            else:
                a[i, j] = value
                continue
            entries_ok = False
    if not entries_ok:
        return None
    for i in range(size):
        for j in range(i + 1, size):
            product = a[i, j] * a[j, i]
            if abs(product - 1.0) > RECIPROCAL_TOLERANCE:
                add_error(
                    errors,
                    f"matrix[{i}][{j}]",
                    f"and matrix[{j}][{i}] must be reciprocal ({fmt(float(a[i, j]))} x "
                    f"{fmt(float(a[j, i]))} = {fmt(float(product))}, not 1)",
                )
    return a


def ahp(criteria: Sequence[str], matrix: Sequence[Sequence[float]]) -> AhpResult:
    """Weights and consistency of a reciprocal pairwise comparison matrix.

    Raises ScoringError naming every bad entry at once: keys ``criteria``, ``criteria[i]``,
    ``matrix``, ``matrix[i]`` and ``matrix[i][j]``.
    """
    errors: dict[str, str] = {}
    names = _check_criteria(criteria, errors)
    a = _check_matrix(matrix, None if names is None else len(names), errors)
    if errors or a is None or names is None:
        raise ScoringError(errors or {"matrix": "is not a usable comparison matrix"})

    n = len(names)
    eigenvalues, eigenvectors = np.linalg.eig(a)
    principal = int(np.argmax(eigenvalues.real))  # Perron root: real, largest, simple
    lambda_max = float(eigenvalues[principal].real)
    vector = eigenvectors[:, principal].real
    w = vector / vector.sum()  # also fixes the sign: a positive matrix has a positive vector
    ci = 0.0 if n == 1 else (lambda_max - n) / (n - 1)
    ri = RANDOM_INDEX[n]
    cr = 0.0 if n <= 2 else ci / ri
    most = None
    if n > 2:
        residual = -1.0
        for i in range(n):
            for j in range(i + 1, n):
                r = abs(math.log(a[i, j] * w[j] / w[i]))
                if r > residual:
                    residual, most = r, (names[i], names[j])
    return AhpResult(
        weights=dict(zip(names, w.tolist(), strict=True)),
        lambda_max=lambda_max,
        ci=ci,
        ri=ri,
        cr=cr,
        consistent=cr <= CONSISTENT_CR,
        most_inconsistent=most,
    )


def combine_levels(
    dimension_weights: Mapping[str, float],
    indicator_weights: Mapping[str, Mapping[str, float]],
) -> dict[str, float]:
    """Each indicator's weight in the scheme: its dimension's weight x its weight inside it.

    Both levels must be weights (>= 0, summing to 1 within 1e-9) over the same dimensions, and
    no indicator may sit in two dimensions. Indicators come out in dimension order, then their
    own. Raises ScoringError keyed by dimension or indicator code (``"dimensions"`` for the top).
    """
    errors: dict[str, str] = {}

    def weights_of(key: str, weights: Mapping[str, object]) -> dict[str, float]:
        """The weights as floats; a bad one is named under ``key``'s own entry."""
        good: dict[str, float] = {}
        for name, raw in weights.items():
            value = _finite(raw)
            if value is None or value < 0:
                add_error(errors, key, f"{name}: weight must be a number >= 0 (got {fmt(raw)})")
            else:
                good[name] = value
        if len(good) == len(weights) and abs(math.fsum(good.values()) - 1.0) > WEIGHT_SUM_TOLERANCE:
            add_error(errors, key, f"weights sum to {fmt(math.fsum(good.values()))}, not 1")
        return good

    top = weights_of("dimensions", dimension_weights)
    for code, raw in dimension_weights.items():
        if code not in top:
            add_error(errors, code, f"dimension weight must be a number >= 0 (got {fmt(raw)})")
    for code in indicator_weights:
        if code not in dimension_weights:
            add_error(errors, code, "has indicator weights but no dimension weight")
    combined: dict[str, float] = {}
    for code in dimension_weights:
        if code not in indicator_weights:
            add_error(errors, code, "has a weight but no indicator weights")
            continue
        for indicator, weight in weights_of(code, indicator_weights[code]).items():
            if indicator in combined:
                add_error(errors, indicator, "appears in two dimensions")
            elif code in top:
                combined[indicator] = top[code] * weight
    if errors:
        raise ScoringError(errors)
    return combined
