"""A scored enterprise with two periods, so reports have a change to show."""

import pytest
from django.core.cache import cache
from django.utils import translation

from tests.factories import AssessmentFactory, submitted_run


@pytest.fixture
def runs(enterprise, alice):
    """(2025 Q3, 2025 Q4) succeeded runs of alice's enterprise; Q4 improved logistics costs."""
    earlier = submitted_run(
        AssessmentFactory(
            enterprise=enterprise,
            year=2025,
            quarter=3,
            values={
                "logistics_cost": 22.0,
                "npd_cycle": 60.0,
                "tech_update_speed": 8.0,
                "market_response_time": 30.0,
                "environmental_impact_score": 55.0,
            },
        ),
        alice,
    )
    latest = submitted_run(AssessmentFactory(enterprise=enterprise, year=2025, quarter=4), alice)
    return earlier, latest


@pytest.fixture
def run(runs):
    return runs[1]


@pytest.fixture(autouse=True)
def english():
    """Each test starts in English, whatever language an earlier request left active."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def no_stored_jobs(settings, tmp_path):
    """PDF jobs live in the cache and their files in private storage: each test has its own."""
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    cache.clear()
    yield
    cache.clear()
