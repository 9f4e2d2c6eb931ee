"""Assessments: create, save a draft, submit, reopen, and the evidence attached to them.

Submitting is the one place an evaluation run is born: in one transaction the assessment is
locked, its values are checked complete against the default scheme, and a queued run records
the scheme version with a snapshot of its weights and bounds. The task is sent only after the
commit (``transaction.on_commit``), so a rollback sends nothing and a worker never looks for a
run that does not exist yet.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.validators import validate_single_line
from evaluations.models import (
    Assessment,
    EvaluationRun,
    Evidence,
    Indicator,
    Verification,
    WeightScheme,
)
from evaluations.scoring import (
    PlausibilityWarning,
    ScoringError,
    plausibility_warnings,
    validate_values,
)
from evaluations.scoring.checklist import complete_checklist
from evaluations.signals import assessment_submitted

from .runs import run_enqueue
from .schemes import default_scheme, scheme_snapshot, scheme_spec
from .verification import verifications_after_submit, verifications_before_reopen

ENV_CODE = "environmental_impact_score"


def previous_assessment(assessment: Assessment) -> Assessment | None:
    """The enterprise's latest assessment of an earlier period."""
    earlier = assessment.enterprise.assessments.filter(year__lt=assessment.year) | (
        assessment.enterprise.assessments.filter(
            year=assessment.year, quarter__lt=assessment.quarter
        )
    )
    return earlier.order_by("-year", "-quarter").first()


@transaction.atomic
def assessment_create(
    *, enterprise, user, year: int, quarter: int, prefill: bool = False
) -> Assessment:
    """A new draft for a period; ``prefill`` starts from the latest earlier period's values."""
    assessment = Assessment(
        enterprise=enterprise, year=year, quarter=quarter, created_by=user, updated_by=user
    )
    assessment.full_clean()
    if prefill:
        source = previous_assessment(assessment)
        if source is not None:
            assessment.values = dict(source.values)
            assessment.env_mode = source.env_mode
            assessment.env_checklist = dict(source.env_checklist)
    try:
        with transaction.atomic():
            assessment.save()
    except IntegrityError:  # a concurrent create of the same period
        raise ValidationError(
            {"quarter": _("This enterprise already has an assessment for this period.")}
        ) from None
    return assessment


def _require_draft(assessment: Assessment) -> None:
    if not assessment.is_draft:
        raise ValidationError(
            _("This assessment was submitted; reopen it before changing it."), code="submitted"
        )


@transaction.atomic
def assessment_save(
    *,
    assessment: Assessment,
    user,
    values: Mapping[str, float | None],
    env_mode: str = Assessment.EnvMode.TYPED,
    env_checklist: Mapping[str, object] | None = None,
) -> Assessment:
    """Store a draft as typed; missing values stay missing. Values arrive checked by the form.

    With the checklist, the environmental score is the checklist's total whenever the checklist
    is complete, so what is stored is always what the page showed.
    """
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _require_draft(assessment)
    known = set(Indicator.objects.values_list("code", flat=True))
    # A value of None is "not available" (ticked on the form); a value not given is left out.
    stored = {code: None if value is None else float(value) for code, value in values.items()}
    unknown = set(stored) - known
    if unknown:
        raise ValidationError(_("Unknown indicators: %s") % ", ".join(sorted(unknown)))
    previous_mode, previous_checklist = assessment.env_mode, assessment.env_checklist
    assessment.env_mode = env_mode
    assessment.env_checklist = dict(env_checklist or {})
    if env_mode == Assessment.EnvMode.CHECKLIST:
        checklist = complete_checklist(assessment.env_checklist)
        stored.pop(ENV_CODE, None)
        if checklist is not None:
            stored[ENV_CODE] = checklist.total
    env_changed = previous_mode != env_mode or (
        env_mode == Assessment.EnvMode.CHECKLIST and previous_checklist != assessment.env_checklist
    )
    _require_only_reopened(assessment, stored, changed_env=env_changed)
    assessment.values = stored
    assessment.updated_by = user
    # Only the values change here: the period's uniqueness and the foreign keys were checked
    # when the assessment was created, and the row is locked.
    assessment.full_clean(
        exclude=["enterprise", "created_by", "updated_by"],
        validate_unique=False,
        validate_constraints=False,
    )
    assessment.save()
    return assessment


