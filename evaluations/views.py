"""Assessment and result pages. Each view's docstring states its access rule.

Every view starts with ``enterprises.access.enterprise_for_member`` and fetches what it shows
through that enterprise, so an id from another enterprise is a 404 like any unknown id.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.forms import add_service_error
from core.http import HTMX_STOP_POLLING, private_file
from enterprises import access
from enterprises.models import Role
from evaluations import formatting, guidance, peers, plans, recommend, selectors, verification
from evaluations.forms import (
    CHECKLIST_LABELS,
    AssessmentForm,
    CompareForm,
    EvidenceForm,
    PeriodForm,
    WhatIfForm,
)
from evaluations.models import Assessment, EvaluationRun, Indicator, grade_label
from evaluations.models.assessments import next_period
from evaluations.scoring import ScoringError
from evaluations.scoring.checklist import ITEMS as CHECKLIST_ITEMS
from evaluations.scoring.checklist import complete_checklist
from evaluations.services import assessments as assessment_services
from evaluations.services import default_scheme, scheme_score
from evaluations.services.runs import run_result


def _assessment(acc: access.EnterpriseAccess, assessment_pk: int) -> Assessment:
    return get_object_or_404(acc.enterprise.assessments, pk=assessment_pk)


def _run(acc: access.EnterpriseAccess, run_pk: int) -> EvaluationRun:
    return get_object_or_404(
        acc.enterprise.runs.select_related("assessment", "scheme", "created_by"), pk=run_pk
    )


def _succeeded(acc: access.EnterpriseAccess, run_pk: int) -> EvaluationRun:
    run = _run(acc, run_pk)
    if run.status != EvaluationRun.Status.SUCCEEDED:
        raise Http404
    return run


def _indicators() -> list[Indicator]:
    return list(selectors.reference()[1].values())


def _scheme_rows() -> dict:
    scheme = default_scheme()
    if scheme is None:
        return {}
    return {row.indicator.code: row for row in scheme.rows.select_related("indicator")}


@login_not_required
@require_GET
def methodology(request: HttpRequest) -> HttpResponse:
    """Public: how a score is calculated, which numbers are the paper's and which are this
    product's choices, and where each bound comes from (the default scheme as it is now)."""
    scheme = default_scheme()
    rows = scheme.rows.select_related("indicator__dimension") if scheme else []
    indicators = sorted(rows, key=lambda r: (r.indicator.dimension.order, r.indicator.order))
    return render(
        request,
        "evaluations/methodology.html",
        {
            "text": guidance.methodology(),
            "scheme": scheme,
            "rows": [(row, guidance.indicator_guidance(row.indicator.code)) for row in indicators],
            "bands": [(b, grade_label(b.label)) for b in scheme.grade_band_specs()]
            if scheme
            else [],
            "checklist": guidance.indicator_guidance("environmental_impact_score"),
            "checklist_items": [
                (CHECKLIST_LABELS[key], kind, factor) for key, kind, factor in CHECKLIST_ITEMS
            ],
        },
    )


@login_not_required
@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    """Public: what the tool does, for whom, what it asks and gives, with an example result
    scored by the engine under the default scheme (issue 15: a visitor got a bare login form)."""
    scheme = default_scheme()
    sample = None
    if scheme is not None:
        result = scheme_score(scheme=scheme, values=selectors.SAMPLE_VALUES)
        sample = selectors.sample_result(result, scheme)
    return render(request, "landing.html", {"scheme": scheme, "sample": sample})


@require_GET
def dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    """Members (any role) and staff: assessments by period and the trend of scores."""
    acc = access.enterprise_for_member(request.user, pk)
    access.remember(request, acc)
    return render(
        request,
        "evaluations/dashboard.html",
        {
            "acc": acc,
            "enterprise": acc.enterprise,
            "board": selectors.dashboard(acc.enterprise, default_scheme()),
        },
    )


