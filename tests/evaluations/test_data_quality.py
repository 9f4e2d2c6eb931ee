"""Data quality (PRODUCT.md section 8): not available, plausibility, the robustness band."""

import pytest
from django.urls import reverse

from evaluations import peers
from evaluations.models import EvaluationRun
from evaluations.scoring import robustness_band, scheme_from_dict
from tests.factories import COMPLETE_VALUES, AssessmentFactory, submitted_run

pytestmark = pytest.mark.django_db


def _url(name, enterprise, **kwargs):
    return reverse(f"evaluations:{name}", kwargs={"pk": enterprise.pk, **kwargs})


def _post(client, assessment, **fields):
    data = {**{k: str(v) for k, v in COMPLETE_VALUES.items()}, "env_mode": "typed", **fields}
    data = {k: v for k, v in data.items() if v is not None}
    url = _url("assessment", assessment.enterprise, assessment_pk=assessment.pk)
    return client.post(url, data)


def test_a_value_marked_not_available_scores_at_its_worst_and_marks_the_run(
    enterprise, erin, client_for
):
    assessment = AssessmentFactory(enterprise=enterprise, values={})
    response = _post(
        client_for(erin), assessment, tech_update_speed=None, na_tech_update_speed="on", submit="1"
    )
    run = EvaluationRun.objects.get(assessment=assessment)
    assert response["Location"] == _url("run", enterprise, run_pk=run.pk)
    assert run.values["tech_update_speed"] is None and run.incomplete and run.coverage == "4/5"
    from evaluations.services.runs import run_execute

    run_execute(run.pk)
    run.refresh_from_db()
    row = run.indicators.get(code="tech_update_speed")
    assert (row.value, row.normalized) == (None, 0.0)
    page = client_for(erin).get(_url("run", enterprise, run_pk=run.pk)).content.decode()
    assert "Incomplete: 4/5 indicators have a value" in page and "not available" in page


def test_a_value_and_not_available_together_is_refused(enterprise, erin, client_for):
    assessment = AssessmentFactory(enterprise=enterprise, values={})
    response = _post(client_for(erin), assessment, na_logistics_cost="on", save="1")
    assert "not both" in str(response.context["form"].errors["logistics_cost"])


def test_a_field_left_empty_is_still_required_to_submit(enterprise, erin, client_for):
    assessment = AssessmentFactory(enterprise=enterprise, values={})
    response = _post(client_for(erin), assessment, npd_cycle=None, submit="1")
    assert response.status_code == 200 and not EvaluationRun.objects.exists()
    assert "a value is required" in response.content.decode()


def test_an_implausible_value_is_confirmed_before_it_is_submitted(enterprise, erin, client_for):
    """Logistics costs of 75 % of revenue: valid, but more likely a typing mistake."""
    assessment = AssessmentFactory(enterprise=enterprise, values={})
    client = client_for(erin)
    first = _post(client, assessment, logistics_cost="75", submit="1")
    assert first.status_code == 200 and not EvaluationRun.objects.exists()
    html = first.content.decode()
    assert "Some values look unusual" in html
    assert "Logistics costs:</strong> 75 % of sales revenue is more than is plausible" in html
    assessment.refresh_from_db()
    assert assessment.values["logistics_cost"] == 75.0  # the draft is saved meanwhile
    confirmed = _post(client, assessment, logistics_cost="75", submit="1", confirm_warnings="on")
    assert confirmed.status_code == 302 and EvaluationRun.objects.count() == 1


def test_every_run_stores_its_robustness_band(enterprise, erin):
    run = submitted_run(AssessmentFactory(enterprise=enterprise), erin)
    expected = robustness_band(scheme_from_dict(run.scheme_snapshot), run.values).as_dict()
    assert run.robustness == expected
    assert run.robustness["low"] <= run.overall <= run.robustness["high"]


def test_the_result_page_says_how_firm_the_score_is(enterprise, erin, client_for):
    run = submitted_run(AssessmentFactory(enterprise=enterprise), erin)
    html = client_for(erin).get(_url("run", enterprise, run_pk=run.pk)).content.decode()
    assert "90 % of plausible schemes give" in html
    assert f"grade {run.grade} in" in html and reverse("methodology") in html


def test_incomplete_runs_are_left_out_of_the_cohort(enterprise, erin):
    complete = submitted_run(AssessmentFactory(enterprise=enterprise, year=2025), erin)
    other = AssessmentFactory(values={**COMPLETE_VALUES, "npd_cycle": None}, year=2025)
    incomplete = submitted_run(other, erin)
    assert incomplete.incomplete
    ids = peers.cohort_run_ids(complete.scheme_id, "b2c")
    assert complete.pk in ids and incomplete.pk not in ids


def test_the_methodology_page_separates_the_papers_numbers_from_ours(client):
    html = client.get(reverse("methodology")).content.decode()
    assert "Table 4" in html and "Why the worst bound is where it is" in html
    chinese = client.get(reverse("methodology"), headers={"accept-language": "zh-hans"})
    assert "评分区间" in chinese.content.decode()
