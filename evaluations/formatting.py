"""How numbers read, in one place: pages, PDF and the readable columns of CSV and XLSX.

- ``shown_score``: every score a person reads, by PRODUCT.md section 8's display rule,
  floor((x + 1e-9) × 10) / 10 with one decimal, so a shown 84.9 never sits beside an A (the
  engine's grade tolerance is the same 1e-9);
- ``plain``: a value, bound or weight as people write it (18, 0.25, 0.333333);
- ``signed``: a change with its sign (+3.0, −1.5, ±0.0), and ``change_verdict``: whether it is
  better or worse, which a lower value can be;
- ``saaty``: a pairwise comparison on Saaty's scale (3, 1, 1/5).
"""

from __future__ import annotations

import math

from evaluations.scoring import GRADE_TOLERANCE

MISSING = "—"


def floor_score(x: float) -> float:
    """The score as shown, as a number (floored to one decimal)."""
    return math.floor((float(x) + GRADE_TOLERANCE) * 10) / 10


def shown_score(x: float | None) -> str:
    return MISSING if x is None else f"{floor_score(x):.1f}"


def plain(x: float | None) -> str:
    """Up to six significant digits, no trailing zeros; thousands as 1,000."""
    if x is None:
        return MISSING
    x = float(x)
    if abs(x) >= 1000 and x == int(x):
        return f"{x:,.0f}"
    return f"{x:.6g}"


def signed(x: float | None, digits: int = 1) -> str:
    if x is None:
        return MISSING
    rounded = round(float(x), digits)
    if rounded == 0:
        return f"±{0:.{digits}f}"
    return f"{'+' if rounded > 0 else '−'}{abs(rounded):.{digits}f}"


def change_verdict(
    x: float | None, *, higher_is_better: bool = True, digits: int = 1
) -> str | None:
    """Whether a change is "better", "worse" or the "same", as shown (rounded to ``digits``):
    a lower value is better for an indicator whose best bound is below its worst."""
    if x is None:
        return None
    rounded = round(float(x), digits)
    if rounded == 0:
        return "same"
    return "better" if (rounded > 0) == higher_is_better else "worse"


def saaty(x: float) -> str:
    """A pairwise comparison as people write it on Saaty's scale: 3, 1, 1/5 (else ``plain``)."""
    x = float(x)
    if x >= 1 and abs(x - round(x)) < 1e-6:
        return str(round(x))
    if 0 < x < 1 and abs(1 / x - round(1 / x)) < 1e-3:
        return f"1/{round(1 / x)}"
    return plain(x)
