"""Shared fixtures for the pure scoring-engine tests (no Django needed)."""

from __future__ import annotations

import pytest

from evaluations.scoring import IndicatorSpec, SchemeSpec

# PRODUCT.md section 3 / Ye (2025) Table 4, scheme "ye-2025-table-4" version 1.
TABLE_4 = SchemeSpec(
    slug="ye-2025-table-4",
    version=1,
    indicators=(
        IndicatorSpec("logistics_cost", "operational_efficiency", 0.25, 30, 5, 0, 100),
        IndicatorSpec("npd_cycle", "innovation_capacity", 0.15, 180, 14),
        IndicatorSpec("tech_update_speed", "innovation_capacity", 0.10, 0, 24),
        IndicatorSpec("market_response_time", "market_adaptability", 0.20, 90, 7),
        IndicatorSpec("environmental_impact_score", "sustainability", 0.30, 0, 100, 0, 100),
    ),
)
TABLE_4_CODES = tuple(i.code for i in TABLE_4.indicators)


@pytest.fixture(scope="session")
def table4() -> SchemeSpec:
    return TABLE_4
