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


# --- Re-scoring under another scheme (issue 7) --------------------------------------------------


@shared_task(name="evaluations.tasks.rescore_start", acks_late=True, reject_on_worker_lost=True)
def rescore_start(job_id: int) -> int:
    """Select the job's runs and send one ``rescore_chunk`` per chunk; the number of chunks."""
    from evaluations.services import rescore

    try:
        chunks = rescore.rescore_begin(job_id=job_id)
    except Exception as error:
        rescore.rescore_fail(job_id=job_id, reason=f"{type(error).__name__}: {error}")
        raise
    for run_ids in chunks:
        rescore_chunk.delay(job_id, run_ids)
    return len(chunks)


@shared_task(name="evaluations.tasks.rescore_chunk", acks_late=True, reject_on_worker_lost=True)
def rescore_chunk(job_id: int, run_ids: list[int]) -> int:
    """Score and store one chunk; a redelivered chunk stores nothing twice."""
    from evaluations.services import rescore

    try:
        return rescore.rescore_run_chunk(job_id=job_id, run_ids=run_ids)
    except Exception as error:
        rescore.rescore_fail(job_id=job_id, reason=f"{type(error).__name__}: {error}")
        raise


@shared_task(name="evaluations.tasks.refresh_peer_summaries")
def refresh_peer_summaries() -> int:
    """Rebuild the cached cohort summaries the peer box plots read."""
    from evaluations import peers

    return peers.refresh_summaries()
