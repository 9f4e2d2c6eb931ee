"""The evaluations app's models, one module per concern.

- ``schemes``: dimensions, indicators and versioned weight schemes (PRODUCT.md sections 3, 4);
- ``assessments``: an enterprise's values for a period, its evidence and its evaluation runs
  with their stored results (section 5);
- ``recommendations``: the catalogue of advice drawn from the paper (section 6);
- ``reports``: files made for people (PDF reports), one row per file (section 7);
- ``rescore``: bulk re-scoring jobs under another scheme version;
- ``plans``: the improvement plan's actions and the reminders sent for them;
- ``verification``: an analyst's (or the platform's) stamp on a submission and its steps.
"""

from .assessments import (
    Assessment,
    EvaluationRun,
    Evidence,
    RunDimension,
    RunIndicator,
)
from .plans import PlanAction, PlanReminder
from .recommendations import Recommendation
from .reports import ReportFile
from .rescore import RescoreChunk, RescoreJob
from .schemes import (
    Better,
    Dimension,
    Indicator,
    Localized,
    SchemeIndicator,
    WeightScheme,
    default_grade_bands,
    grade_label,
    parse_grade_bands,
)
from .verification import Verification, VerificationState, VerificationStep

__all__ = [
    "Assessment",
    "Better",
    "Dimension",
    "EvaluationRun",
    "Evidence",
    "Indicator",
    "Localized",
    "PlanAction",
    "PlanReminder",
    "Recommendation",
    "ReportFile",
    "RescoreChunk",
    "RescoreJob",
    "RunDimension",
    "RunIndicator",
    "SchemeIndicator",
    "Verification",
    "VerificationState",
    "VerificationStep",
    "WeightScheme",
    "default_grade_bands",
    "grade_label",
    "parse_grade_bands",
]
