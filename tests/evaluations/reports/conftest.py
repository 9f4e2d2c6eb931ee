"""A scored enterprise with two periods, so reports have a change to show."""

import pytest
from django.core.cache import cache
from django.urls import reverse
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
def private_files(settings, tmp_path):
    """Report files are stored in private storage: each test has its own."""
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def download(django_capture_on_commit_callbacks):
    """``download(client, "run-pdf", run)``: a report as a person gets it. A PDF's first answer
    shows its progress while the render is sent after the commit (run here by the eager test
    worker); asking again serves the file. CSV and XLSX answer at once."""

    def get(client, name, run, pk=None, **headers):
        url = reverse(
            f"evaluations:{name}", kwargs={"pk": pk or run.enterprise_id, "run_pk": run.pk}
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = client.get(url, headers=headers)
        if name != "run-pdf" or response.status_code != 200:
            return response
        return client.get(url, headers=headers)

    return get
