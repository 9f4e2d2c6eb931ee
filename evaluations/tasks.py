"""Celery tasks: each takes ids, loads nothing itself and calls one service.

Services never import this module: they queue a task by its name (``core.dispatch``), and
``CELERY_TASK_ROUTES`` sends it to its queue (evaluations, reports or mail).
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from evaluations import peers
from evaluations.services import plans, rendering, reports, rescore, runs


@shared_task(name="evaluations.tasks.run_evaluation")
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


@shared_task(
    name=reports.RENDER,
    soft_time_limit=settings.REPORT_RENDER_SOFT_TIME_LIMIT,
    time_limit=settings.REPORT_RENDER_TIME_LIMIT,
)
def render_report(report_file_id: int) -> str:
    """Render and store one report file (the reports queue); returns its status."""
    return rendering.report_file_render(report_file_id=report_file_id)


@shared_task(name="evaluations.tasks.sweep_report_files")
def sweep_report_files() -> dict[str, int]:
    """Fail renders that made no progress past their limit; delete expired files."""
    return reports.report_files_sweep()


@shared_task(name="evaluations.tasks.rescore_start")
def rescore_start(job_id: int) -> int:
    """Select the job's runs and queue one ``rescore_chunk`` per chunk; the number of chunks."""
    try:
        chunks = rescore.rescore_begin(job_id=job_id)
    except Exception as error:
        rescore.rescore_fail(job_id=job_id, reason=f"{type(error).__name__}: {error}")
        raise
    for run_ids in chunks:
        rescore_chunk.delay(job_id, run_ids)
    return len(chunks)


@shared_task(name="evaluations.tasks.rescore_chunk")
def rescore_chunk(job_id: int, run_ids: list[int]) -> int:
    """Score and store one chunk; a redelivered chunk stores nothing twice."""
    try:
        return rescore.rescore_run_chunk(job_id=job_id, run_ids=run_ids)
    except Exception as error:
        rescore.rescore_fail(job_id=job_id, reason=f"{type(error).__name__}: {error}")
        raise


@shared_task(name=rescore.BANDS)
def add_robustness_bands(run_ids: list[int]) -> int:
    """Store the robustness bands of re-scored runs (after their chunk, at lower priority)."""
    return rescore.runs_add_bands(run_ids=run_ids)


@shared_task(name="evaluations.tasks.refresh_peer_summaries")
def refresh_peer_summaries() -> int:
    """Rebuild the cached cohort summaries the peer box plots read."""
    return peers.refresh_summaries()


@shared_task(name="evaluations.tasks.send_plan_reminders")
def send_plan_reminders() -> dict[str, int]:
    """Queue the improvement plan's reminder e-mails owed today (beat, on the mail queue)."""
    return plans.plan_reminders_send()
