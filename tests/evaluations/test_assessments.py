"""Assessments and runs through the services: drafts, submission, idempotent execution, sweep."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from evaluations.models import Assessment, EvaluationRun, RunDimension, RunIndicator
from evaluations.services import assessments as svc
from evaluations.services import runs, scheme_clone, scheme_make_default, scheme_publish
from tests.factories import COMPLETE_VALUES, AssessmentFactory, EnterpriseFactory, submitted_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(enterprise):
    return AssessmentFactory(enterprise=enterprise, year=2026, quarter=2)


def test_create_prefills_from_the_latest_earlier_period(enterprise, alice):
    AssessmentFactory(enterprise=enterprise, year=2025, quarter=3, values={"npd_cycle": 90.0})
    AssessmentFactory(enterprise=enterprise, year=2025, quarter=4, values={"npd_cycle": 70.0})
    AssessmentFactory(enterprise=enterprise, year=2026, quarter=3, values={"npd_cycle": 10.0})
    new = svc.assessment_create(
        enterprise=enterprise, user=alice, year=2026, quarter=1, prefill=True
    )
    assert new.values == {"npd_cycle": 70.0}
    assert new.is_draft and new.created_by == alice


def test_one_assessment_per_period(enterprise, alice, assessment):
    with pytest.raises(ValidationError):
        svc.assessment_create(enterprise=enterprise, user=alice, year=2026, quarter=2)


def test_a_draft_may_be_incomplete_and_records_who_saved_it(assessment, erin):
    saved = svc.assessment_save(assessment=assessment, user=erin, values={"npd_cycle": 30.0})
    assert saved.values == {"npd_cycle": 30.0}
    assert saved.updated_by == erin


def test_the_checklist_computes_the_environmental_score(assessment, erin):
    saved = svc.assessment_save(
        assessment=assessment,
        user=erin,
        values={"environmental_impact_score": 99.0},
        env_mode=Assessment.EnvMode.CHECKLIST,
        env_checklist={
            "green_packaging_pct": 50,
            "low_carbon_shipping_pct": 40,
            "emissions_reported": True,
            "reduction_target": False,
            "renewable_electricity_pct": 20,
            "returns_programme": True,
        },
    )
    # 0.30*50 + 0.25*40 + 15 + 0 + 0.10*20 + 10 = 52
    assert saved.values["environmental_impact_score"] == pytest.approx(52.0)


def test_submit_refuses_an_incomplete_assessment_and_names_the_field(assessment, erin):
    assessment.values = {"npd_cycle": 30.0}
    assessment.save()
    with pytest.raises(ValidationError) as caught:
        svc.assessment_submit(assessment=assessment, user=erin)
    assert "logistics_cost" in caught.value.message_dict
    assessment.refresh_from_db()
    assert assessment.is_draft and not EvaluationRun.objects.exists()


def test_submit_creates_a_queued_run_with_the_scheme_snapshot(assessment, erin):
    run = svc.assessment_submit(assessment=assessment, user=erin)
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED
    assert run.scheme_slug == "ye-2025-table-4" and run.scheme_version == 1
    weights = {row["code"]: row["weight"] for row in run.scheme_snapshot["indicators"]}
    assert weights["environmental_impact_score"] == 0.3
    assert run.values == COMPLETE_VALUES
    assert (run.year, run.quarter, run.enterprise_id) == (2026, 2, assessment.enterprise_id)


def test_the_task_is_sent_only_after_commit(assessment, erin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = svc.assessment_submit(assessment=assessment, user=erin)
    assert len(callbacks) == 1
    run.refresh_from_db()
    assert run.status == EvaluationRun.Status.QUEUED


def test_a_failed_send_clears_the_stamp_so_the_sweep_sends_it_soon(
    assessment, erin, django_capture_on_commit_callbacks, monkeypatch
):
    from evaluations.tasks import run_evaluation

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(run_evaluation, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        run = svc.assessment_submit(assessment=assessment, user=erin)
    run.refresh_from_db()
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED
    assert run.status == EvaluationRun.Status.QUEUED and run.sent_at is None


def test_a_rolled_back_submission_leaves_nothing(assessment, erin, mocker=None):
    with pytest.raises(RuntimeError), transaction.atomic():
        svc.assessment_submit(assessment=assessment, user=erin)
        raise RuntimeError("the request failed after the run was created")
    assert not EvaluationRun.objects.exists()
    assessment.refresh_from_db()
    assert assessment.is_draft


def test_execute_stores_the_engine_result_once(assessment, erin):
    run = submitted_run(assessment, erin)  # executes it
    assert run.status == EvaluationRun.Status.SUCCEEDED
    assert run.overall == pytest.approx(57.13453815261044)
    assert run.grade == "C"
    contributions = sum(run.indicators.values_list("contribution", flat=True))
    assert contributions == pytest.approx(run.overall)
    assert runs.run_execute(run.pk) is False  # a second delivery changes nothing
    assert RunIndicator.objects.filter(run=run).count() == 5
    assert RunDimension.objects.filter(run=run).count() == 4


def test_an_old_result_survives_a_new_default_scheme(assessment, erin, staff):
    run = submitted_run(assessment, erin)
    clone = scheme_clone(scheme=run.scheme)
    clone.rows.filter(indicator__code="logistics_cost").update(weight="0.30")
    clone.rows.filter(indicator__code="environmental_impact_score").update(weight="0.25")
    scheme_publish(scheme=clone, user=staff)
    scheme_make_default(scheme=clone)
    svc.assessment_reopen(assessment=assessment, user=erin)
    second = submitted_run(assessment, erin)
    run.refresh_from_db()
    assert second.scheme_version == 2 and run.scheme_version == 1
    assert run.overall == pytest.approx(57.13453815261044)
    assert second.overall != pytest.approx(run.overall)
    assert runs.run_result(run).overall == run.overall  # recomputed from its snapshot


def test_reopen_then_submit_makes_a_new_run_and_keeps_the_old(assessment, erin):
    first = submitted_run(assessment, erin)
    svc.assessment_reopen(assessment=assessment, user=erin)
    assessment.refresh_from_db()
    svc.assessment_save(
        assessment=assessment, user=erin, values={**COMPLETE_VALUES, "npd_cycle": 14}
    )
    second = submitted_run(assessment, erin)
    assert first.pk != second.pk
    assert second.overall > first.overall
    first.refresh_from_db()
    assert first.indicators.get(code="npd_cycle").value == 60.0


def test_a_submitted_assessment_cannot_be_saved(assessment, erin):
    svc.assessment_submit(assessment=assessment, user=erin)
    with pytest.raises(ValidationError):
        svc.assessment_save(assessment=assessment, user=erin, values={})


def test_a_failed_attempt_is_retried_then_fails_with_a_reason(assessment, erin, settings):
    run = svc.assessment_submit(assessment=assessment, user=erin)
    EvaluationRun.objects.filter(pk=run.pk).update(status="queued", attempts=0)
    for attempt in range(1, settings.EVALUATION_MAX_ATTEMPTS + 1):
        runs._start(run.pk)
        again = runs.run_attempt_failed(run.pk, "OperationalError: database unavailable")
        assert again is (attempt < settings.EVALUATION_MAX_ATTEMPTS)
    run.refresh_from_db()
    assert run.status == EvaluationRun.Status.FAILED
    assert "3 attempts" in run.error and "database unavailable" in run.error


def test_unscorable_stored_data_fails_at_once_with_a_reason(assessment, erin):
    run = svc.assessment_submit(assessment=assessment, user=erin)
    EvaluationRun.objects.filter(pk=run.pk).update(status="queued", values={"npd_cycle": "x"})
    assert runs.run_execute(run.pk) is False
    run.refresh_from_db()
    assert run.status == EvaluationRun.Status.FAILED and "cannot be scored" in run.error


def test_the_sweep_resends_stale_runs_and_fails_exhausted_ones(enterprise, erin, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    stale = {}
    for quarter, status, attempts in ((1, "queued", 0), (2, "running", 1), (3, "running", 3)):
        run = svc.assessment_submit(
            assessment=AssessmentFactory(enterprise=enterprise, year=2024, quarter=quarter),
            user=erin,
        )
        stale[quarter] = run.pk
        EvaluationRun.objects.filter(pk=run.pk).update(
            status=status, attempts=attempts, started_at=timezone.now(), sent_at=timezone.now()
        )
    fresh = svc.assessment_submit(
        assessment=AssessmentFactory(enterprise=enterprise, year=2024, quarter=4), user=erin
    )
    EvaluationRun.objects.filter(pk=fresh.pk).update(sent_at=timezone.now())
    sent = []
    runs_enqueue = runs.run_enqueue
    try:
        runs.run_enqueue = lambda run_id, **kw: sent.append(run_id) or True
        later = timezone.now() + settings.EVALUATION_RUNNING_STALE + timedelta(seconds=1)
        counts = runs.runs_sweep(now=later)
    finally:
        runs.run_enqueue = runs_enqueue
    assert counts == {"resent": 3, "failed": 1}
    assert set(sent) == {stale[1], stale[2], fresh.pk}
    assert EvaluationRun.objects.get(pk=stale[2]).status == "queued"
    exhausted = EvaluationRun.objects.get(pk=stale[3])
    assert exhausted.status == "failed" and "3 attempts" in exhausted.error


# --- Evidence ---------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.mark.parametrize(
    ("name", "content", "ok"),
    [
        ("invoice.pdf", PDF, True),
        ("chart.png", PNG, True),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 16, True),
        ("costs.csv", "month,cost\n1,18\n2,17 元\n".encode(), True),
        ("book.xlsx", b"PK\x03\x04" + b"\x00" * 16, True),
        ("invoice.pdf", b"<html><script>alert(1)</script>", False),  # a name is not a type
        ("chart.png", PDF, False),  # content and name disagree
        ("run.exe", b"MZ\x90\x00", False),
        ("data.csv", b"\x00\x01\x02binary", False),
    ],
)
def test_evidence_type_is_checked_by_content(assessment, erin, name, content, ok):
    upload = SimpleUploadedFile(name, content)
    if ok:
        evidence = svc.evidence_attach(
            assessment=assessment, user=erin, indicator_code="logistics_cost", upload=upload
        )
        assert evidence.file.read() == content
        assert "evidence/" in evidence.file.name and name not in evidence.file.name
    else:
        with pytest.raises(ValidationError):
            svc.evidence_attach(
                assessment=assessment, user=erin, indicator_code="logistics_cost", upload=upload
            )


def test_evidence_over_10_mb_is_refused(assessment, erin):
    upload = SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError, match="10 MB"):
        svc.evidence_attach(
            assessment=assessment, user=erin, indicator_code="npd_cycle", upload=upload
        )


def test_evidence_is_stored_outside_public_paths(assessment, erin, settings):
    evidence = svc.evidence_attach(
        assessment=assessment,
        user=erin,
        indicator_code="npd_cycle",
        upload=SimpleUploadedFile("a.pdf", PDF),
    )
    path = evidence.file.path
    assert path.startswith(str(settings.PRIVATE_FILES_ROOT))
    for public in (settings.STATIC_ROOT, settings.MEDIA_ROOT):
        if public:
            assert not path.startswith(str(public))


def test_another_enterprise_is_untouched(assessment, erin):
    other = AssessmentFactory(enterprise=EnterpriseFactory(), year=2026, quarter=2)
    submitted_run(assessment, erin)
    assert not other.runs.exists()
