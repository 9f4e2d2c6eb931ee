"""Plain-data descriptions of a weight scheme, and the one error type the engine raises.

These are what the Django side builds from its models (and snapshots into each evaluation run),
so they are frozen, hashable and free of any framework import.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

# A score that equals a band's lower bound up to float noise (e.g. 84.99999999999999 for an
# arithmetically exact 85) gets that band: a person recomputing by hand must see the same grade.
GRADE_TOLERANCE = 1e-9

# PRODUCT.md section 8: each weight moves by up to +-25 %, each bound by up to 20 % of its span.
DEFAULT_WEIGHT_SPREAD = 0.25
DEFAULT_BOUND_SPREAD = 0.20
# Wider than 0.9 a weight could vanish; wider than 0.45 a scheme's worst and best could cross.
MAX_WEIGHT_SPREAD = 0.9
MAX_BOUND_SPREAD = 0.45


@dataclass(frozen=True, slots=True)
class IndicatorSpec:
    """One row of a weight scheme: how one indicator is normalized and weighted.

    ``worst``/``best`` are the scheme's normalization bounds (either may be the larger one);
    ``min_value``/``max_value`` are the range a typed value may take at all, which is a property
    of the indicator (a percentage cannot exceed 100), not of the scheme's bounds.
    ``plausible_max`` is where an accepted value starts to look like a typing or unit mistake
    (PRODUCT.md section 8): a value above it is scored as usual but warned about. None: no
    plausibility limit beyond ``max_value``.
    """

    code: str
    dimension: str
    weight: float
    worst: float
    best: float
    min_value: float = 0.0
    max_value: float | None = None
    plausible_max: float | None = None


@dataclass(frozen=True, slots=True)
class GradeBand:
    """A grade awarded when the overall score is at least ``min_score``.

    ``label`` is a plain English key (e.g. ``"leading"``) that the UI translates.
    """

    grade: str
    min_score: float
    label: str


DEFAULT_GRADE_BANDS: tuple[GradeBand, ...] = (
    GradeBand("A", 85.0, "leading"),
    GradeBand("B", 70.0, "advanced"),
    GradeBand("C", 55.0, "developing"),
    GradeBand("D", 40.0, "emerging"),
    GradeBand("E", 0.0, "at_risk"),
)


@dataclass(frozen=True, slots=True)
class SchemeSpec:
    """A published weight scheme version: indicators in display order, plus grade bands.

    Dimensions are ordered by their first appearance in ``indicators``. ``weight_spread`` and
    ``bound_spread`` drive the robustness band (PRODUCT.md section 8; see ``robustness.py``).
    None means the scheme states no spreads, as in a snapshot stored before schemes had them:
    such a scheme scores as usual but gives no band unless both spreads are supplied.
    """

    slug: str
    version: int
    indicators: tuple[IndicatorSpec, ...]
    grade_bands: tuple[GradeBand, ...] = DEFAULT_GRADE_BANDS
    weight_spread: float | None = DEFAULT_WEIGHT_SPREAD
    bound_spread: float | None = DEFAULT_BOUND_SPREAD

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(ind.code for ind in self.indicators)

    @property
    def dimensions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(ind.dimension for ind in self.indicators))


class ScoringError(ValueError):
    """Invalid scheme or input values; ``errors`` maps each bad field to a human message.

    Keys are indicator codes, or ``"scheme"``, ``"grade_bands"`` and ``"values"`` for problems
    that belong to no single indicator. Messages do not repeat the key, so a form can show
    them next to the field; ``str()`` prefixes each with its key, one per line, for the CLI.
    The errors dict is the only constructor argument so the exception pickles (Celery).
    """

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors: dict[str, str] = dict(errors)
        super().__init__(self.errors)

    def __str__(self) -> str:
        return "\n".join(f"{key}: {message}" for key, message in self.errors.items())


def add_error(errors: dict[str, str], key: str, message: str) -> None:
    """Record a message, keeping earlier ones for the same key (all problems are reported)."""
    errors[key] = f"{errors[key]}; {message}" if key in errors else message


def fmt(x: object) -> str:
    """Short, exact-enough rendering of a number inside a message."""
    if isinstance(x, float):
        return f"{x:.15g}"
    return repr(x) if isinstance(x, str) else str(x)


def band_for(overall: float, bands: tuple[GradeBand, ...] = DEFAULT_GRADE_BANDS) -> GradeBand:
    """The band an overall score falls in (bands are ordered best first, as in a valid scheme)."""
    if not math.isfinite(overall):
        raise ValueError(f"overall score must be finite, got {overall!r}")
    for band in bands[:-1]:
        # Same float operations as the vectorized path: compare with (min - tolerance).
        if overall >= float(band.min_score) - GRADE_TOLERANCE:
            return band
    return bands[-1]


def grade_for(overall: float, bands: tuple[GradeBand, ...] = DEFAULT_GRADE_BANDS) -> str:
    """The grade letter for an overall score: A >= 85, B >= 70, C >= 55, D >= 40, else E."""
    return band_for(overall, bands).grade
