"""The assessment form without a stumble (issue 15, points 2, 5, 8 and 10): nothing typed is
lost, no internal code on screen, guidance per indicator, periods and drafts."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from audit.models import LogEntry
from evaluations.models import Assessment, EvaluationRun, Evidence
from evaluations.services.assessments import evidence_attach
from tests.factories import AssessmentFactory, WeightSchemeFactory, submitted_run

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
CODES = (
    "logistics_cost",
    "npd_cycle",
    "tech_update_speed",
    "market_response_time",
    "environmental_impact_score",
    "green_packaging_pct",
    "low_carbon_shipping_pct",
    "renewable_electricity_pct",
    "emissions_reported",
    "ye-2025-table-4",
)


def _url(name, enterprise, **kwargs):
    return reverse(f"evaluations:{name}", kwargs={"pk": enterprise.pk, **kwargs})


def _text(response) -> str:
    """What a person reads: the page without its tags, attributes and scripts."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


# --- point 2: nothing typed is lost ----------------------------------------------------------


def test_attaching_evidence_saves_the_typed_values_first(enterprise, erin, client_for):
    draft = AssessmentFactory(enterprise=enterprise, values={})
    response = client_for(erin).post(
        _url("evidence-upload", enterprise, assessment_pk=draft.pk),
        {
            "env_mode": "typed",
            "logistics_cost": "17.5",
            "npd_cycle": "44",
            "indicator_code": "logistics_cost",
            "file": SimpleUploadedFile("freight.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.values == {"logistics_cost": 17.5, "npd_cycle": 44.0}
    assert draft.evidence.get().original_name == "freight.pdf"


def test_a_bad_value_posted_with_evidence_is_kept_on_the_page(enterprise, erin, client_for):
    draft = AssessmentFactory(enterprise=enterprise, values={})
    response = client_for(erin).post(
        _url("evidence-upload", enterprise, assessment_pk=draft.pk),
        {
            "env_mode": "typed",
            "logistics_cost": "-4",
            "npd_cycle": "44",
            "indicator_code": "logistics_cost",
            "file": SimpleUploadedFile("freight.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 200
    assert response.context["form"]["npd_cycle"].value() == "44"
    assert "logistics_cost" in response.context["form"].errors
    assert not Evidence.objects.exists()


def test_removing_a_file_saves_the_typed_values_first(enterprise, erin, client_for):
    draft = AssessmentFactory(enterprise=enterprise, values={})
    evidence = evidence_attach(
        assessment=draft,
        user=erin,
        indicator_code="npd_cycle",
        upload=SimpleUploadedFile("cycle.pdf", PDF, content_type="application/pdf"),
    )
    client_for(erin).post(
        _url("evidence-delete", enterprise, assessment_pk=draft.pk, evidence_pk=evidence.pk),
        {"env_mode": "typed", "tech_update_speed": "9"},
    )
    draft.refresh_from_db()
    assert draft.values == {"tech_update_speed": 9.0}
    assert not draft.evidence.exists()


def test_the_page_loads_the_form_script_and_no_inline_script(enterprise, erin, client_for):
    draft = AssessmentFactory(enterprise=enterprise, values={})
    html = client_for(erin).get(_url("assessment", enterprise, assessment_pk=draft.pk)).content
    html = html.decode()
    assert "js/assessment-form.js" in html
    assert 'form="assessment-form"' in html  # the evidence controls post with the form
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", html)


# --- point 5: no internal code on screen ----------------------------------------------------


def test_a_refused_submission_names_fields_by_label_at_the_field_once(enterprise, erin, client_for):
    draft = AssessmentFactory(enterprise=enterprise, values={})
    response = client_for(erin).post(
        _url("assessment", enterprise, assessment_pk=draft.pk),
        {"env_mode": "typed", "npd_cycle": "40", "submit": "1"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "Logistics costs" in form.errors["logistics_cost"][0]
    assert "logistics_cost" not in form.errors["logistics_cost"][0]
    text = _text(response)
    assert text.count("The draft was saved, but it cannot be submitted yet.") == 1
    for code in CODES:
        assert code not in text, code


def test_the_checklist_working_reads_labels_not_codes(enterprise, erin, client_for):
    draft = AssessmentFactory(enterprise=enterprise, values={})
    response = client_for(erin).post(
        _url("checklist-preview", enterprise, assessment_pk=draft.pk),
        {
            "env_mode": "checklist",
            "checklist_green_packaging_pct": "50",
            "checklist_low_carbon_shipping_pct": "40",
            "checklist_renewable_electricity_pct": "20",
            "checklist_emissions_reported": "on",
        },
    )
    text = _text(response)
    assert "Shipments in green packaging (%)" in text
    assert "Emissions measured and reported" in text
    for code in CODES:
        assert code not in text, code


def test_the_assessment_page_names_the_scheme_and_its_results_in_words(
    enterprise, alice, client_for
):
    assessment = AssessmentFactory(enterprise=enterprise)
    submitted_run(assessment, alice)
    text = _text(client_for(alice).get(_url("assessment", enterprise, assessment_pk=assessment.pk)))
    assert "See the result" in text
    assert "Ye (2025)" in text
    assert "succeeded" not in text
    assert not re.search(r"\bruns?\b", text)
    for code in CODES:
        assert code not in text, code


# --- point 8: guidance per indicator, weights, progress, one way for the environment -----------


def test_every_indicator_has_its_guidance_under_the_field(enterprise, erin, client_for):
    draft = AssessmentFactory(enterprise=enterprise, values={"npd_cycle": 30.0})
    response = client_for(erin).get(_url("assessment", enterprise, assessment_pk=draft.pk))
    html = response.content.decode()
    assert html.count("How to measure this") == 5
    for heading in ("Definition", "Include", "Exclude", "Period covered", "Worked example"):
        assert html.count(f">{heading}</h3>") == 5
    assert html.count("Typical evidence") == 5
    assert "not the paper&#x27;s" in html or "not the paper's" in html
    assert f"{reverse('methodology')}#indicator-logistics_cost" in html
    assert "Weight in the overall score: 25 %" in html  # Table 4: logistics costs 0.25
    assert "1 of 5 indicators filled" in _text(response)


def test_the_guidance_reads_in_chinese(enterprise, erin, client_for):
    erin.language = "zh-hans"
    erin.save()
    draft = AssessmentFactory(enterprise=enterprise, values={})
    with override("zh-hans"):
        client = client_for(erin)
        html = client.get(
            _url("assessment", enterprise, assessment_pk=draft.pk), HTTP_ACCEPT_LANGUAGE="zh-hans"
        ).content.decode()
    assert "如何计量" in html
    assert "报告期内跨境业务的物流成本占同期净销售收入的比例" in html
    assert "0 / 5" not in html and "项指标" in html


# --- point 10: periods and drafts --------------------------------------------------------------


def _next_quarter(today):
    quarter = (today.month - 1) // 3 + 1
    return (today.year + 1, 1) if quarter == 4 else (today.year, quarter + 1)


def test_a_period_after_the_current_quarter_is_refused(enterprise, erin, client_for):
    year, quarter = _next_quarter(timezone.localdate())
    response = client_for(erin).post(
        _url("assessment-create", enterprise), {"year": year, "quarter": quarter}
    )
    assert response.status_code == 200
    assert "has not begun yet" in response.context["form"].errors["quarter"][0]
    assert not Assessment.objects.exists()


def test_an_existing_period_links_to_its_assessment(enterprise, erin, client_for):
    existing = AssessmentFactory(enterprise=enterprise, year=2025, quarter=2)
    response = client_for(erin).post(
        _url("assessment-create", enterprise), {"year": 2025, "quarter": 2}
    )
    assert "already has an assessment" in response.content.decode()
    assert _url("assessment", enterprise, assessment_pk=existing.pk) in response.content.decode()


def test_start_from_the_last_period_only_when_there_is_one(enterprise, erin, client_for):
    client = client_for(erin)
    first = client.get(_url("assessment-create", enterprise))
    assert "prefill" not in first.context["form"].fields
    assert "Start from the last period" not in first.content.decode()
    AssessmentFactory(enterprise=enterprise, year=2025, quarter=1)
    later = client.get(_url("assessment-create", enterprise))
    assert "Start from the last period" in later.content.decode()


def test_an_editor_deletes_a_draft_after_confirming(enterprise, erin, client_for):
    draft = AssessmentFactory(enterprise=enterprise, year=2025, quarter=3, values={})
    evidence_attach(
        assessment=draft,
        user=erin,
        indicator_code="npd_cycle",
        upload=SimpleUploadedFile("cycle.pdf", PDF, content_type="application/pdf"),
    )
    client = client_for(erin)
    page = client.get(_url("assessment", enterprise, assessment_pk=draft.pk)).content.decode()
    assert _url("assessment-delete", enterprise, assessment_pk=draft.pk) in page
    confirm = client.get(_url("assessment-delete", enterprise, assessment_pk=draft.pk))
    assert "Delete the draft of 2025 Q3?" in confirm.content.decode()
    assert Assessment.objects.filter(pk=draft.pk).exists()  # GET deletes nothing
    response = client.post(_url("assessment-delete", enterprise, assessment_pk=draft.pk))
    assert response["Location"] == _url("dashboard", enterprise)
    assert not Assessment.objects.filter(pk=draft.pk).exists()
    assert not Evidence.objects.exists()
    entry = LogEntry.objects.filter(
        content_type__model="assessment", object_pk=str(draft.pk), action=LogEntry.Action.DELETE
    ).get()
    assert entry.actor == erin


def test_a_submitted_or_once_evaluated_assessment_is_not_deleted(enterprise, alice, client_for):
    assessment = AssessmentFactory(enterprise=enterprise)
    submitted_run(assessment, alice)
    client = client_for(alice)
    client.post(_url("assessment-delete", enterprise, assessment_pk=assessment.pk))
    assert Assessment.objects.filter(pk=assessment.pk).exists()
    client.post(_url("assessment-reopen", enterprise, assessment_pk=assessment.pk))
    client.post(_url("assessment-delete", enterprise, assessment_pk=assessment.pk))
    assert Assessment.objects.filter(pk=assessment.pk).exists()
    assert EvaluationRun.objects.filter(assessment=assessment).count() == 1


def test_a_second_identical_submission_goes_to_the_result(enterprise, erin, client_for):
    draft = AssessmentFactory(enterprise=enterprise, values={})
    data = {
        "env_mode": "typed",
        "logistics_cost": "18",
        "npd_cycle": "60",
        "tech_update_speed": "8",
        "market_response_time": "30",
        "environmental_impact_score": "55",
        "submit": "1",
    }
    client = client_for(erin)
    url = _url("assessment", enterprise, assessment_pk=draft.pk)
    first = client.post(url, data)
    run = EvaluationRun.objects.get()
    assert first["Location"] == _url("run", enterprise, run_pk=run.pk)
    second = client.post(url, data)
    assert second["Location"] == _url("run", enterprise, run_pk=run.pk)
    assert EvaluationRun.objects.count() == 1


def test_reopening_says_evaluation_not_run(enterprise, alice, client_for):
    assessment = AssessmentFactory(enterprise=enterprise)
    submitted_run(assessment, alice)
    response = client_for(alice).post(
        _url("assessment-reopen", enterprise, assessment_pk=assessment.pk), follow=True
    )
    text = _text(response)
    assert "Submitting it makes a new evaluation" in text
    assert "new run" not in text


def test_schemes_to_compare_with_are_named_not_coded(enterprise, alice, client_for):
    run = submitted_run(AssessmentFactory(enterprise=enterprise), alice)
    other = WeightSchemeFactory(slug="green-weights-2027", name="Green weights", published=True)
    html = client_for(alice).get(_url("run", enterprise, run_pk=run.pk)).content.decode()
    assert "Green weights, version 1" in html
    assert "green-weights-2027" not in html and "ye-2025-table-4" not in html
    compared = client_for(alice).get(
        _url("run-compare", enterprise, run_pk=run.pk), {"scheme": other.pk}
    )
    text = _text(compared)
    assert "Green weights, version 1" in text
    assert "green-weights-2027" not in text and "ye-2025-table-4" not in text
