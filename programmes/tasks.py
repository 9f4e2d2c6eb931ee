"""Celery tasks of the programmes app: ids in, one service call.

Routes (settings): the reminders go to the mail queue, the cohort summary's render to the
reports queue, the sweep to the default queue.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from programmes.services import reminders, rendering, reports


@shared_task(name="programmes.tasks.send_reminders")
def send_reminders() -> int:
    """Beat: queue the programme reminders due today (paced); returns how many."""
    return reminders.reminders_send()


@shared_task(
    name=reports.RENDER,
    soft_time_limit=settings.REPORT_RENDER_SOFT_TIME_LIMIT,
    time_limit=settings.REPORT_RENDER_TIME_LIMIT,
)
def render_cohort_report(report_id: int) -> str:
    """Render and store one cohort summary (the reports queue); returns its status."""
    return rendering.cohort_report_render(report_id=report_id)


@shared_task(name="programmes.tasks.sweep_cohort_reports")
def sweep_cohort_reports() -> dict[str, int]:
    """Beat: fail stuck renders, delete expired summaries."""
    return reports.cohort_reports_sweep()
