"""Verification of a submission (PRODUCT.md section 11): every write, each one a step.

under review → information requested (named indicators reopened for the enterprise, with the
analyst's comment; the rest stay locked: ``assessment_save`` refuses to change them) → the
enterprise resubmits and the verification is under review again → verified, or not verified
with a reason. A verification never changes a score: it writes no run and no value. Each step
is a ``VerificationStep`` and an e-mail to the enterprise's owners, in each one's language.

Who may call these is decided by ``enterprises.access.verifier_for`` in the views.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from core.http import absolute_url
from core.mail import mail_send
from enterprises.models import Organisation, Role
from evaluations import signals
from evaluations.models import Assessment, EvaluationRun, Indicator
from evaluations.models.verification import Verification, VerificationState, VerificationStep

State = VerificationState
COMMENT_MAX = 2000


def _locked(verification: Verification) -> Verification:
    """Locks are taken in one order everywhere: the assessment, then its verifications (as the
    submit and reopen services do), so two steps never wait on each other."""
    return Verification.objects.select_for_update(of=("self",)).get(pk=verification.pk)


def _locked_assessment(assessment_id: int) -> Assessment:
    return Assessment.objects.select_for_update().get(pk=assessment_id)


def _text(value: str, *, required: bool, field: str) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("Say why, for the enterprise.")}, code="required")
    if len(value) > COMMENT_MAX:
        raise ValidationError(
            {field: _("At most %(count)s characters.") % {"count": COMMENT_MAX}}, code="too_long"
        )
    return value


def _require_state(verification: Verification, *states: str) -> None:
    if verification.state not in states:
        raise ValidationError(
            _("This verification is %(state)s: that step is not possible now.")
            % {"state": verification.get_state_display()},
            code="state",
        )


def _require_submitted(assessment: Assessment) -> None:
    if assessment.is_draft:
        raise ValidationError(
            _("The enterprise has not resubmitted this assessment yet."), code="draft"
        )


def _step(verification: Verification, *, by, comment: str = "", indicators=()) -> VerificationStep:
    step = VerificationStep.objects.create(
        verification=verification,
        by=by,
        state=verification.state,
        comment=comment,
        indicators=list(indicators),
    )
    _mail_owners(verification, step)
    return step


@transaction.atomic
def verification_start(
    *, assessment: Assessment, organisation: Organisation | None, by
) -> Verification:
    """Start reviewing a submission (``organisation`` None: the platform's review, by staff). A
    decided verification may be reviewed again; an open one is left as it is."""
    assessment = _locked_assessment(assessment.pk)
    _require_submitted(assessment)
    verification = Verification.objects.filter(
        assessment=assessment, organisation=organisation
    ).first()
    if verification is None:
        try:
            with transaction.atomic():
                verification = Verification.objects.create(
                    assessment=assessment, organisation=organisation, analyst=by
                )
        except IntegrityError:  # another analyst of the organisation started it a moment ago
            raise ValidationError(
                _("This submission is already under review."), code="state"
            ) from None
    else:
        verification = _locked(verification)
        _require_state(verification, State.VERIFIED, State.NOT_VERIFIED)
        verification.state = State.UNDER_REVIEW
        verification.analyst = by
        verification.reason = ""
        verification.comment = ""
        verification.decided_at = None
        verification.save()
    _step(verification, by=by)
    return verification


@transaction.atomic
def verification_request_information(
    *, verification: Verification, by, indicators: Iterable[str], comment: str
) -> Verification:
    """Reopen the named indicators for the enterprise with the analyst's comment: the
    assessment is a draft again in which only these indicators may change."""
    assessment = _locked_assessment(verification.assessment_id)  # the submission first, always
    verification = _locked(verification)
    _require_state(verification, State.UNDER_REVIEW)
    _require_submitted(assessment)
    codes = sorted(set(indicators))
    if not codes:
        raise ValidationError(
            {"indicators": _("Choose the indicators the enterprise should look at again.")}
        )
    unknown = set(codes) - set(Indicator.objects.values_list("code", flat=True))
    if unknown:
        raise ValidationError({"indicators": _("Unknown indicator.")})
    comment = _text(comment, required=True, field="comment")
    verification.state = State.INFORMATION_REQUESTED
    verification.analyst = by
    verification.requested_indicators = codes
    verification.comment = comment
    verification.save()
    assessment.status = Assessment.Status.DRAFT
    assessment.save(update_fields=["status", "updated_at"])
    _step(verification, by=by, comment=comment, indicators=codes)
    return verification


@transaction.atomic
def verification_verify(*, verification: Verification, by, comment: str = "") -> Verification:
    """The stamp: verified, by whom and when. The scores stay exactly as they are."""
    return _decide(verification, by=by, state=State.VERIFIED, comment=comment)


@transaction.atomic
def verification_reject(*, verification: Verification, by, reason: str) -> Verification:
    """Not verified, with the reason the enterprise reads."""
    return _decide(verification, by=by, state=State.NOT_VERIFIED, reason=reason)


def _decide(verification, *, by, state: str, comment: str = "", reason: str = "") -> Verification:
    assessment = _locked_assessment(verification.assessment_id)  # the submission first, always
    verification = _locked(verification)
    _require_state(verification, State.UNDER_REVIEW)
    _require_submitted(assessment)
    comment = _text(comment, required=False, field="comment")
    reason = _text(reason, required=state == State.NOT_VERIFIED, field="reason")
    verification.state = state
    verification.analyst = by
    verification.comment = comment
    verification.reason = reason
    verification.requested_indicators = []
    verification.decided_at = timezone.now()
    verification.save()
    _step(verification, by=by, comment=reason or comment)
    if state == State.VERIFIED:
        pk = verification.pk
        transaction.on_commit(
            lambda: signals.result_verified.send(Verification, verification_id=pk)
        )
    return verification


# --- What the enterprise's own steps do to a verification (called by services/assessments) ---


def verifications_after_submit(*, assessment: Assessment, user) -> None:
    """A resubmission answers every request for information: the new run is back to review."""
    for verification in Verification.objects.select_for_update(of=("self",)).filter(
        assessment=assessment, state=State.INFORMATION_REQUESTED
    ):
        verification.state = State.UNDER_REVIEW
        verification.requested_indicators = []
        verification.save()
        _step(verification, by=user)


def verifications_before_reopen(*, assessment: Assessment, user) -> None:
    """During review the enterprise cannot reopen its submission (only the analyst reopens what
    they ask about). A decided stamp belonged to the values it judged: reopening them puts the
    verification back under review, so no stamp stands on values it never saw."""
    open_ones = Verification.objects.filter(assessment=assessment, state=State.UNDER_REVIEW)
    names = [v.verifier_label for v in open_ones.select_related("organisation")]
    if names:
        raise ValidationError(
            _(
                "This submission is under review by %(names)s: it cannot be reopened until the "
                "review ends, except for the indicators the analyst asks about."
            )
            % {"names": ", ".join(names)},
            code="under_review",
        )
    for verification in Verification.objects.select_for_update(of=("self",)).filter(
        assessment=assessment, state__in=[State.VERIFIED, State.NOT_VERIFIED]
    ):
        verification.state = State.UNDER_REVIEW
        verification.decided_at = None
        verification.save()
        _step(verification, by=user, comment=_("The enterprise reopened the submission."))


# --- E-mail to the enterprise's owners --------------------------------------------------------


def _owners(enterprise_id: int) -> list[User]:
    return list(
        User.objects.filter(
            memberships__enterprise_id=enterprise_id,
            memberships__role=Role.OWNER,
            is_active=True,
        ).order_by("id")
    )


def _link(assessment: Assessment, state: str) -> str:
    if state == State.INFORMATION_REQUESTED:
        path = reverse("evaluations:assessment", args=[assessment.enterprise_id, assessment.pk])
    else:
        run = (
            assessment.runs.filter(origin=EvaluationRun.Origin.SUBMISSION)
            .order_by("-created_at", "-id")
            .first()
        )
        path = (
            reverse("evaluations:run", args=[assessment.enterprise_id, run.pk])
            if run
            else reverse("evaluations:assessment", args=[assessment.enterprise_id, assessment.pk])
        )
    return absolute_url(path)


def _mail_owners(verification: Verification, step: VerificationStep) -> None:
    """One message per owner, rendered in the owner's language; sent after the commit."""
    assessment = verification.assessment
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=step.indicators)}
    for owner in _owners(assessment.enterprise_id):
        with translation.override(owner.language or settings.LANGUAGE_CODE):
            text = render_to_string(
                "evaluations/email/verification_step.txt",
                {
                    "verifier": verification.verifier_label,
                    "enterprise": assessment.enterprise.name,
                    "period": assessment.period,
                    "state": step.get_state_display(),
                    "step": step,
                    "indicators": [
                        indicators[code].localized("name") if code in indicators else code
                        for code in step.indicators
                    ],
                    "link": _link(assessment, step.state),
                },
            ).strip()
        subject, _sep, body = text.partition("\n")
        subject, body = subject.strip(), body.strip() + "\n"
        transaction.on_commit(
            lambda to=owner.email, s=subject, b=body: mail_send(to=[to], subject=s, body=b)
        )
