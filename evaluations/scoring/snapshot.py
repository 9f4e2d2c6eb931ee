"""A scheme as JSON-ready plain data, and back: what every evaluation run stores of its scheme.

With the snapshot in the run, an old result can be recomputed and explained exactly even after
an administrator publishes new weights.
"""

from __future__ import annotations

from typing import Any

from .specs import GradeBand, IndicatorSpec, SchemeSpec


def scheme_to_dict(scheme: SchemeSpec) -> dict[str, Any]:
    return {
        "slug": scheme.slug,
        "version": scheme.version,
        "indicators": [
            {
                "code": i.code,
                "dimension": i.dimension,
                "weight": i.weight,
                "worst": i.worst,
                "best": i.best,
                "min_value": i.min_value,
                "max_value": i.max_value,
            }
            for i in scheme.indicators
        ],
        "grade_bands": [
            {"grade": b.grade, "min_score": b.min_score, "label": b.label}
            for b in scheme.grade_bands
        ],
    }


def scheme_from_dict(data: dict[str, Any]) -> SchemeSpec:
    return SchemeSpec(
        slug=data["slug"],
        version=int(data["version"]),
        indicators=tuple(IndicatorSpec(**row) for row in data["indicators"]),
        grade_bands=tuple(GradeBand(**band) for band in data["grade_bands"]),
    )
