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
    CHECKLIST_SHORT_LABELS,
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
    latest = acc.enterprise.assessments.order_by("-year", "-quarter").first()
    form = PeriodForm(
        request.POST or None,
        initial=_next_period(latest),
        today=timezone.localdate(),
        latest=latest,
    )
    existing = None
    if request.method == "POST" and form.is_valid():
        existing = acc.enterprise.assessments.filter(
            year=form.cleaned_data["year"], quarter=form.cleaned_data["quarter"]
        ).first()
        if existing is not None:
            form.add_error(
                "quarter", _("This enterprise already has an assessment for this period.")
            )
        else:
            try:
                assessment = assessment_services.assessment_create(
                    enterprise=acc.enterprise,
                    user=request.user,
                    year=form.cleaned_data["year"],
                    quarter=form.cleaned_data["quarter"],
                    prefill=form.cleaned_data.get("prefill", False),
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The assessment has been created; enter its values."))
                return redirect("evaluations:assessment", pk=pk, assessment_pk=assessment.pk)
    return render(
        request,
        "evaluations/assessment_new.html",
        {"acc": acc, "enterprise": acc.enterprise, "form": form, "existing": existing},
    )


def _next_period(latest: Assessment | None) -> dict:
    """The quarter after the latest assessment, or the current quarter for the first one."""
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
    form, asking = _assessment_form(
        assessment, indicators, request.POST if request.method == "POST" else None
    )
    if request.method == "POST":
        if not assessment.is_draft:
            latest = assessment.runs.order_by("-created_at", "-id").first()
            if "submit" in request.POST and latest is not None:
                # The same submission sent twice (a double click, a resent form): its result.
                messages.info(request, _("This assessment has already been submitted."))
                return redirect("evaluations:run", pk=pk, run_pk=latest.pk)
            messages.error(request, _("This assessment was submitted; reopen it to change it."))
            return redirect("evaluations:assessment", pk=pk, assessment_pk=assessment.pk)
        if form.is_valid():
            response = _save_or_submit(request, acc, assessment, form)
            if response is not None:
                return response
    return _detail_page(request, acc, assessment, form, indicators, asking)


def _assessment_form(assessment, indicators, data) -> tuple[AssessmentForm, object]:
    """The form, locked to the indicators a verifier reopened, and what the verifier asks."""
    form = AssessmentForm(
        data, initial=AssessmentForm.initial_for(assessment), indicators=indicators
    )
    opened, asking = verification.reopened_for_enterprise(assessment)
    if opened is not None:
        form.lock_except(opened)
    return form, asking


def _detail_page(request, acc, assessment, form, indicators, asking) -> HttpResponse:
    editable = assessment.is_draft and acc.can_edit
    scheme = default_scheme()
    rows = _scheme_rows()
    form.describe(rows)  # help texts only when the form is shown
    runs = assessment.runs.select_related("scheme").order_by("-created_at", "-id")
    filled = form.filled_count()
    progress = _("%(filled)s of %(total)s indicators filled")
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
            "scheme": scheme,
            "guidance": {i.code: guidance.indicator_guidance(i.code) for i in indicators},
            "filled": filled,
            "progress_format": progress,  # the script fills it in as the person types
            "progress_text": progress % {"filled": filled, "total": len(indicators)},
            "evidence": {e.indicator_code: e for e in assessment.evidence.all()},
            "evidence_form": EvidenceForm(indicators=indicators) if editable else None,
            "checklist": complete_checklist(assessment.env_checklist),
            "checklist_labels": CHECKLIST_SHORT_LABELS,
            "asking": asking,
            "stamps": [] if asking else verification.stamps_for(assessment),
        },
    )


