"""The cohort summary (PDF): asked for on the page, rendered on the reports queue, swept.

The life of a file as ``evaluations.services.reports`` has it for a run's report: one row per
programme, period and language (``CohortReport.key``); made again when the cohort it shows has
changed (``stamp``: the results and grants it was made from), when it expired, or when someone
asks to try a failed one again; a render with no result past its hard time limit is failed by
the sweep so "try again" works at once.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import dispatch
from programmes import selectors
from programmes.models import CohortReport, Programme

logger = logging.getLogger(__name__)
Status = CohortReport.Status
RENDER = "programmes.tasks.render_cohort_report"


def _stamp(programme: Programme) -> str:
    """What the summary is made from: the cohort's results, the programme's name and dates."""
    runs = ",".join(str(r.run_id) for r in selectors.results(programme))
    made_from = f"{programme.name}|{programme.deadline}|{programme.periods}|{runs}"
    return hashlib.sha256(made_from.encode()).hexdigest()[:32]


def cohort_report_request(
    *, programme: Programme, period: str, user, language: str, retry: bool = False
) -> CohortReport:
    """The summary's row: the existing file or render, else a new render sent after commit."""
    now = timezone.now()
    stamp = _stamp(programme)
    with transaction.atomic():
        report, created = CohortReport.objects.select_for_update().get_or_create(
            key=f"cohort:{programme.pk}:{period}:{language}",
            defaults={
                "programme": programme,
                "period": period,
                "language": language,
                "stamp": stamp,
                "requested_by": user,
                "requested_at": now,
            },
        )
        stale = report.stamp != stamp or (
            report.is_ready and (report.expires_at is None or report.expires_at <= now)
        )
        if not created and (stale or (retry and report.is_failed)):
            old_file = report.file.name
            report.status = Status.QUEUED
            report.stamp = stamp
            report.requested_by = user
            report.requested_at = now
            report.error = ""
            report.started_at = report.finished_at = report.expires_at = None
            report.file = ""
            report.filename = ""
            report.save()
            if old_file:
                storage = report.file.storage
                transaction.on_commit(lambda: storage.delete(old_file))
            created = True
        if created:
            transaction.on_commit(lambda: _send(report.pk))
    return report


def _send(report_id: int) -> None:
    try:
        dispatch.send(RENDER, report_id)
    except Exception as error:  # noqa: BLE001 - any broker failure: say so, "try again" resends
        logger.warning("cohort report %s not sent: %s", report_id, error)
        cohort_report_fail(report_id, _("No worker could be reached. Try again in a moment."))


def cohort_report_fail(report_id: int, reason: str) -> None:
    CohortReport.objects.filter(pk=report_id).exclude(status=Status.READY).update(
        status=Status.FAILED, error=reason[:2000], finished_at=timezone.now()
    )


def cohort_reports_sweep(now: datetime | None = None) -> dict[str, int]:
    """Beat: fail renders stuck past their limit; delete files past their expiry."""
    now = now or timezone.now()
    running_before = now - timedelta(seconds=settings.REPORT_RENDER_TIME_LIMIT + 30)
    stuck = CohortReport.objects.filter(
        Q(status=Status.RUNNING, started_at__lt=running_before)
        | Q(status=Status.QUEUED, requested_at__lt=now - settings.REPORT_QUEUED_STALE)
    ).update(
        status=Status.FAILED,
        error=_("The report was not prepared in time; try again."),
        finished_at=now,
    )
    expired = 0
    for report in CohortReport.objects.filter(expires_at__lt=now).iterator():
        if report.file:
            report.file.storage.delete(report.file.name)
        report.delete()
        expired += 1
    return {"failed": stuck, "expired": expired}
