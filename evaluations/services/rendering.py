"""Rendering a report file on a worker (the reports queue): the only service that loads
WeasyPrint, so web processes never import it. The request side is ``services.reports``."""

from __future__ import annotations

import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from evaluations.models import ReportFile
from evaluations.reports import pdf

from .reports import report_file_fail

logger = logging.getLogger(__name__)
Status = ReportFile.Status


def _start(report_id: int) -> ReportFile | None:
    """Queued → running, or None when there is nothing (more) to do."""
    with transaction.atomic():
        report = (
            ReportFile.objects.select_for_update(of=("self",))
            .select_related("run__enterprise", "run__scheme", "requested_by")
            .filter(pk=report_id)
            .first()
        )
        if report is None or report.status != Status.QUEUED:
            # Gone, done, failed, or running: a message redelivered after its worker was lost
            # leaves a running render to the sweep, which fails it past the time limit.
            return None
        report.status = Status.RUNNING
        report.started_at = timezone.now()
        report.save(update_fields=["status", "started_at"])
        return report


def report_file_render(*, report_file_id: int) -> str:
    """The worker's part: render and store one file; returns the row's status (idempotent)."""
    report = _start(report_file_id)
    if report is None:
        return _status(report_file_id)
    with translation.override(report.language):
        try:
            user = report.requested_by or AnonymousUser()
            # checks access again, on the worker (a shared report: through its own grant)
            built = pdf.build(
                report.run, user=user, grant_id=report.grant_id, check_code=report.check_code
            )
        except (Http404, PermissionDenied):
            report_file_fail(report.pk, _("You may not read this report."))
            return Status.FAILED
        except (pdf.PdfTimeout, SoftTimeLimitExceeded):
            report_file_fail(report.pk, _("The report took too long to prepare."))
            return Status.FAILED
        except Exception:
            logger.exception("report file %s failed", report.pk)
            report_file_fail(
                report.pk, _("The report could not be prepared; the error has been logged.")
            )
            return Status.FAILED
    report.file.save(built.filename, ContentFile(built.content), save=False)
    now = timezone.now()
    updated = ReportFile.objects.filter(pk=report.pk, status=Status.RUNNING).update(
        status=Status.READY,
        file=report.file.name,
        filename=built.filename,
        finished_at=now,
        expires_at=now + settings.REPORT_FILE_LIFETIME,
    )
    if not updated:  # swept meanwhile, or asked for again: this file is nobody's
        report.file.storage.delete(report.file.name)
        return _status(report.pk)
    return Status.READY


def _status(report_id: int) -> str:
    return ReportFile.objects.filter(pk=report_id).values_list("status", flat=True).first() or ""
