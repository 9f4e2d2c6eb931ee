"""Report files (PDF): asked for, rendered on the reports queue, swept when stuck or expired.

    report_file_request(run=…, user=…, language=…)   the row (new or existing); sends the render
    report_file_prerender(run=…)                       a fresh result's PDF, ahead of the click
    report_file_render(report_file_id=…)               (worker, ``services.rendering``)
    report_files_sweep()                               (beat) fail stuck renders, drop expired files

One row per file (``ReportFile.key``): a second person asking for the same report shares it. A
row is made again (queued) when what it shows has changed since it was rendered (``stamp``: the
run's result and the enterprise's profile), when its file has expired, or when someone asks to
try a failed one again.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import dispatch, limits
from evaluations import plans, verification
from evaluations.models import EvaluationRun, ReportFile

logger = logging.getLogger(__name__)
Status = ReportFile.Status
RENDER = "evaluations.tasks.render_report"


def _key(run: EvaluationRun, language: str, audience: str) -> str:
    return f"{ReportFile.Kind.RUN_PDF}:run={run.pk}:{language}:{audience}"


def _stamp(run: EvaluationRun) -> str:
    """What the file shows: the run's result, the enterprise's profile (its name…), its
    improvement plan (an edited action makes the full report again) and its verification
    stamps (each step makes it again)."""
    finished = run.finished_at.isoformat() if run.finished_at else ""
    made_from = f"{run.pk}|{finished}|{run.enterprise.updated_at.isoformat()}"
    made_from += f"|{plans.plan_stamp(run.enterprise)}"
    made_from += f"|{verification.verification_stamp(run.assessment_id)}"
    return hashlib.sha256(made_from.encode()).hexdigest()[:32]


def _usable(report: ReportFile, stamp: str, now: datetime) -> bool:
    """Ready with its file for what the run is now, or on its way."""
    if report.stamp != stamp:
        return False
    if report.is_ready:
        return report.expires_at is not None and report.expires_at > now and bool(report.file)
    return True  # queued, running or failed: shown as it is (a failure is retried on request)


def report_file_request(
    *,
    run: EvaluationRun,
    user,
    language: str,
    audience: str = ReportFile.Audience.MEMBERS,
    retry: bool = False,
    limited: bool = True,
) -> ReportFile:
    """The run's PDF in ``language``: the existing file or render, else a new render sent to
    the reports queue (after the commit). ``retry`` starts a failed one again. A new render
    counts against the enterprise's ``limits.REPORT_RENDERS`` unless ``limited`` is off (the
    pre-render, which nobody asked for); past it, ValidationError says so."""
    now = timezone.now()
    stamp = _stamp(run)
    with transaction.atomic():
        report, created = ReportFile.objects.select_for_update().get_or_create(
            key=_key(run, language, audience),
            defaults={
                "kind": ReportFile.Kind.RUN_PDF,
                "run": run,
                "language": language,
                "audience": audience,
                "stamp": stamp,
                "requested_by": user,
                "requested_at": now,
            },
        )
        # A render that failed for someone else (a pre-render, a member who has left) is tried
        # again for this person without asking; their own failure waits for "try again".
        again = retry or report.requested_by_id != getattr(user, "pk", None)
        if not created and (not _usable(report, stamp, now) or (again and report.is_failed)):
            _queue_again(report, stamp=stamp, user=user, now=now)
            created = True
        if created and limited and not limits.spend(limits.REPORT_RENDERS, run.enterprise_id):
            raise ValidationError(limits.REPORT_RENDERS.message)
        if created:
            transaction.on_commit(lambda: _send(report.pk))
    return report


def _queue_again(report: ReportFile, *, stamp: str, user, now: datetime) -> None:
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


def _send(report_id: int) -> None:
    try:
        dispatch.send(RENDER, report_id)
    except Exception as error:  # noqa: BLE001 - any broker failure: say so, "try again" resends
        logger.warning("report file %s not sent: %s", report_id, error)
        report_file_fail(report_id, _("No worker could be reached. Try again in a moment."))


def report_file_prerender(*, run_id: int) -> ReportFile | None:
    """A fresh result's PDF in its submitter's language, so the first click finds it ready."""
    run = EvaluationRun.objects.select_related("enterprise", "created_by").get(pk=run_id)
    if run.created_by is None or run.origin != EvaluationRun.Origin.SUBMISSION:
        return None
    language = run.language or settings.LANGUAGE_CODE
    return report_file_request(run=run, user=run.created_by, language=language, limited=False)


def report_file_fail(report_id: int, reason: str) -> None:
    ReportFile.objects.filter(pk=report_id).exclude(status=Status.READY).update(
        status=Status.FAILED, error=reason[:2000], finished_at=timezone.now()
    )


def report_files_sweep(now: datetime | None = None) -> dict[str, int]:
    """Beat: fail renders with no result past their limit (the worker was killed or lost the
    message), so "try again" works at once; delete files past their expiry with their rows."""
    now = now or timezone.now()
    running_before = now - timedelta(seconds=settings.REPORT_RENDER_TIME_LIMIT + 30)
    stuck = ReportFile.objects.filter(
        Q(status=Status.RUNNING, started_at__lt=running_before)
        | Q(status=Status.QUEUED, requested_at__lt=now - settings.REPORT_QUEUED_STALE)
    ).update(
        status=Status.FAILED,
        error=_("The report was not prepared in time; try again."),
        finished_at=now,
    )
    expired = 0
    for report in ReportFile.objects.filter(expires_at__lt=now).iterator():
        if report.file:
            report.file.storage.delete(report.file.name)
        report.delete()
        expired += 1
    return {"failed": stuck, "expired": expired}
