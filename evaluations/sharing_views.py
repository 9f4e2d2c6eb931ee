"""Sharing results with a partner or investor, and the public check page (PRODUCT.md sections
7, 10 and 11; issue 17). Each view's docstring states its access rule; ``enterprises.access``
enforces it.

- ``/enterprises/<id>/sharing/``: the owners' page, every grant (direct and a programme's);
- ``/shared/``: what is shared with the signed-in person now;
- ``/shared/<id>/<year>/<quarter>/``: the read-only result, and its shared report (PDF, CSV,
  XLSX), each file of its own per grant with a check code;
- ``/check/<code>/``: public, the figures a shared report's code names, or "withdrawn".
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import limits
from core.forms import add_service_error
from core.http import HTMX_STOP_POLLING, client_ip, private_download, private_file
from enterprises import access
from enterprises import services as enterprise_services
from enterprises.forms import GrantForm
from enterprises.models import Role
from evaluations import peers, recommend, selectors, verification
from evaluations.models import EvaluationRun, ReportFile, grade_label
from evaluations.models.assessments import period_label
from evaluations.reports import tables
from evaluations.services import reports

# --- The owners' page -----------------------------------------------------------------------


def _grant_rows(enterprise) -> list[dict]:
    """Every grant with what the page says of it: its periods read as people read them, and
    whether it is active, expired or revoked."""
    rows = []
    for grant in access.enterprise_grants(enterprise):
        if grant.revoked_at is not None:
            status, label = "revoked", pgettext("state of a grant", "revoked")
        elif grant.is_active:
            status, label = "active", pgettext("state of a grant", "active")
        else:
            status, label = "expired", pgettext("state of a grant", "expired")
        periods = [_period_of(key) for key in grant.periods]
        rows.append({"grant": grant, "status": status, "status_label": label, "periods": periods})
    return rows


def _period_of(key: str) -> str:
    """ "2026Q2" as "2026 Q2" / "2026年第二季度"."""
    try:
        year, quarter = key.split("Q")
        return period_label(int(year), int(quarter))
    except ValueError:
        return key


def sharing(request: HttpRequest, pk: int) -> HttpResponse:
    """Owners only (editors and viewers 403, outsiders 404): every grant of the enterprise, and
    the form to share chosen periods with a person or an organisation."""
    acc = access.enterprise_for_member(request.user, pk, role=Role.OWNER)
    periods = selectors.submitted_periods(acc.enterprise)
    form = GrantForm(
        request.POST or None,
        periods=periods,
        initial={"expires_on": enterprise_services.grant_default_expiry().date()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            grant = enterprise_services.grant_create(
                enterprise=acc.enterprise, by=request.user, **form.grant_data()
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("The results are now shared with %(who)s.") % {"who": grant.grantee_label},
            )
            return redirect("evaluations:sharing", pk=pk)
    return render(
        request,
        "evaluations/sharing.html",
        {
            "acc": acc,
            "enterprise": acc.enterprise,
            "rows": _grant_rows(acc.enterprise),
            "form": form,
            "has_periods": bool(periods),
        },
    )


@require_POST
def grant_revoke(request: HttpRequest, pk: int, grant_pk: int) -> HttpResponse:
    """Owners only: ends a grant at once (the page asks for confirmation first)."""
    acc = access.enterprise_for_member(request.user, pk, role=Role.OWNER)
    grant = access.grant_of(acc, grant_pk)
    try:
        enterprise_services.grant_revoke(grant=grant, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "%(who)s can no longer read the shared results. Files already downloaded stay "
                "with them; their check pages now say the report was withdrawn."
            )
            % {"who": grant.grantee_label},
        )
    return redirect("evaluations:sharing", pk=pk)


# --- The grantee's pages --------------------------------------------------------------------


@require_GET
def shared_list(request: HttpRequest) -> HttpResponse:
    """Any signed-in person: the results shared with them now (by their confirmed address or
    through an organisation they belong to)."""
    rows = []
    for grant in access.grants_shared_with(request.user).order_by("enterprise__name", "-pk"):
        periods = []
        for key in sorted(grant.periods, reverse=True):
            year, _q, quarter = key.partition("Q")
            if year.isdigit() and quarter.isdigit():
                periods.append((int(year), int(quarter), _period_of(key)))
        rows.append((grant, periods))
    return render(
        request,
        "evaluations/shared_list.html",
        {"rows": rows, "unconfirmed": not request.user.email_verified},
    )


def _shared(request: HttpRequest, pk: int, year: int, quarter: int):
    """The grant and the period's result: a grantee only (a former grantee 403, anyone else
    404); a period without a result yet: None."""
    found = access.shared_result(request.user, pk, year, quarter)
    return found, selectors.shared_run(found.enterprise, year, quarter)


def _succeeded(run: EvaluationRun | None) -> EvaluationRun:
    if run is None or run.status != EvaluationRun.Status.SUCCEEDED:
        raise Http404
    return run


@require_GET
def shared_result(request: HttpRequest, pk: int, year: int, quarter: int) -> HttpResponse:
    """Someone the period was shared with (``access.shared_result``): the read-only result,
    with its recommendations and peer position; evidence only when the grant includes it.
    No plan, no editing, no what-if. A former grantee: a page that explains (403)."""
    found, run = _shared(request, pk, year, quarter)
    enterprise_services.grant_viewed(grant=found.grant)
    context = {
        "enterprise": found.enterprise,
        "grant": found.grant,
        "period": period_label(year, quarter),
        "year": year,
        "quarter": quarter,
        "run": run,
        "shared": True,
        "stamps": verification.stamps_for(run.assessment_id) if run is not None else [],
    }
    if run is not None and run.status == EvaluationRun.Status.SUCCEEDED:
        page = selectors.run_page(run)
        position = peers.peer_position(run)
        advice = recommend.cached_recommendations(run, cohort=position.cohort)
        shortlist = recommend.shortlist(advice)
        context.update(
            page=page,
            position=position,
            box_chart=position.chart(),
            advice=shortlist,
            shown_advice=sum(len(group.items) for group in shortlist),
            more_advice=len(advice),
            rule=recommend.RULE,
            evidence=(
                run.assessment.evidence.order_by("indicator_code", "uploaded_at")
                if found.evidence
                else None
            ),
            indicators=selectors.reference()[1],
        )
    return render(request, "evaluations/shared_result.html", context)


def _urls(pk: int, year: int, quarter: int) -> dict:
    args = [pk, year, quarter]
    return {
        "pdf_url": reverse("sharing:pdf", args=args),
        "status_url": reverse("sharing:pdf-status", args=args),
        "retry_url": reverse("sharing:pdf-retry", args=args),
        "back_url": reverse("sharing:result", args=args),
    }


def _shared_pdf(request, found, run, *, retry=False) -> ReportFile:
    return reports.report_file_request(
        run=run, user=request.user, language=get_language(), grant=found.grant, retry=retry
    )


def _progress(found, run, report, pk, year, quarter) -> dict:
    return {"enterprise": found.enterprise, "run": run, "report": report, "shared": True} | _urls(
        pk, year, quarter
    )


@require_GET
def shared_pdf(request: HttpRequest, pk: int, year: int, quarter: int) -> HttpResponse:
    """A grantee: the shared PDF (no plan; evidence only if granted; its check address) once
    ready, its progress until then."""
    found, run = _shared(request, pk, year, quarter)
    run = _succeeded(run)
    try:
        report = _shared_pdf(request, found, run)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("sharing:result", pk=pk, year=year, quarter=quarter)
    enterprise_services.grant_viewed(grant=found.grant)
    if report.is_ready:
        return private_file(report.file, report.filename, "application/pdf")
    context = _progress(found, run, report, pk, year, quarter)
    return render(request, "evaluations/report_progress.html", context)


@require_GET
def shared_pdf_status(request: HttpRequest, pk: int, year: int, quarter: int) -> HttpResponse:
    """A grantee: how far the shared PDF is (polled by htmx)."""
    found, run = _shared(request, pk, year, quarter)
    run = _succeeded(run)
    try:
        report = _shared_pdf(request, found, run)
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=HTMX_STOP_POLLING)
    context = _progress(found, run, report, pk, year, quarter)
    response = render(request, "evaluations/report_progress_status.html", context)
    response["Cache-Control"] = "private, no-store"
    if report.is_ready and request.htmx:
        response["HX-Trigger"] = json.dumps({"pdf-ready": {"url": context["pdf_url"]}})
    elif report.is_failed and request.htmx:
        response.status_code = HTMX_STOP_POLLING
    return response


@require_POST
def shared_pdf_retry(request: HttpRequest, pk: int, year: int, quarter: int) -> HttpResponse:
    """A grantee: prepare a shared PDF that failed again."""
    found, run = _shared(request, pk, year, quarter)
    run = _succeeded(run)
    try:
        _shared_pdf(request, found, run, retry=True)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("sharing:pdf", pk=pk, year=year, quarter=quarter)


def _table(request, pk, year, quarter, kind, build) -> HttpResponse:
    found, run = _shared(request, pk, year, quarter)
    run = _succeeded(run)
    row = reports.shared_table_file(
        run=run, grant=found.grant, kind=kind, user=request.user, language=get_language()
    )
    built = build(run, user=request.user, grant_id=found.grant.pk, check_code=row.check_code)
    enterprise_services.grant_viewed(grant=found.grant)
    return private_download(built.content, built.filename, built.content_type)


@require_GET
def shared_csv(request: HttpRequest, pk: int, year: int, quarter: int) -> HttpResponse:
    """A grantee: the shared figures as CSV, with their check address."""
    return _table(request, pk, year, quarter, ReportFile.Kind.RUN_CSV, tables.build_csv)


@require_GET
def shared_xlsx(request: HttpRequest, pk: int, year: int, quarter: int) -> HttpResponse:
    """A grantee: the shared figures as XLSX, with their check address."""
    return _table(request, pk, year, quarter, ReportFile.Kind.RUN_XLSX, tables.build_xlsx)


# --- The check page (public) ----------------------------------------------------------------


@login_not_required
@require_GET
def report_check(request: HttpRequest, code: str) -> HttpResponse:
    """Public (no login; limited per client address): what a shared report's code names. The
    enterprise's name, the period, the overall score, the grade and the scheme version while
    its grant lasts; after it ended, only "withdrawn". An unknown code: 404."""
    if not limits.spend(limits.REPORT_CHECKS, client_ip(request) or "unknown"):
        return render(request, "429.html", {"message": limits.REPORT_CHECKS.message}, status=429)
    report = (
        ReportFile.objects.select_related("grant", "run__enterprise", "run__scheme")
        .filter(check_code=code, grant__isnull=False, run__isnull=False)
        .first()
    )
    if report is None:
        raise Http404
    run, grant = report.run, report.grant
    context = {
        "report": report,
        "code": code,
        "withdrawn": not grant.is_active or not grant.covers(run.year, run.quarter),
    }
    if not context["withdrawn"]:
        context.update(
            enterprise=run.enterprise,
            run=run,
            period=period_label(run.year, run.quarter),
            grade_meaning=_grade_meaning(run),
            scheme_label=run.scheme.label if run.scheme_id else run.scheme_slug,
            stamps=verification.stamps_for(run.assessment_id),
        )
    response = render(request, "evaluations/report_check.html", context)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _grade_meaning(run: EvaluationRun) -> str:
    bands = (run.scheme_snapshot or {}).get("grade_bands", [])
    band = next((b for b in bands if str(b.get("grade")) == run.grade), None)
    return grade_label(band.get("label", "")) if band else ""
