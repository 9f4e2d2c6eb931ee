"""What the API does when evaluations announces something (``evaluations.signals``)."""

from __future__ import annotations

from django.db import transaction

from api.services import webhooks
from evaluations.models import EvaluationRun
from evaluations.models.verification import Verification


def run_finished(sender, *, run_id: int, status: str, **kwargs) -> None:
    """A run ended (committed): its webhook deliveries, queued once they are stored."""
    run = EvaluationRun.objects.filter(pk=run_id).first()
    if run is None:
        return
    with transaction.atomic():
        webhooks.run_event(run=run)


def result_verified(sender, *, verification_id: int, **kwargs) -> None:
    """A submission was verified (committed): ``result.verified`` for its latest result."""
    verification = (
        Verification.objects.select_related("assessment", "organisation")
        .filter(pk=verification_id)
        .first()
    )
    if verification is None:
        return
    assessment = verification.assessment
    run = (
        EvaluationRun.objects.filter(
            assessment_id=assessment.pk,
            origin=EvaluationRun.Origin.SUBMISSION,
            status=EvaluationRun.Status.SUCCEEDED,
        )
        .order_by("-pk")
        .first()
    )
    if run is None:
        return
    organisation = verification.organisation
    with transaction.atomic():
        webhooks.result_verified(
            enterprise_id=assessment.enterprise_id,
            run_id=run.pk,
            year=assessment.year,
            quarter=assessment.quarter,
            by=organisation.name if organisation is not None else "platform",
        )
