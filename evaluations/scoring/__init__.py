"""The pure sustainability scoring engine (PRODUCT.md section 3); it imports no Django.

The web app, Celery tasks, admin preview, bulk re-scoring and the ``score`` command all call
these functions with plain data, so a score is computed one way everywhere.
"""

from .engine import (
    BulkResult,
    DimensionResult,
    IndicatorResult,
    ScoreResult,
    score,
    score_bulk,
)
from .snapshot import scheme_from_dict, scheme_to_dict
from .specs import (
    DEFAULT_GRADE_BANDS,
    GRADE_TOLERANCE,
    GradeBand,
    IndicatorSpec,
    SchemeSpec,
    ScoringError,
    band_for,
    grade_for,
)
from .validation import validate_scheme, validate_values

__all__ = [
    "DEFAULT_GRADE_BANDS",
    "GRADE_TOLERANCE",
    "BulkResult",
    "DimensionResult",
    "GradeBand",
    "IndicatorResult",
    "IndicatorSpec",
    "SchemeSpec",
    "ScoreResult",
    "ScoringError",
    "band_for",
    "grade_for",
    "score",
    "score_bulk",
    "scheme_from_dict",
    "scheme_to_dict",
    "validate_scheme",
    "validate_values",
]
