"""Checks on schemes and typed values, reporting every problem at once.

An administrator editing a scheme, or an enterprise typing values, should see all of their
mistakes in one round trip, each next to the field it concerns, and never get a silent fix.
"""

from __future__ import annotations

import math
import numbers
from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal

import numpy as np

from .specs import SchemeSpec, ScoringError, add_error, fmt

WEIGHT_SUM_TOLERANCE = 1e-9


def _finite(x: object) -> float | None:
    """``x`` as a finite float if it is a real number (bools are not), else None."""
    if isinstance(x, bool | np.bool_) or not isinstance(x, numbers.Real | Decimal):
        return None
    try:
        f = float(x)
    except (ValueError, OverflowError):  # Decimal('sNaN'), ints beyond float range
        return None
    return f if math.isfinite(f) else None


def validate_scheme(
    scheme: SchemeSpec, required_codes: Iterable[str] | None = None
) -> dict[str, str]:
    """Return ``{}`` for a usable scheme, else messages keyed by indicator code (or "scheme").

    ``required_codes`` is the indicator catalogue: when given, each of them must appear exactly
    once and no other may appear. Without it only duplicates are checked.
    """
    errors: dict[str, str] = {}
    required = None if required_codes is None else tuple(required_codes)
    codes = [ind.code for ind in scheme.indicators]
    counts = Counter(codes)
    if not codes:
        add_error(errors, "scheme", "has no indicators")

    weights: list[float] = []
    for position, ind in enumerate(scheme.indicators, start=1):
        if not isinstance(ind.code, str) or not ind.code:
            add_error(errors, "scheme", f"indicator #{position} has no code")
            continue
        key = ind.code
        if counts[key] > 1 and codes.index(key) == position - 1:
            add_error(errors, key, f"appears {counts[key]} times; each indicator must appear once")
        if required is not None and key not in required:
            add_error(errors, key, "is not a known indicator")
        if not isinstance(ind.dimension, str) or not ind.dimension:
            add_error(errors, key, "has no dimension")

        weight = _finite(ind.weight)
        if weight is None:
            add_error(errors, key, f"weight must be a finite number (got {fmt(ind.weight)})")
        elif weight < 0:
            add_error(errors, key, f"weight must be >= 0 (got {fmt(weight)})")
        else:
            weights.append(weight)

        worst, best = _finite(ind.worst), _finite(ind.best)
        for name, raw, val in (("worst", ind.worst, worst), ("best", ind.best, best)):
            if val is None:
                add_error(errors, key, f"{name} bound must be a finite number (got {fmt(raw)})")
        if worst is not None and worst == best:
            add_error(errors, key, f"worst and best bounds must differ (both are {fmt(worst)})")
        elif worst is not None and best is not None and not math.isfinite(best - worst):
            add_error(errors, key, "worst and best bounds are too far apart to compute with")

        low = _finite(ind.min_value)
        if low is None:
            add_error(
                errors, key, f"minimum value must be a finite number (got {fmt(ind.min_value)})"
            )
        if ind.max_value is not None:
            high = _finite(ind.max_value)
            if high is None:
                add_error(errors, key, f"maximum value must be finite (got {fmt(ind.max_value)})")
            elif low is not None and high <= low:
                add_error(errors, key, f"maximum value {fmt(high)} must exceed minimum {fmt(low)}")
        if ind.plausible_max is not None:
            plausible = _finite(ind.plausible_max)
            if plausible is None:
                add_error(
                    errors,
                    key,
                    f"plausible maximum must be a finite number (got {fmt(ind.plausible_max)})",
                )
            elif low is not None and plausible <= low:
                add_error(
                    errors,
                    key,
                    f"plausible maximum {fmt(plausible)} must exceed minimum {fmt(low)}",
                )

    for key in required or ():
        if key not in counts:
            add_error(errors, key, "is missing; every indicator must appear once")

    if codes and len(weights) == len(codes):
        total = math.fsum(weights)
        if abs(total - 1.0) > WEIGHT_SUM_TOLERANCE:
            listed = " + ".join(f"{code} {fmt(w)}" for code, w in zip(codes, weights, strict=True))
            add_error(
                errors, "scheme", f"weights sum to {fmt(total)} ({listed}); they must sum to 1"
            )

    _validate_bands(scheme, errors)
    return errors


def _validate_bands(scheme: SchemeSpec, errors: dict[str, str]) -> None:
    """Bands must be best first, strictly decreasing within 0..100, lowest at 0, grades unique."""
    bands = scheme.grade_bands
    if not bands:
        add_error(errors, "grade_bands", "at least one grade band is required")
        return
    grades = [band.grade for band in bands]
    if any(not isinstance(g, str) or not g for g in grades) or len(set(grades)) != len(grades):
        add_error(errors, "grade_bands", "grades must be non-empty and distinct")
    previous = math.inf
    for band in bands:
        low = _finite(band.min_score)
        if low is None or not 0.0 <= low <= 100.0:
            add_error(errors, "grade_bands", f"{band.grade}: minimum must be within 0..100")
            return
        if low >= previous:
            add_error(errors, "grade_bands", "bands must be ordered by strictly decreasing minimum")
            return
        previous = low
    if previous != 0.0:
        add_error(errors, "grade_bands", "the lowest band must start at 0")


def _parse_value(raw: object) -> tuple[float | None, str | None]:
    """(value, None) for a finite number or numeric string, else (None, message)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, "a value is required"
    if isinstance(raw, bool | np.bool_):
        return None, f"must be a number, not a boolean (got {raw})"
    if isinstance(raw, str):
        try:
            value = float(raw.strip())
        except ValueError:
            return None, f"must be a number (got {raw!r})"
    elif isinstance(raw, numbers.Real | Decimal):
        try:
            value = float(raw)
        except (ValueError, OverflowError):
            return None, f"must be a finite number (got {raw})"
    else:
        return None, f"must be a number (got {type(raw).__name__})"
    if not math.isfinite(value):
        return None, f"must be a finite number (got {fmt(value)})"
    return value, None


def validate_values(
    scheme: SchemeSpec, values: Mapping[str, object], *, allow_not_available: bool = False
) -> dict[str, float | None]:
    """Return the values as floats keyed by code, or raise ScoringError naming each bad field.

    Out-of-range input is rejected, never clamped: only the normalized score is clamped. With
    ``allow_not_available``, a value given as ``None`` is "not available" (PRODUCT.md section 8)
    and comes back as None; a key that is absent, or a blank string, is still "required". Without
    it (a draft's blank field on the web form), ``None`` is "required" too.
    """
    errors: dict[str, str] = {}
    cleaned: dict[str, float | None] = {}
    known = set(scheme.codes)
    for key in values:
        if key not in known:
            add_error(errors, str(key), f"is not an indicator of {scheme.slug} v{scheme.version}")
    for ind in scheme.indicators:
        if ind.code not in values:
            add_error(errors, ind.code, "a value is required")
            continue
        if allow_not_available and values[ind.code] is None:
            cleaned[ind.code] = None
            continue
        value, problem = _parse_value(values[ind.code])
        if value is None:
            add_error(errors, ind.code, problem or "invalid")
        elif value < float(ind.min_value):
            add_error(errors, ind.code, f"must be at least {fmt(ind.min_value)} (got {fmt(value)})")
        elif ind.max_value is not None and value > float(ind.max_value):
            add_error(errors, ind.code, f"must be at most {fmt(ind.max_value)} (got {fmt(value)})")
        else:
            cleaned[ind.code] = value
    if errors:
        raise ScoringError(errors)
    return cleaned