def _require_only_reopened(assessment: Assessment, stored: dict, *, changed_env: bool) -> None:
    """While an analyst asks for information, only the indicators they reopened may change
    (the environmental mode and checklist belong to the environmental indicator)."""
    opened = Verification.objects.reopened_indicators(assessment)
    if opened is None:
        return
    missing = object()
    changed = {
        code
        for code in set(stored) | set(assessment.values)
        if stored.get(code, missing) != assessment.values.get(code, missing)
    }
    if changed_env:
        changed.add(ENV_CODE)
    locked = changed - opened
    if locked:
        names = {i.code: i.localized("name") for i in Indicator.objects.filter(code__in=locked)}
        raise ValidationError(
            _(
                "Only the indicators the analyst reopened can change; these stay as submitted: "
                "%(names)s."
            )
            % {"names": ", ".join(sorted(names.get(code, code) for code in locked))},
            code="locked",
        )


def _require_reopened_indicator(assessment: Assessment, indicator_code: str) -> None:
    opened = Verification.objects.reopened_indicators(assessment)
    if opened is not None and indicator_code not in opened:
        raise ValidationError(
            _("Only the evidence of the indicators the analyst reopened can change."),
            code="locked",
        )


def _scheme_for_submission(scheme: WeightScheme | None) -> WeightScheme:
    scheme = scheme or default_scheme()
    if scheme is None or scheme.status != WeightScheme.Status.PUBLISHED:
        raise ValidationError(_("No published weight scheme is available; ask an administrator."))
    return scheme


class PlausibilityUnconfirmed(ValidationError):
    """Values that are valid but look like a mistake, not yet confirmed (PRODUCT.md section 8);
    ``warnings`` are the engine's, by field."""

    def __init__(self, warnings: list[PlausibilityWarning]) -> None:
        self.warnings = warnings
        super().__init__(
            _("Some values look unusual. Check them, then confirm to submit them as they are."),
            code="plausibility",
        )


def run_create(
    *,
    assessment: Assessment,
    scheme: WeightScheme,
    user=None,
    confirm_warnings: bool = True,
    origin: str = EvaluationRun.Origin.SUBMISSION,
) -> EvaluationRun:
    """A queued run with the scheme's snapshot; the caller holds the transaction. A value may
    be None (not available: the run is incomplete); values that draw plausibility warnings
    need ``confirm_warnings``. ``origin`` PROGRAMME: the same submission under a programme's
    scheme version."""
    spec = scheme_spec(scheme)
    try:
        values = validate_values(spec, assessment.values, allow_not_available=True)
    except ScoringError as error:
        raise ValidationError(
            {
                code: _("%(field)s: %(problem)s") % {"field": code, "problem": problem}
                for code, problem in error.errors.items()
            }
        ) from None
    warnings = plausibility_warnings(spec, values)
    if warnings and not confirm_warnings:
        raise PlausibilityUnconfirmed(warnings)
    run = EvaluationRun.objects.create(
        language=translation.get_language() or "",
        assessment=assessment,
        enterprise_id=assessment.enterprise_id,
        year=assessment.year,
        quarter=assessment.quarter,
        origin=origin,
        scheme=scheme,
        scheme_slug=scheme.slug,
        scheme_version=scheme.version,
        scheme_snapshot=scheme_snapshot(scheme, spec),
        values=values,
        incomplete=any(value is None for value in values.values()),
        checklist=(
            dict(assessment.env_checklist)
            if assessment.env_mode == Assessment.EnvMode.CHECKLIST
            else None
        ),
        created_by=user,
        sent_at=timezone.now(),  # sent right after the commit; cleared if the send fails
    )
    transaction.on_commit(lambda: run_enqueue(run.pk, stamped=True), robust=True)
    return run


