"""The assessment and result pages as people use them: forms, errors, status, query counts."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations.models import Assessment, EvaluationRun
from evaluations.services.assessments import evidence_attach
from tests.factories import COMPLETE_VALUES, AssessmentFactory, submitted_run

pytestmark = pytest.mark.django_db


def _url(name, enterprise, **kwargs):
    return reverse(f"evaluations:{name}", kwargs={"pk": enterprise.pk, **kwargs})


def test_create_an_assessment_for_a_period(enterprise, erin, client_for):
    client = client_for(erin)
    response = client.post(
        _url("assessment-create", enterprise), {"year": 2026, "quarter": 3, "prefill": "on"}
    )
    assessment = Assessment.objects.get(enterprise=enterprise)
    assert response["Location"] == _url("assessment", enterprise, assessment_pk=assessment.pk)
    again = client.post(_url("assessment-create", enterprise), {"year": 2026, "quarter": 3})
    assert again.status_code == 200
    assert "already has an assessment" in again.content.decode()


def test_the_form_shows_units_bounds_and_the_paper(enterprise, erin, client_for):
    assessment = AssessmentFactory(enterprise=enterprise, values={})
    page = client_for(erin).get(_url("assessment", enterprise, assessment_pk=assessment.pk))
    html = page.content.decode()
    assert "% of sales revenue" in html
    assert "Scores 100 at 5 or better, 0 at 30 or worse." in html
    assert "Table 4" in html
    assert "Operational efficiency" in html  # a fieldset per dimension


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "Enter a number."),
        ("-3", "greater than or equal to 0"),
        ("101", "less than or equal to 100"),
        ("inf", "Enter a number."),
        ("nan", "Enter a number."),
    ],
)
def test_bad_values_are_named_and_kept(enterprise, erin, client_for, value, message):
    assessment = AssessmentFactory(enterprise=enterprise, values={})
    url = _url("assessment", enterprise, assessment_pk=assessment.pk)
    response = client_for(erin).post(
        url, {"logistics_cost": value, "npd_cycle": "45", "env_mode": "typed", "save": "1"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors["logistics_cost"])
    assert f'value="{value}"' in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.values == {}  # nothing partial is written


def test_save_a_draft_with_values_missing(enterprise, erin, client_for):
    assessment = AssessmentFactory(enterprise=enterprise, values={})
    url = _url("assessment", enterprise, assessment_pk=assessment.pk)
    response = client_for(erin).post(url, {"npd_cycle": "45", "env_mode": "typed", "save": "1"})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.values == {"npd_cycle": 45.0} and assessment.updated_by == erin
    page = client_for(erin).get(url).content.decode()
    assert "Last saved" in page and erin.email in page or erin.full_name in page


def test_submitting_an_incomplete_assessment_says_what_is_missing(enterprise, erin, client_for):
    assessment = AssessmentFactory(enterprise=enterprise, values={})
    url = _url("assessment", enterprise, assessment_pk=assessment.pk)
    response = client_for(erin).post(url, {"npd_cycle": "45", "env_mode": "typed", "submit": "1"})
    assert response.status_code == 200
    assert "logistics_cost" in response.context["form"].errors
    assert "cannot be submitted yet" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.is_draft and assessment.values == {"npd_cycle": 45.0}


def test_submit_then_the_result_page(
    enterprise, erin, bob, client_for, django_capture_on_commit_callbacks
):
    assessment = AssessmentFactory(enterprise=enterprise, values={})
    url = _url("assessment", enterprise, assessment_pk=assessment.pk)
    data = {code: str(value) for code, value in COMPLETE_VALUES.items()}
    with django_capture_on_commit_callbacks(execute=True):  # tasks run eagerly in tests
        response = client_for(erin).post(url, {**data, "env_mode": "typed", "submit": "1"})
    run = EvaluationRun.objects.get(assessment=assessment)
    assert response["Location"] == _url("run", enterprise, run_pk=run.pk)
    page = client_for(bob).get(response["Location"])
    html = page.content.decode()
    assert run.status == "succeeded"
    assert "57.1" in html and "Grade C" in html
    assert "<svg" in html and "Score by dimension" in html
    assert "Potential gain" in html


def test_the_status_partial_polls_until_done(enterprise, erin, client_for):
    assessment = AssessmentFactory(enterprise=enterprise)
    run = submitted_run(assessment, erin, execute=False)
    EvaluationRun.objects.filter(pk=run.pk).update(status="queued")
    client = client_for(erin)
    url = _url("run-status", enterprise, run_pk=run.pk)
    waiting = client.get(url, headers={"HX-Request": "true"})
    assert waiting.status_code == 200 and 'hx-trigger="every 1s"' in waiting.content.decode()
    page = client.get(_url("run", enterprise, run_pk=run.pk)).content.decode()
    assert 'http-equiv="refresh"' in page  # without JavaScript, a refresh works
    EvaluationRun.objects.filter(pk=run.pk).update(status="failed", error="Gave up")
    failed = client.get(url, headers={"HX-Request": "true"})
    assert failed.status_code == 286 and "Gave up" in failed.content.decode()
    EvaluationRun.objects.filter(pk=run.pk).update(status="succeeded")
    done = client.get(url, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"


def test_a_viewer_sees_a_draft_read_only(enterprise, bob, client_for):
    assessment = AssessmentFactory(enterprise=enterprise)
    page = client_for(bob).get(_url("assessment", enterprise, assessment_pk=assessment.pk))
    assert page.context["editable"] is False
    assert "Submit for evaluation" not in page.content.decode()


def test_evidence_download_headers(enterprise, erin, bob, client_for):
    assessment = AssessmentFactory(enterprise=enterprise)
    evidence = evidence_attach(
        assessment=assessment,
        user=erin,
        indicator_code="npd_cycle",
        upload=SimpleUploadedFile("季度 report.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    response = client_for(bob).get(
        _url("evidence", enterprise, assessment_pk=assessment.pk, evidence_pk=evidence.pk)
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_an_upload_of_the_wrong_type_is_refused_with_a_message(enterprise, erin, client_for):
    assessment = AssessmentFactory(enterprise=enterprise)
    url = _url("evidence-upload", enterprise, assessment_pk=assessment.pk)
    upload = SimpleUploadedFile("invoice.pdf", b"<script>alert(1)</script>")
    response = client_for(erin).post(
        url, {"indicator_code": "npd_cycle", "file": upload}, follow=True
    )
    assert "content must match" in response.content.decode()
    assert not assessment.evidence.exists()


def test_the_checklist_preview_shows_its_arithmetic(enterprise, erin, client_for):
    assessment = AssessmentFactory(enterprise=enterprise)
    response = client_for(erin).post(
        _url("checklist-preview", enterprise, assessment_pk=assessment.pk),
        {
            "checklist_green_packaging_pct": "50",
            "checklist_low_carbon_shipping_pct": "40",
            "checklist_renewable_electricity_pct": "20",
            "checklist_emissions_reported": "on",
        },
    )
    html = response.content.decode()
    assert "0.3 × 50" in html and "42.00" in html  # 15 + 10 + 15 + 2


def _periods(enterprise, user, count):
    for index in range(count):
        assessment = AssessmentFactory(
            enterprise=enterprise, year=2000 + index // 4, quarter=index % 4 + 1
        )
        submitted_run(assessment, user)


@pytest.mark.parametrize("name", ["dashboard", "run", "assessment"])
def test_pages_run_a_bounded_number_of_queries(enterprise, erin, client_for, name):
    client = client_for(erin)

    def count() -> int:
        cache.clear()  # the peer summary and reference data are kept: count a cold page
        latest = EvaluationRun.objects.filter(enterprise=enterprise).order_by("-id").first()
        kwargs = {
            "dashboard": {},
            "run": {"run_pk": latest.pk},
            "assessment": {"assessment_pk": latest.assessment_id},
        }[name]
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url(name, enterprise, **kwargs)).status_code == 200
        return len(queries)

    _periods(enterprise, erin, 1)
    one = count()
    EvaluationRun.objects.all().delete()
    Assessment.objects.all().delete()
    _periods(enterprise, erin, 50)
    assert count() == one


def test_an_edited_indicator_name_shows_at_once(enterprise, erin, client_for):
    from evaluations.models import Indicator

    assessment = AssessmentFactory(enterprise=enterprise)
    url = _url("assessment", enterprise, assessment_pk=assessment.pk)
    client = client_for(erin)
    assert "Logistics costs" in client.get(url).content.decode()  # reference data now kept
    indicator = Indicator.objects.get(code="logistics_cost")
    indicator.name = "Freight and fulfilment costs"
    indicator.save()
    assert "Freight and fulfilment costs" in client.get(url).content.decode()


def test_a_change_since_the_previous_period_says_whether_it_is_better_or_worse(
    enterprise, erin, client_for
):
    """Issue 15: "−3.00" beside logistics costs read as a loss; a lower cost is better."""
    from evaluations import selectors

    before = {**COMPLETE_VALUES, "logistics_cost": 18.0, "tech_update_speed": 12.0}
    after = {**COMPLETE_VALUES, "logistics_cost": 15.0, "tech_update_speed": 10.0}
    submitted_run(AssessmentFactory(enterprise=enterprise, year=2026, quarter=1, values=before))
    run = submitted_run(
        AssessmentFactory(enterprise=enterprise, year=2026, quarter=2, values=after)
    )
    page = selectors.run_page(run)
    verdicts = {line.row.code: line.verdict for line in page.indicators}
    assert verdicts["logistics_cost"] == "better"  # lower is better
    assert verdicts["tech_update_speed"] == "worse"  # higher is better
    assert verdicts["npd_cycle"] == "same"
    dims = {line.row.code: line.verdict for line in page.dimensions}
    assert dims["operational_efficiency"] == "better"
    html = client_for(erin).get(_url("run", enterprise, run_pk=run.pk)).content.decode()
    assert '−3.00<br><span class="change change-better small">' in html
    assert "▲ </span>better" in html and "▼ </span>worse" in html and "unchanged" in html
