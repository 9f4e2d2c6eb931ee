"""Report downloads: a run's PDF, CSV and XLSX, and the staff cohort export.

The CSV and the XLSX take milliseconds and are answered at once; the PDF takes a second or more
and is built by a worker (``evaluations.reports.pdf``), its progress shown meanwhile.

Every response is an attachment that no shared cache may keep (``Cache-Control: private,
no-store``) and that no browser may sniff into something else. Access as everywhere: through
``enterprises.access`` first, the run fetched through its enterprise; the builders check again.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from enterprises import access
from evaluations.models import EvaluationRun
from evaluations.models.assessments import private_storage
from evaluations.reports import Built, tables

HTMX_STOP_POLLING = 286  # htmx stops polling on this status


def _succeeded_run(request: HttpRequest, pk: int, run_pk: int) -> EvaluationRun:
    """Members (any role) and staff; a run without a result (yet) is not found."""
    acc = access.enterprise_for_member(request.user, pk)
    return get_object_or_404(
        acc.enterprise.runs.select_related("scheme", "enterprise"),
        pk=run_pk,
        status=EvaluationRun.Status.SUCCEEDED,
    )


def _private_attachment(response: HttpResponse, name: str) -> HttpResponse:
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _download(built: Built) -> HttpResponse:
    return _private_attachment(
        HttpResponse(built.content, content_type=built.content_type), built.filename
    )


@require_GET
def run_pdf(request: HttpRequest, pk: int, run_pk: int) -> HttpResponse:
    """Members and staff: the PDF report, built by a worker (about a second or more).

    Until the file is ready this URL shows the progress (polled by htmx, refreshed without
    JavaScript); once it is, the same URL answers with the file, until it expires.
    """
    from evaluations.reports import pdf  # imports WeasyPrint (about 1 s): only when asked for

    run = _succeeded_run(request, pk, run_pk)
    job = pdf.pdf_job_start(
        run, user=request.user, language=get_language(), retry="retry" in request.GET
    )
    if job.ready:
        response = FileResponse(
            private_storage().open(job.path, "rb"), content_type="application/pdf"
        )
        return _private_attachment(response, job.filename)
    return render(request, "evaluations/report_progress.html", _progress(request, run, job))


@require_GET
def run_pdf_status(request: HttpRequest, pk: int, run_pk: int) -> HttpResponse:
    """Members and staff: how far the PDF is (htmx polls it until it is ready or failed)."""
    from evaluations.reports import pdf

    run = _succeeded_run(request, pk, run_pk)
    job = pdf.pdf_job_start(run, user=request.user, language=get_language())
    response = render(
        request, "evaluations/report_progress_status.html", _progress(request, run, job)
    )
    response["Cache-Control"] = "private, no-store"
    if (job.ready or job.failed) and request.htmx:
        response.status_code = HTMX_STOP_POLLING
    return response


def _progress(request: HttpRequest, run: EvaluationRun, job) -> dict:
    from evaluations.reports import pdf

    return {
        "enterprise": run.enterprise,
        "run": run,
        "job": job,
        "minutes": int(pdf.lifetime().total_seconds() // 60),
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
    return _private_attachment(response, tables.cohort_filename())
