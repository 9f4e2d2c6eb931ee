"""Rendering the cohort summary on a worker (the reports queue), with the report machinery of
``evaluations.reports.pdf`` (WeasyPrint in a bounded process, static files only). Only the
task imports this module, so web processes never load WeasyPrint."""

from __future__ import annotations

import logging
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from enterprises import access
from evaluations.reports import pdf
from programmes import selectors
from programmes.models import CohortReport, parse_period
from programmes.services.programmes import period_labels

from .reports import cohort_report_fail

logger = logging.getLogger(__name__)
Status = CohortReport.Status
TEMPLATE = "programmes/cohort_report.html"


def cohort_report_html(programme, period: str) -> str:
    """The summary's HTML in the active language (aggregates only, suppression applied)."""
    stylesheet = finders.find(pdf.STYLESHEET)
    return render_to_string(
        TEMPLATE,
        {
            "programme": programme,
            "organisation": programme.organisation,
            "period_label": period_labels([period])[0],
            "cohort": selectors.cohort(programme, period),
            "completion": selectors.completion(programme, period),
            "generated_at": timezone.now(),
            "stylesheet_url": Path(stylesheet).resolve().as_uri() if stylesheet else "",
            "in_pdf": True,
        },
    )


def _start(report_id: int) -> CohortReport | None:
    with transaction.atomic():
        report = (
            CohortReport.objects.select_for_update(of=("self",))
            .select_related("programme__organisation", "programme__scheme", "requested_by")
            .filter(pk=report_id)
            .first()
        )
        if report is None or report.status != Status.QUEUED:
            return None
        report.status = Status.RUNNING
        report.started_at = timezone.now()
        report.save(update_fields=["status", "started_at"])
        return report


def cohort_report_render(*, report_id: int) -> str:
    """The worker's part: render and store one summary; returns the row's status."""
    report = _start(report_id)
    if report is None:
        return _status(report_id)
    programme = report.programme
    with translation.override(report.language):
        try:
            access.organisation_for_member(
                report.requested_by or AnonymousUser(), programme.organisation_id, may=access.READ
            )  # checked again, on the worker
            parse_period(report.period)
            content = pdf.render_pdf(cohort_report_html(programme, report.period))
        except (Http404, PermissionDenied):
            cohort_report_fail(report.pk, _("You may not read this report."))
            return Status.FAILED
        except (pdf.PdfTimeout, SoftTimeLimitExceeded):
            cohort_report_fail(report.pk, _("The report took too long to prepare."))
            return Status.FAILED
        except Exception:
            logger.exception("cohort report %s failed", report.pk)
            cohort_report_fail(
                report.pk, _("The report could not be prepared; the error has been logged.")
            )
            return Status.FAILED
        filename = f"{slugify(programme.name) or 'programme'}-{report.period}-cohort.pdf"
    report.file.save(filename, ContentFile(content), save=False)
    now = timezone.now()
    updated = CohortReport.objects.filter(pk=report.pk, status=Status.RUNNING).update(
        status=Status.READY,
        file=report.file.name,
        filename=filename,
        finished_at=now,
        expires_at=now + settings.REPORT_FILE_LIFETIME,
    )
    if not updated:
        report.file.storage.delete(report.file.name)
        return _status(report.pk)
    return Status.READY


def _status(report_id: int) -> str:
    return CohortReport.objects.filter(pk=report_id).values_list("status", flat=True).first() or ""