def _save_or_submit(request, acc, assessment, form) -> HttpResponse | None:
    """Save the draft and, when asked, submit it: one commit; a refused submission still
    keeps the saved draft (the submission alone rolls back to its savepoint)."""
    submit = "submit" in request.POST
    with transaction.atomic():
        assessment = _save_draft(request, assessment, form)
        if assessment is None:
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
                form.add_error(None, _("The draft was saved, but it cannot be submitted yet."))
                add_service_error(form, error)
                return None
    if not submit:
        messages.success(request, _("Draft saved."))
        return redirect("evaluations:assessment", pk=acc.enterprise.pk, assessment_pk=assessment.pk)
    messages.success(request, _("Submitted. The evaluation is being computed."))
    return redirect("evaluations:run", pk=acc.enterprise.pk, run_pk=run.pk)


def _save_draft(request, assessment, form) -> Assessment | None:
    """The draft as the (valid) form holds it, or None with the service's error on the form."""
    try:
        return assessment_services.assessment_save(
            assessment=assessment,
            user=request.user,
            values=form.values(),
            env_mode=form.cleaned_data["env_mode"],
            env_checklist=form.checklist(),
        )
    except ValidationError as error:
        add_service_error(form, error)
        return None


def _save_posted_values(request, acc, assessment) -> HttpResponse | None:
    """An evidence button posts with the assessment form (issue 15: typed values were lost):
    save what was typed as the draft first. A page with the form's errors when it cannot be."""
    if "env_mode" not in request.POST and "with_values" not in request.POST:
        return None  # a client posting the evidence alone
    indicators = _indicators()
    form, asking = _assessment_form(assessment, indicators, request.POST)
    if form.is_valid() and _save_draft(request, assessment, form) is not None:
        return None
    messages.error(request, _("Correct the values marked below first; nothing was attached."))
    return _detail_page(request, acc, assessment, form, indicators, asking)


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
        {
            "checklist": complete_checklist(form.checklist()),
            "assessment": assessment,
            "checklist_labels": CHECKLIST_SHORT_LABELS,
        },
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
            request,
            _(
                "The assessment is a draft again. Submitting it makes a new evaluation; the "
                "earlier ones stay as they were."
            ),
        )
    return redirect("evaluations:assessment", pk=pk, assessment_pk=assessment.pk)


def assessment_delete(request: HttpRequest, pk: int, assessment_pk: int) -> HttpResponse:
    """Editors and owners: GET asks for confirmation, POST deletes a draft never evaluated."""
    acc = access.enterprise_for_member(request.user, pk, role=Role.EDITOR)
    assessment = _assessment(acc, assessment_pk)
    if request.method == "POST":
        try:
            assessment_services.assessment_delete(assessment=assessment, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("evaluations:assessment", pk=pk, assessment_pk=assessment.pk)
        messages.success(
            request,
            _("The draft of %(period)s has been deleted.") % {"period": assessment.period},
        )
        return redirect("evaluations:dashboard", pk=pk)
    return render(
        request,
        "evaluations/assessment_delete.html",
        {"acc": acc, "enterprise": acc.enterprise, "assessment": assessment},
    )


@require_POST
def evidence_upload(request: HttpRequest, pk: int, assessment_pk: int) -> HttpResponse:
    """Editors and owners: attach a file to one indicator of a draft."""
    acc = access.enterprise_for_member(request.user, pk, role=Role.EDITOR)
    assessment = _assessment(acc, assessment_pk)
    if assessment.is_draft and (page := _save_posted_values(request, acc, assessment)):
        return page
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
    if assessment.is_draft and (page := _save_posted_values(request, acc, assessment)):
        return page
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
    indicators = selectors.run_reference(run)[1]
    form = WhatIfForm(
        request.POST, indicators=[indicators[c] for c in run.values if c in indicators]
    )
    comparison = None
    if form.is_valid():
        try:
            comparison = selectors.compare_results(
                run_result(run), run_result(run, form.cleaned_data), selectors.run_reference(run)
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
            "comparison": selectors.compare_results(
                run_result(run), compared, selectors.run_reference(run)
            ),
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