@transaction.atomic
def assessment_submit(
    *,
    assessment: Assessment,
    user,
    scheme: WeightScheme | None = None,
    confirm_warnings: bool = True,
) -> EvaluationRun:
    """Check the values are complete (a value may be marked not available), lock the
    assessment and queue its evaluation. Values that look like a mistake need
    ``confirm_warnings`` (the form and the API ask the person), else PlausibilityUnconfirmed."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _require_draft(assessment)
    run = run_create(
        assessment=assessment,
        scheme=_scheme_for_submission(scheme),
        user=user,
        confirm_warnings=confirm_warnings,
    )
    assessment.status = Assessment.Status.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.updated_by = user
    assessment.save(update_fields=["status", "submitted_at", "updated_by", "updated_at"])
    verifications_after_submit(assessment=assessment, user=user)
    assessment_submitted.send(Assessment, assessment=assessment, run=run, user=user)
    return run


@transaction.atomic
def assessment_reopen(*, assessment: Assessment, user) -> Assessment:
    """Back to a draft; the runs already made stay exactly as they were. Not while an
    organisation reviews the submission (``verifications_before_reopen`` says why)."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.is_draft:
        return assessment
    verifications_before_reopen(assessment=assessment, user=user)
    assessment.status = Assessment.Status.DRAFT
    assessment.updated_by = user
    assessment.save(update_fields=["status", "updated_by", "updated_at"])
    return assessment


# --- Evidence ---------------------------------------------------------------------------------

# What each accepted type looks like on disk, by its first bytes (the name alone proves nothing).
EVIDENCE_TYPES = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "text/csv": (".csv",),
}


def sniff_content_type(head: bytes, name: str) -> str | None:
    """The accepted type these bytes are, or None. Checks content, then that the name agrees."""
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if head.startswith(b"%PDF-"):
        kind = "application/pdf"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "image/png"
    elif head.startswith(b"\xff\xd8\xff"):
        kind = "image/jpeg"
    elif head.startswith(b"PK\x03\x04") and suffix == ".xlsx":
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif suffix == ".csv" and _looks_like_text(head):
        kind = "text/csv"
    else:
        return None
    return kind if suffix in EVIDENCE_TYPES[kind] else None


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:  # a multi-byte character cut at the end is fine
        return error.start >= len(head) - 3
    return True


@transaction.atomic
def evidence_attach(*, assessment: Assessment, user, indicator_code: str, upload) -> Evidence:
    """Attach (or replace) the file backing one indicator's value. The assessment is locked and
    read again first: a submission committing meanwhile must not gain a file afterwards."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _require_draft(assessment)
    _require_reopened_indicator(assessment, indicator_code)
    validate_single_line(upload.name or "")
    if not Indicator.objects.filter(code=indicator_code).exists():
        raise ValidationError(_("Unknown indicator."))
    if upload.size > Evidence.MAX_BYTES:
        raise ValidationError(_("The file is larger than 10 MB."), code="too_large")
    head = upload.read(2048)
    upload.seek(0)
    kind = sniff_content_type(head, upload.name or "")
    if kind is None:
        raise ValidationError(
            _("Only PDF, PNG, JPEG, XLSX and CSV files are accepted, and the content must match."),
            code="file_type",
        )
    for old in assessment.evidence.filter(indicator_code=indicator_code):
        evidence_remove(evidence=old)
    evidence = Evidence(
        assessment=assessment,
        indicator_code=indicator_code,
        original_name=(upload.name or "evidence")[-255:],
        content_type=kind,
        size=upload.size,
        uploaded_by=user,
    )
    evidence.file.save(upload.name or "evidence", upload, save=False)
    try:
        evidence.save()
    except Exception:
        evidence.file.delete(save=False)  # nothing half-written stays on disk
        raise
    return evidence


@transaction.atomic
def evidence_delete(*, evidence: Evidence) -> None:
    """Remove one file from a draft."""
    _require_draft(evidence.assessment)
    _require_reopened_indicator(evidence.assessment, evidence.indicator_code)
    evidence_remove(evidence=evidence)


def evidence_remove(*, evidence: Evidence) -> None:
    """Delete the row now and the file once the deletion is committed."""
    name, storage = evidence.file.name, evidence.file.storage
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(name))
