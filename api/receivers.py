"""What the API does when evaluations announces something (``evaluations.signals``)."""

from __future__ import annotations

from django.db import transaction

from api.services import webhooks
from evaluations.models import EvaluationRun


def run_finished(sender, *, run_id: int, status: str, **kwargs) -> None:
    """A run ended (committed): its webhook deliveries, queued once they are stored."""
    run = EvaluationRun.objects.filter(pk=run_id).first()
    if run is None:
        return
    with transaction.atomic():
        webhooks.run_event(run=run)
