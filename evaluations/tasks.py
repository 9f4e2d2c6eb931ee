"""Celery tasks: thin wrappers that hand a run id to ``evaluations.services.runs``."""

from __future__ import annotations

from celery import shared_task

from evaluations.services import runs


@shared_task(name="evaluations.tasks.run_evaluation", acks_late=True, reject_on_worker_lost=True)
def run_evaluation(run_id: int) -> bool:
    """Compute and store one run; idempotent, so a redelivered message is harmless."""
    try:
        return runs.run_execute(run_id)
    except Exception as error:
        if runs.run_attempt_failed(run_id, f"{type(error).__name__}: {error}"):
            runs.run_enqueue(run_id, countdown=5)
        raise


@shared_task(name="evaluations.tasks.sweep_evaluation_runs")
def sweep_evaluation_runs() -> dict[str, int]:
    """Re-send runs left queued or running too long; fail those out of attempts."""
    return runs.runs_sweep()