def assessment_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Editors and owners: a new assessment for a period."""
    acc = access.enterprise_for_member(request.user, pk, role=Role.EDITOR)
    form = PeriodForm(request.POST or None, initial=_next_period(acc.enterprise))
    if request.method == "POST" and form.is_valid():
        try:
            assessment = assessment_services.assessment_create(
                enterprise=acc.enterprise,
                user=request.user,
                year=form.cleaned_data["year"],
                quarter=form.cleaned_data["quarter"],
                prefill=form.cleaned_data["prefill"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The assessment has been created; enter its values."))
            return redirect("evaluations:assessment", pk=pk, assessment_pk=assessment.pk)
    return render(
        request,
        "evaluations/assessment_new.html",
        {"acc": acc, "enterprise": acc.enterprise, "form": form},
    )


def _next_period(enterprise) -> dict:
    """The quarter after the latest assessment, or the current quarter for the first one."""
    latest = enterprise.assessments.order_by("-year", "-quarter").first()
    if latest is None:
        today = timezone.localdate()
        return {"year": today.year, "quarter": (today.month - 1) // 3 + 1}
    year, quarter = next_period(latest.year, latest.quarter)
    return {"year": year, "quarter": quarter}


def assessment_detail(request: HttpRequest, pk: int, assessment_pk: int) -> HttpResponse:
    """GET: members and staff (a draft is a form for editors and owners, read-only to others).
    POST (save a draft or submit it): editors and owners."""
    role = Role.EDITOR if request.method == "POST" else Role.VIEWER
    acc = access.enterprise_for_member(request.user, pk, role=role)
    assessment = _assessment(acc, assessment_pk)
    indicators = _indicators()
    editable = assessment.is_draft and acc.can_edit
    form = AssessmentForm(
        request.POST if request.method == "POST" else None,
        initial=AssessmentForm.initial_for(assessment),
        indicators=indicators,
    )
    opened, asking = verification.reopened_for_enterprise(assessment)
    if opened is not None:
        form.lock_except(opened)
    if request.method == "POST":
        if not assessment.is_draft:
            messages.error(request, _("This assessment was submitted; reopen it to change it."))
            return redirect("evaluations:assessment", pk=pk, assessment_pk=assessment.pk)
        if form.is_valid():
            response = _save_or_submit(request, acc, assessment, form)
            if response is not None:
                return response
    form.describe(_scheme_rows())  # help texts only when the form is shown
    runs = assessment.runs.select_related("scheme").order_by("-created_at", "-id")
    return render(
        request,
        "evaluations/assessment_detail.html",
        {
            "acc": acc,
            "enterprise": acc.enterprise,
            "assessment": assessment,
            "form": form,
            "editable": editable,
            "indicators": indicators,
            "runs": runs,
            "evidence": {e.indicator_code: e for e in assessment.evidence.all()},
            "evidence_form": EvidenceForm(indicators=indicators) if editable else None,
            "checklist": complete_checklist(assessment.env_checklist),
            "asking": asking,
            "stamps": [] if asking else verification.stamps_for(assessment),
        },
    )


def _save_or_submit(request, acc, assessment, form) -> HttpResponse | None:
    """Save the draft and, when asked, submit it: one commit; a refused submission still
    keeps the saved draft (the submission alone rolls back to its savepoint)."""
    submit = "submit" in request.POST
    with transaction.atomic():
        try:
            assessment = assessment_services.assessment_save(
                assessment=assessment,
                user=request.user,
                values=form.values(),
                env_mode=form.cleaned_data["env_mode"],
                env_checklist=form.checklist(),
            )
        except ValidationError as error:
            add_service_error(form, error)
            return None
        if submit:
            try:
                with transaction.atomic():
                    run = assessment_services.assessment_submit(
                        assessment=assessment,
                        user=request.user,
                        confirm_warnings=form.cleaned_data["confirm_warnings"],
                    )
            except assessment_services.PlausibilityUnconfirmed as unconfirmed:
                form.warnings = _warning_lines(unconfirmed.warnings)
                return None
            except ValidationError as error:
                add_service_error(form, error)
                form.add_error(None, _("The draft was saved, but it cannot be submitted yet."))
                return None
    if not submit:
        messages.success(request, _("Draft saved."))
        return redirect("evaluations:assessment", pk=acc.enterprise.pk, assessment_pk=assessment.pk)
    messages.success(request, _("Submitted. The evaluation is being computed."))
    return redirect("evaluations:run", pk=acc.enterprise.pk, run_pk=run.pk)


def _warning_lines(warnings) -> list[tuple[str, str]]:
    """Each plausibility warning as (what it is about, what to check), in human words."""
    indicators = selectors.reference()[1]
    lines = []
    for warning in warnings:
        indicator = indicators.get(warning.field)
        if indicator is None:
            lines.append((_("All values"), _("Every value given is 0. Check that the entry is "
                                               "complete, and mark a value you do not have as "
                                               "not available rather than 0.")))  # fmt: skip
        else:
            lines.append(
                (
                    indicator.localized("name"),
                    _(
                        "%(value)s %(unit)s is more than is plausible (up to %(max)s). Check the "
                        "value and its unit."
                    )  # fmt: skip
                    % {
                        "value": formatting.plain(warning.value),
                        "unit": indicator.localized("unit"),
                        "max": formatting.plain(warning.limit),
                    },
                )
            )
    return lines


@require_POST
def checklist_preview(request: HttpRequest, pk: int, assessment_pk: int) -> HttpResponse:
    """Editors and owners: the checklist's arithmetic for the answers in the form (htmx)."""
    acc = access.enterprise_for_member(request.user, pk, role=Role.EDITOR)
    assessment = _assessment(acc, assessment_pk)
    form = AssessmentForm(request.POST, indicators=_indicators())
    form.is_valid()  # the checklist fields are cleaned even when other fields are not
    return render(
        request,
        "evaluations/_checklist.html",
        {"checklist": complete_checklist(form.checklist()), "assessment": assessment},
    )


