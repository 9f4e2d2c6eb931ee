"""Reads of verification (PRODUCT.md section 11): the stamps a submission carries, for every page
and report that shows a result (the enterprise's result page, the PDF, CSV and XLSX reports, a
shared page, the public check page), and the analyst's review page.

``stamps_for(assessment)`` is the one function they call; ``templates/evaluations/
_verification_stamps.html`` draws its list (context variable ``stamps``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from evaluations.models import Indicator
from evaluations.models.verification import Verification, VerificationState, VerificationStep


@dataclass(frozen=True, slots=True)
class Stamp:
    """One verifier's stamp on a submission, as people read it."""

    verifier: str  # the organisation's name, or "the platform" (staff) in the reader's language
    is_platform: bool
    state: str  # VerificationState value
    state_label: str
    analyst: str  # who took the last step ("" if their account is gone)
    date: datetime  # when decided, else when the last step was taken
    comment: str  # the analyst's comment, or the reason when not verified
    indicators: tuple[str, ...]  # the indicators reopened (human names) while information is asked

    @property
    def is_verified(self) -> bool:
        return self.state == VerificationState.VERIFIED

    @property
    def is_decided(self) -> bool:
        return self.state in (VerificationState.VERIFIED, VerificationState.NOT_VERIFIED)


def _name(user) -> str:
    return (user.full_name or user.email) if user else ""


def indicator_names(codes) -> dict[str, str]:
    return {i.code: i.localized("name") for i in Indicator.objects.filter(code__in=list(codes))}


def _stamp(verification: Verification, names: dict[str, str]) -> Stamp:
    return Stamp(
        verifier=verification.verifier_label,
        is_platform=verification.organisation_id is None,
        state=verification.state,
        state_label=verification.get_state_display(),
        analyst=_name(verification.analyst),
        date=verification.decided_at or verification.updated_at,
        comment=verification.reason or verification.comment,
        indicators=tuple(names.get(c, c) for c in verification.requested_indicators),
    )


def stamps_for(assessment) -> list[Stamp]:
    """Every verifier's stamp on this submission (and so on all its runs), the platform's
    first, then by organisation name: two queries at most."""
    verifications = list(
        Verification.objects.filter(assessment=assessment).select_related("organisation", "analyst")
    )
    codes = {code for v in verifications for code in v.requested_indicators}
    names = indicator_names(codes) if codes else {}
    verifications.sort(key=lambda v: (v.organisation_id is not None, v.verifier_label.lower()))
    return [_stamp(v, names) for v in verifications]


def verification_stamp(assessment_id: int) -> str:
    """What the stamps are now, for a report file's key: a step makes the PDF again."""
    latest = (
        Verification.objects.filter(assessment_id=assessment_id)
        .order_by("-updated_at")
        .values_list("updated_at", flat=True)
        .first()
    )
    return latest.isoformat() if latest else ""


@dataclass(frozen=True, slots=True)
class StepLine:
    state_label: str
    by: str
    at: datetime
    comment: str
    indicators: tuple[str, ...]


def verification_of(assessment, organisation) -> Verification | None:
    return (
        Verification.objects.filter(assessment=assessment, organisation=organisation)
        .select_related("organisation", "analyst")
        .first()
    )


def history(verification: Verification | None) -> list[StepLine]:
    """A verification's steps, oldest first, as people read them."""
    if verification is None:
        return []
    steps = list(VerificationStep.objects.filter(verification=verification).select_related("by"))
    names = indicator_names({c for s in steps for c in s.indicators})
    return [
        StepLine(
            state_label=step.get_state_display(),
            by=_name(step.by) or _("someone whose account was removed"),
            at=step.at,
            comment=step.comment,
            indicators=tuple(names.get(c, c) for c in step.indicators),
        )
        for step in steps
    ]


def reopened_for_enterprise(assessment) -> tuple[set[str] | None, list[Stamp]]:
    """For the enterprise's draft: the indicators reopened by analysts (None: no request, the
    whole draft is open) and the stamps asking."""
    opened = Verification.objects.reopened_indicators(assessment)
    if opened is None:
        return None, []
    asking = [
        s for s in stamps_for(assessment) if s.state == VerificationState.INFORMATION_REQUESTED
    ]
    return opened, asking
