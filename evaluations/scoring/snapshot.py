"""A scheme as JSON-ready plain data, and back: what every evaluation run stores of its scheme.

With the snapshot in the run, an old result can be recomputed and explained exactly even after
an administrator publishes new weights.

Snapshots stored before schemes had plausibility limits and robustness spreads (migration
``0007_scheme_robustness_plausibility``) lack those keys: they load with ``plausible_max`` None
(no warning) and both spreads None, which the robustness band refuses (PRODUCT.md section 8:
such runs show no band until re-scored). Defaults are never invented for them, so a snapshot
read and written again is what it was.
"""

from __future__ import annotations

from typing import Any

from .specs import GradeBand, IndicatorSpec, SchemeSpec


def scheme_to_dict(scheme: SchemeSpec) -> dict[str, Any]:
    return {
        "slug": scheme.slug,
        "version": scheme.version,
        "weight_spread": scheme.weight_spread,
        "bound_spread": scheme.bound_spread,
        "indicators": [
            {
                "code": i.code,
                "dimension": i.dimension,
                "weight": i.weight,
                "worst": i.worst,
                "best": i.best,
                "min_value": i.min_value,
                "max_value": i.max_value,
                "plausible_max": i.plausible_max,
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
        weight_spread=data.get("weight_spread"),
        bound_spread=data.get("bound_spread"),
    )
