"""The pure sustainability scoring engine (PRODUCT.md sections 3, 8 and 9); it imports no Django.

The web app, Celery tasks, admin preview, bulk re-scoring and the ``score`` and ``ahp`` commands
all call these functions with plain data, so a score is computed one way everywhere.
"""

from .ahp import AhpResult, ahp, combine_levels
from .compare import CohortImpact, cohort_impact, spearman
from .engine import (
    BulkResult,
    DimensionResult,
    IndicatorResult,
    ScoreResult,
    score,
    score_bulk,
)
from .plausibility import PlausibilityWarning, plausibility_warnings
from .robustness import (
    DEFAULT_DRAWS,
    BulkRobustness,
    RobustnessBand,
    RobustnessDraws,
    default_seed,
    robustness_band,
    robustness_bulk,
    robustness_draws,
)
from .snapshot import scheme_from_dict, scheme_to_dict
from .specs import (
    DEFAULT_BOUND_SPREAD,
    DEFAULT_GRADE_BANDS,
    DEFAULT_WEIGHT_SPREAD,
    GRADE_TOLERANCE,
    MAX_BOUND_SPREAD,
    MAX_WEIGHT_SPREAD,
    GradeBand,
    IndicatorSpec,
    SchemeSpec,
    ScoringError,
    band_for,
    grade_for,
)
from .validation import validate_scheme, validate_values

__all__ = [
    "DEFAULT_BOUND_SPREAD",
    "DEFAULT_DRAWS",
    "DEFAULT_GRADE_BANDS",
    "DEFAULT_WEIGHT_SPREAD",
    "GRADE_TOLERANCE",
    "MAX_BOUND_SPREAD",
    "MAX_WEIGHT_SPREAD",
    "AhpResult",
    "BulkResult",
    "BulkRobustness",
    "CohortImpact",
    "DimensionResult",
    "GradeBand",
    "IndicatorResult",
    "IndicatorSpec",
    "PlausibilityWarning",
    "RobustnessBand",
    "RobustnessDraws",
    "SchemeSpec",
    "ScoreResult",
    "ScoringError",
    "ahp",
    "band_for",
    "cohort_impact",
    "combine_levels",
    "default_seed",
    "grade_for",
    "plausibility_warnings",
    "robustness_band",
    "robustness_bulk",
    "robustness_draws",
    "score",
    "score_bulk",
    "spearman",
    "scheme_from_dict",
    "scheme_to_dict",
    "validate_scheme",
    "validate_values",
]