@require_POST
def assessment_reopen(request: HttpRequest, pk: int, assessment_pk: int) -> HttpResponse:
    """Editors and owners: back to a draft; earlier runs stay as they were."""
    acc = access.enterprise_for_member(request.user, pk, role=Role.EDITOR)
    assessment = _assessment(acc, assessment_pk)
    try:
        assessment_services.assessment_reopen(assessment=assessment, user=request.user)
    except ValidationError as error:  # under review by an organisation
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The assessment is a draft again. Submitting it makes a new run.")
        )
    return redirect("evaluations:assessment", pk=pk, assessment_pk=assessment.pk)


@require_POST
def evidence_upload(request: HttpRequest, pk: int, assessment_pk: int) -> HttpResponse:
    """Editors and owners: attach a file to one indicator of a draft."""
    acc = access.enterprise_for_member(request.user, pk, role=Role.EDITOR)
    assessment = _assessment(acc, assessment_pk)
    form = EvidenceForm(request.POST, request.FILES, indicators=_indicators())
    if form.is_valid():
        try:
            assessment_services.evidence_attach(
                assessment=assessment,
                user=request.user,
                indicator_code=form.cleaned_data["indicator_code"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The file has been attached."))
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return redirect("evaluations:assessment", pk=pk, assessment_pk=assessment.pk)


@require_GET
def evidence_download(request: HttpRequest, pk: int, assessment_pk: int, evidence_pk: int):
    """Members and staff: the file, as an attachment, never cached by a shared cache."""
    acc = access.enterprise_for_member(request.user, pk)
    assessment = _assessment(acc, assessment_pk)
    evidence = get_object_or_404(assessment.evidence, pk=evidence_pk)
    return private_file(evidence.file, evidence.original_name, evidence.content_type)


@require_POST
def evidence_delete(request: HttpRequest, pk: int, assessment_pk: int, evidence_pk: int):
    """Editors and owners: remove a file from a draft."""
    acc = access.enterprise_for_member(request.user, pk, role=Role.EDITOR)
    assessment = _assessment(acc, assessment_pk)
    evidence = get_object_or_404(assessment.evidence.select_related("assessment"), pk=evidence_pk)
    try:
        assessment_services.evidence_delete(evidence=evidence)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The file has been removed."))
    return redirect("evaluations:assessment", pk=pk, assessment_pk=assessment.pk)


@require_GET
def run_detail(request: HttpRequest, pk: int, run_pk: int) -> HttpResponse:
    """Members and staff: a run's status and, once it succeeded, its result."""
    acc = access.enterprise_for_member(request.user, pk)
    run = _run(acc, run_pk)
    page = selectors.run_page(run)
    context = {
        "acc": acc,
        "enterprise": acc.enterprise,
        "run": run,
        "page": page,
        "stamps": verification.stamps_for(run.assessment_id),
    }
    if run.status == EvaluationRun.Status.SUCCEEDED:
        position = peers.peer_position(run)
        advice = recommend.cached_recommendations(run, cohort=position.cohort)
        shortlist = recommend.shortlist(advice)
        context.update(
            position=position,
            box_chart=position.chart(),
            advice=shortlist,
            shown_advice=sum(len(group.items) for group in shortlist),
            more_advice=len(advice),
            rule=recommend.RULE,
            what_if_form=WhatIfForm(
                initial=run.values, indicators=[line.indicator for line in page.indicators]
            ),
            compare_form=CompareForm(run=run),
            plan=plans.run_plan(run),
        )
    return render(request, "evaluations/run_detail.html", context)


@require_POST
def run_what_if(request: HttpRequest, pk: int, run_pk: int) -> HttpResponse:
    """Members and staff: the run re-scored with changed values; nothing is saved (htmx)."""
    acc = access.enterprise_for_member(request.user, pk)
    run = _succeeded(acc, run_pk)
    indicators = selectors.reference()[1]
    form = WhatIfForm(
        request.POST, indicators=[indicators[c] for c in run.values if c in indicators]
    )
    comparison = None
    if form.is_valid():
        try:
            comparison = selectors.compare_results(
                run_result(run), run_result(run, form.cleaned_data)
            )
        except ScoringError as error:
            for code, problem in error.errors.items():
                form.add_error(code if code in form.fields else None, problem)
    return render(
        request,
        "evaluations/_what_if.html" if request.htmx else "evaluations/what_if_page.html",
        {"run": run, "enterprise": acc.enterprise, "form": form, "comparison": comparison},
    )


@require_GET
def run_compare(request: HttpRequest, pk: int, run_pk: int) -> HttpResponse:
    """Members and staff: the same values under another published scheme, computed on demand
    and never stored over the original run."""
    acc = access.enterprise_for_member(request.user, pk)
    run = _succeeded(acc, run_pk)
    form = CompareForm(request.GET, run=run)
    if not form.is_valid():
        messages.error(request, _("Choose a published scheme to compare with."))
        return redirect("evaluations:run", pk=pk, run_pk=run.pk)
    other = form.cleaned_data["scheme"]
    try:
        compared = scheme_score(scheme=other, values=run.values)
    except ScoringError as error:
        messages.error(request, _("This scheme cannot score these values: %s") % error)
        return redirect("evaluations:run", pk=pk, run_pk=run.pk)
    return render(
        request,
        "evaluations/run_compare.html",
        {
            "acc": acc,
            "enterprise": acc.enterprise,
            "run": run,
            "other": other,
            "comparison": selectors.compare_results(run_result(run), compared),
        },
    )


@require_GET
def run_status(request: HttpRequest, pk: int, run_pk: int) -> HttpResponse:
    """Members and staff: the status badge, polled by htmx until the run has finished."""
    acc = access.enterprise_for_member(request.user, pk)
    run = get_object_or_404(
        acc.enterprise.runs.only("id", "status", "error", "enterprise_id"), pk=run_pk
    )
    response = render(
        request, "evaluations/_run_status.html", {"run": run, "enterprise": acc.enterprise}
    )
    if run.status == EvaluationRun.Status.SUCCEEDED and request.htmx:
        response["HX-Refresh"] = "true"  # reload: the full result replaces the waiting page
    elif run.is_finished and request.htmx:
        response.status_code = HTMX_STOP_POLLING
    return response
