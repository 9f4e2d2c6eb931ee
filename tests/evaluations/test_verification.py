"""Verification of a submission (PRODUCT.md section 11): each transition, the indicators an
analyst reopens (only they can change, in the service and through the page), the reopen guard
during review, the audit trail and the e-mail of each step, and the stamps every result shows."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import LogEntry
from enterprises.models import OrgRole, Role
from evaluations import verification
from evaluations.models import Assessment, EvaluationRun, Verification, VerificationStep
from evaluations.reports.tables import build_csv
from evaluations.services import assessments as assessment_services
from evaluations.services import verification as services
from evaluations.services.runs import run_execute
from tests.factories import (
    COMPLETE_VALUES,
    AssessmentFactory,
    GrantFactory,
    MembershipFactory,
    OrganisationMembershipFactory,
    submitted_run,
)

pytestmark = pytest.mark.django_db
State = Verification.State


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def world(alice):
    enterprise = alice.memberships.get().enterprise
    assessment = AssessmentFactory(enterprise=enterprise, year=2026, quarter=3)
    run = submitted_run(assessment, alice)
    analyst = OrganisationMembershipFactory(role=OrgRole.ANALYST, organisation__name="Ningbo CBEC")
    GrantFactory(enterprise=enterprise, organisation=analyst.organisation, email="")
    return {
        "owner": alice,
        "enterprise": enterprise,
        "assessment": Assessment.objects.get(pk=assessment.pk),
        "run": run,
        "analyst": analyst.user,
        "organisation": analyst.organisation,
    }


def _start(world):
    return services.verification_start(
        assessment=world["assessment"], organisation=world["organisation"], by=world["analyst"]
    )


def _ask(world, verification_, codes=("logistics_cost",)):
    return services.verification_request_information(
        verification=verification_, by=world["analyst"], indicators=codes, comment="Freight?"
    )


# --- transitions ----------------------------------------------------------------------------


def test_start_puts_the_submission_under_review_with_a_step(world):
    started = _start(world)
    assert started.state == State.UNDER_REVIEW
    assert started.analyst == world["analyst"]
    assert list(started.steps.values_list("state", flat=True)) == [State.UNDER_REVIEW]


def test_a_draft_cannot_be_reviewed(world):
    draft = AssessmentFactory(enterprise=world["enterprise"], year=2026, quarter=2)
    with pytest.raises(ValidationError):
        services.verification_start(
            assessment=draft, organisation=world["organisation"], by=world["analyst"]
        )


def test_one_verification_per_submission_and_organisation(world, staff):
    _start(world)
    with pytest.raises(ValidationError):
        _start(world)
    # the platform's stamp is another one, and there is only one of those too
    services.verification_start(assessment=world["assessment"], organisation=None, by=staff)
    with pytest.raises(ValidationError):
        services.verification_start(assessment=world["assessment"], organisation=None, by=staff)
    assert Verification.objects.filter(assessment=world["assessment"]).count() == 2


def test_request_information_reopens_only_the_named_indicators(world):
    asked = _ask(world, _start(world))
    assert asked.state == State.INFORMATION_REQUESTED
    assert asked.requested_indicators == ["logistics_cost"]
    assessment = Assessment.objects.get(pk=world["assessment"].pk)
    assert assessment.is_draft
    step = asked.steps.last()
    assert (step.state, step.comment, step.indicators) == (
        State.INFORMATION_REQUESTED,
        "Freight?",
        ["logistics_cost"],
    )
    # the reopened one can change
    assessment_services.assessment_save(
        assessment=assessment, user=world["owner"], values={**COMPLETE_VALUES, "logistics_cost": 12}
    )
    # any other cannot, whatever the form sent
    with pytest.raises(ValidationError, match="stay as submitted"):
        assessment_services.assessment_save(
            assessment=assessment,
            user=world["owner"],
            values={**COMPLETE_VALUES, "logistics_cost": 12, "npd_cycle": 30},
        )
    with pytest.raises(ValidationError, match="stay as submitted"):
        assessment_services.assessment_save(
            assessment=assessment,
            user=world["owner"],
            values={**COMPLETE_VALUES, "logistics_cost": 12},
            env_mode=Assessment.EnvMode.CHECKLIST,
        )
    assert (
        Assessment.objects.get(pk=assessment.pk).values["npd_cycle"] == COMPLETE_VALUES["npd_cycle"]
    )


def test_request_information_needs_indicators_and_a_comment(world):
    started = _start(world)
    with pytest.raises(ValidationError):
        services.verification_request_information(
            verification=started, by=world["analyst"], indicators=[], comment="Why?"
        )
    with pytest.raises(ValidationError):
        services.verification_request_information(
            verification=started, by=world["analyst"], indicators=["npd_cycle"], comment=" "
        )
    with pytest.raises(ValidationError):
        services.verification_request_information(
            verification=started, by=world["analyst"], indicators=["nonsense"], comment="x"
        )
    assert Verification.objects.get(pk=started.pk).state == State.UNDER_REVIEW


def test_a_resubmission_comes_back_to_review(world):
    asked = _ask(world, _start(world))
    assessment = Assessment.objects.get(pk=world["assessment"].pk)
    assessment_services.assessment_save(
        assessment=assessment, user=world["owner"], values={**COMPLETE_VALUES, "logistics_cost": 12}
    )
    run = submitted_run(assessment, world["owner"])
    asked.refresh_from_db()
    assert asked.state == State.UNDER_REVIEW
    assert asked.requested_indicators == []
    assert run.values["logistics_cost"] == 12
    # after the resubmission nothing is locked any more by this verification
    assert Verification.objects.reopened_indicators(assessment) is None


def test_verify_and_reject_are_stamps_that_never_change_a_score(world):
    run = world["run"]
    before = (run.overall, run.grade, list(run.indicators.values_list("code", "score")))
    runs = EvaluationRun.objects.count()
    verified = services.verification_verify(verification=_start(world), by=world["analyst"])
    assert verified.state == State.VERIFIED and verified.decided_at is not None
    run.refresh_from_db()
    assert (run.overall, run.grade, list(run.indicators.values_list("code", "score"))) == before
    assert EvaluationRun.objects.count() == runs
    again = services.verification_start(
        assessment=world["assessment"], organisation=world["organisation"], by=world["analyst"]
    )
    with pytest.raises(ValidationError):
        services.verification_reject(verification=again, by=world["analyst"], reason="  ")
    rejected = services.verification_reject(
        verification=again, by=world["analyst"], reason="Invoices missing"
    )
    assert (rejected.state, rejected.reason) == (State.NOT_VERIFIED, "Invoices missing")


def test_no_decision_while_information_is_requested(world):
    asked = _ask(world, _start(world))
    with pytest.raises(ValidationError):
        services.verification_verify(verification=asked, by=world["analyst"])
    with pytest.raises(ValidationError):
        _ask(world, asked)


# --- the enterprise's reopen during review ------------------------------------------------------


def test_the_enterprise_cannot_reopen_during_review(world):
    _start(world)
    with pytest.raises(ValidationError, match="under review by Ningbo CBEC"):
        assessment_services.assessment_reopen(assessment=world["assessment"], user=world["owner"])
    assert not Assessment.objects.get(pk=world["assessment"].pk).is_draft


def test_the_reopen_button_says_why(world, client_for):
    _start(world)
    url = reverse(
        "evaluations:assessment-reopen", args=[world["enterprise"].pk, world["assessment"].pk]
    )
    response = client_for(world["owner"]).post(url, follow=True)
    assert "under review by Ningbo CBEC" in response.content.decode()
    assert not Assessment.objects.get(pk=world["assessment"].pk).is_draft


def test_reopening_a_decided_submission_puts_it_back_under_review(world):
    decided = services.verification_verify(verification=_start(world), by=world["analyst"])
    assessment_services.assessment_reopen(assessment=world["assessment"], user=world["owner"])
    decided.refresh_from_db()
    assert decided.state == State.UNDER_REVIEW
    assert decided.steps.last().by == world["owner"]


def test_evidence_of_a_locked_indicator_cannot_change(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _ask(world, _start(world))
    pdf = b"%PDF-1.4\n%%EOF\n"
    with pytest.raises(ValidationError):
        assessment_services.evidence_attach(
            assessment=world["assessment"],
            user=world["owner"],
            indicator_code="npd_cycle",
            upload=SimpleUploadedFile("x.pdf", pdf),
        )
    assessment_services.evidence_attach(
        assessment=world["assessment"],
        user=world["owner"],
        indicator_code="logistics_cost",
        upload=SimpleUploadedFile("x.pdf", pdf),
    )


# --- the page: locked fields are disabled, and what they post is ignored -------------------------


def test_the_draft_page_keeps_locked_indicators_whatever_is_posted(world, client_for):
    _ask(world, _start(world))
    url = reverse("evaluations:assessment", args=[world["enterprise"].pk, world["assessment"].pk])
    owner = client_for(world["owner"])
    page = owner.get(url).content.decode()
    assert "An analyst asks for information" in page
    assert 'name="npd_cycle"' in page and "disabled" in page
    form = {code: str(value) for code, value in COMPLETE_VALUES.items()}
    response = owner.post(
        url, {**form, "logistics_cost": "11", "npd_cycle": "20", "env_mode": "typed", "save": "1"}
    )
    assert response.status_code == 302
    values = Assessment.objects.get(pk=world["assessment"].pk).values
    assert values["logistics_cost"] == 11
    assert values["npd_cycle"] == COMPLETE_VALUES["npd_cycle"]


# --- audit trail and e-mail -----------------------------------------------------------------


def test_the_audit_trail_records_each_step(world, staff):
    verification_ = _ask(world, _start(world))
    steps = list(verification_.steps.all())
    assert len(steps) == 2
    for step in steps:
        entry = LogEntry.objects.get_for_object(step).get()
        assert entry.action == LogEntry.Action.CREATE
    changes = LogEntry.objects.get_for_object(verification_).order_by("timestamp", "id")
    assert [e.action for e in changes] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert changes.last().additional_data["enterprise"] == world["enterprise"].pk


def test_the_owners_are_mailed_at_each_step_in_their_language(world, committed):
    MembershipFactory(
        enterprise=world["enterprise"], role=Role.OWNER, user__email="wang@example.com",
        user__language="zh-hans",
    )  # fmt: skip
    MembershipFactory(enterprise=world["enterprise"], role=Role.VIEWER)  # not an owner: no mail
    with committed():
        started = _start(world)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [world["owner"].email, "wang@example.com"]
    )
    chinese = next(m for m in mail.outbox if m.to == ["wang@example.com"])
    assert "核验中" in chinese.subject
    mail.outbox.clear()
    with committed():
        _ask(world, started)
    english = next(m for m in mail.outbox if m.to == [world["owner"].email])
    assert "Logistics cost" in english.body and "Freight?" in english.body
    assert f"/assessments/{world['assessment'].pk}/" in english.body
    assert len(mail.outbox) == 2
    mail.outbox.clear()
    assessment = Assessment.objects.get(pk=world["assessment"].pk)
    with committed():
        submitted_run(assessment, world["owner"], execute=False)
    assert len(mail.outbox) == 2  # back to review
    mail.outbox.clear()
    with committed():
        services.verification_verify(
            verification=Verification.objects.get(pk=started.pk), by=world["analyst"]
        )
    assert len(mail.outbox) == 2
    assert next(m for m in mail.outbox if m.to == [world["owner"].email]).subject.endswith(
        ": verified"
    )


# --- the stamps every result shows ----------------------------------------------------------


def test_stamps_for_reads_every_verifier(world, staff):
    assert verification.stamps_for(world["assessment"]) == []
    services.verification_verify(verification=_start(world), by=world["analyst"])
    services.verification_start(assessment=world["assessment"], organisation=None, by=staff)
    stamps = verification.stamps_for(world["assessment"])
    assert [(s.verifier, s.is_platform, s.state) for s in stamps] == [
        ("the platform", True, State.UNDER_REVIEW),
        ("Ningbo CBEC", False, State.VERIFIED),
    ]
    assert stamps[1].analyst == (world["analyst"].full_name or world["analyst"].email)


def test_the_result_page_and_the_reports_show_the_stamp(world, client_for):
    services.verification_verify(verification=_start(world), by=world["analyst"])
    owner = client_for(world["owner"])
    page = owner.get(reverse("evaluations:run", args=[world["enterprise"].pk, world["run"].pk]))
    assert "Verified by Ningbo CBEC on" in page.content.decode()
    csv_text = build_csv(world["run"], user=world["owner"]).content.decode("utf-8-sig")
    assert "Ningbo CBEC" in csv_text and "verified" in csv_text


def test_a_step_makes_the_pdf_again(world):
    from evaluations.services.reports import _stamp

    before = _stamp(world["run"])
    _start(world)
    assert (
        _stamp(EvaluationRun.objects.select_related("enterprise").get(pk=world["run"].pk)) != before
    )


def test_the_stamps_partial_draws_in_chinese(world):
    from django.template.loader import render_to_string
    from django.utils import translation

    services.verification_verify(verification=_start(world), by=world["analyst"])
    with translation.override("zh-hans"):
        html = render_to_string(
            "evaluations/_verification_stamps.html",
            {"stamps": verification.stamps_for(world["assessment"])},
        )
    assert "Ningbo CBEC" in html and "核验" in html


def test_a_worker_run_is_unaffected(world):
    """A verification writes no run and no value: executing a run again stores nothing new."""
    services.verification_verify(verification=_start(world), by=world["analyst"])
    run_execute(world["run"].pk)
    assert VerificationStep.objects.count() == 2
