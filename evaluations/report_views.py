"""Report downloads: a run's PDF, CSV and XLSX, and the staff cohort export.

The CSV and the XLSX take milliseconds and are answered at once. The PDF is a ``ReportFile``
rendered on the reports queue (usually ahead of the first click: ``services.reports``); until
it is ready its URL shows the progress, and then answers with the file itself.

Access as everywhere: through ``enterprises.access`` first, the run fetched through its
enterprise; the builders (and the worker, for a PDF) check again.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from core.http import HTMX_STOP_POLLING, private_attachment, private_download, private_file
from enterprises import access
from evaluations.models import EvaluationRun, ReportFile
from evaluations.reports import tables
from evaluations.reports.data import Built
from evaluations.services import reports


def _succeeded_run(request: HttpRequest, pk: int, run_pk: int) -> EvaluationRun:
    """Members (any role) and staff; a run without a result (yet) is not found."""
    acc = access.enterprise_for_member(request.user, pk)
    return get_object_or_404(
        acc.enterprise.runs.select_related("scheme", "enterprise"),
        pk=run_pk,
        status=EvaluationRun.Status.SUCCEEDED,
    )


def _pdf(request: HttpRequest, run: EvaluationRun, *, retry: bool = False) -> ReportFile:
    return reports.report_file_request(
        run=run, user=request.user, language=get_language(), retry=retry
    )


@require_GET
def run_pdf(request: HttpRequest, pk: int, run_pk: int) -> HttpResponse:
    """Members and staff: the PDF report once it is ready, its progress until then."""
    run = _succeeded_run(request, pk, run_pk)
    try:
        report = _pdf(request, run)
    except ValidationError as error:  # too many renders asked for this minute
        messages.error(request, " ".join(error.messages))
        return redirect("evaluations:run", pk=pk, run_pk=run_pk)
    if report.is_ready:
        return private_file(report.file, report.filename, "application/pdf")
    return render(request, "evaluations/report_progress.html", _progress(run, report))


@require_GET
def run_pdf_status(request: HttpRequest, pk: int, run_pk: int) -> HttpResponse:
    """Members and staff: how far the PDF is (polled by htmx). Once ready, htmx is sent to the
    file itself, so the download starts without a second click."""
    run = _succeeded_run(request, pk, run_pk)
    try:
        report = _pdf(request, run)
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=HTMX_STOP_POLLING)
    response = render(request, "evaluations/report_progress_status.html", _progress(run, report))
    response["Cache-Control"] = "private, no-store"
    if report.is_ready and request.htmx:
        # The ready state replaces the polling card (so polling ends), and static/js/pdf-ready.js
        # starts the download once on this event: no second click, and never a second download
        # (an HX-Redirect to an attachment left the card polling and downloading every second).
        url = reverse("evaluations:run-pdf", args=[pk, run_pk])
        response["HX-Trigger"] = json.dumps({"pdf-ready": {"url": url}})
    elif report.is_failed and request.htmx:
        response.status_code = HTMX_STOP_POLLING
    return response


@require_POST
def run_pdf_retry(request: HttpRequest, pk: int, run_pk: int) -> HttpResponse:
    """Members and staff: prepare a PDF that failed again."""
    run = _succeeded_run(request, pk, run_pk)
    try:
        _pdf(request, run, retry=True)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("evaluations:run-pdf", pk=pk, run_pk=run_pk)


def _download(built: Built) -> HttpResponse:
    return private_download(built.content, built.filename, built.content_type)


def _progress(run: EvaluationRun, report: ReportFile) -> dict:
    """The progress templates name their links (the shared variant's are its own)."""
    args = [run.enterprise_id, run.pk]
    return {
        "enterprise": run.enterprise,
        "run": run,
        "report": report,
        "pdf_url": reverse("evaluations:run-pdf", args=args),
        "status_url": reverse("evaluations:run-pdf-status", args=args),
        "retry_url": reverse("evaluations:run-pdf-retry", args=args),
        "back_url": reverse("evaluations:run", args=args),
    }


@require_GET
def run_csv(request: HttpRequest, pk: int, run_pk: int) -> HttpResponse:
    """Members and staff: the summary and the indicator table as CSV."""
    run = _succeeded_run(request, pk, run_pk)
    return _download(tables.build_csv(run, user=request.user))


@require_GET
def run_xlsx(request: HttpRequest, pk: int, run_pk: int) -> HttpResponse:
    """Members and staff: the summary, the indicator table and the methodology as XLSX."""
    run = _succeeded_run(request, pk, run_pk)
    return _download(tables.build_xlsx(run, user=request.user))


@require_GET
def cohort_export(request: HttpRequest) -> StreamingHttpResponse:
    """Staff only (others 403): every enterprise's latest result, streamed as CSV."""
    if not request.user.is_staff:
        raise PermissionDenied
    response = StreamingHttpResponse(
        tables.cohort_csv(user=request.user), content_type=tables.CSV_TYPE
    )
    return private_attachment(response, tables.cohort_filename())
