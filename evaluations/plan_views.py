"""The improvement plan's pages, under /enterprises/<pk>/. Each view's docstring states its
access rule; every view starts with ``enterprises.access.enterprise_for_member`` and fetches
what it shows through that enterprise, so another enterprise's id is a 404 like any unknown one.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.forms import add_service_error
from enterprises import access
from enterprises.models import Role
from evaluations import peers, plans, recommend
from evaluations.models import EvaluationRun
from evaluations.plan_forms import PlanActionForm, PlanAddForm, default_due_date
from evaluations.services import plans as plan_services


@require_GET
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    """Members (any role) and staff: every action of the enterprise's plan."""
    acc = access.enterprise_for_member(request.user, pk)
    access.remember(request, acc)
    return render(
        request,
        "evaluations/plan.html",
        {"acc": acc, "enterprise": acc.enterprise, "page": plans.plan_page(acc.enterprise)},
    )


@require_http_methods(["GET", "POST"])
def plan_add(request: HttpRequest, pk: int, run_pk: int) -> HttpResponse:
    """Editors and owners: add an item of a succeeded result's advice to the plan, with the
    points its what-if promises now (the same advice as the result page)."""
    acc = access.enterprise_for_member(request.user, pk, role=Role.EDITOR)
    run = get_object_or_404(
        acc.enterprise.runs.select_related("scheme", "enterprise"),
        pk=run_pk,
        status=EvaluationRun.Status.SUCCEEDED,
    )
    advice = recommend.cached_recommendations(run, cohort=peers.peer_position(run).cohort)
    planned = {
        action.recommendation.code: action
        for action in plans.actions(acc.enterprise).filter(
            planned_year=run.year, planned_quarter=run.quarter
        )
    }
    asked = request.GET.get("item", "")
    form = PlanAddForm(
        request.POST or None,
        advice=advice,
        enterprise=acc.enterprise,
        planned=set(planned),
        initial={
            "item": asked,
            "owner": request.user.pk,
            "due_date": default_due_date(run.year, run.quarter),
        },
    )
    existing = planned.get(asked)
    if request.method == "POST" and form.is_valid():
        chosen = form.advice
        try:
            action = plan_services.plan_action_add(
                run=run,
                recommendation=chosen.item,
                expected_points=chosen.points,
                change=chosen.change.as_dict() if chosen.change else None,
                owner=form.cleaned_data["owner"],
                due_date=form.cleaned_data["due_date"],
                user=request.user,
            )
        except plan_services.ActionExists as exists:
            form.add_error("item", exists)
            existing = exists.action
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("“%(title)s” was added to the plan, due %(due)s.")
                % {"title": action.title, "due": date_format(action.due_date, "DATE_FORMAT")},
            )
            return redirect("evaluations:plan", pk=acc.enterprise.pk)
    return render(
        request,
        "evaluations/plan_add.html",
        {
            "acc": acc,
            "enterprise": acc.enterprise,
            "run": run,
            "form": form,
            "existing": existing,
            "chosen": form.by_code.get(asked),
        },
    )


@require_http_methods(["GET", "POST"])
def plan_action(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    """Members (any role) and staff read an action; editors and owners change its status,
    owner and due date."""
    role = Role.EDITOR if request.method == "POST" else Role.VIEWER
    acc = access.enterprise_for_member(request.user, pk, role=role)
    action = get_object_or_404(plans.actions(acc.enterprise), pk=action_pk)
    form = PlanActionForm(request.POST or None, instance=action) if acc.can_edit else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            plan_services.plan_action_update(
                action=action,
                user=request.user,
                status=form.cleaned_data["status"],
                owner=form.cleaned_data["owner"],
                due_date=form.cleaned_data["due_date"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The action was saved."))
            return redirect("evaluations:plan", pk=acc.enterprise.pk)
    action.refresh_from_db()  # a refused change must not show as if it were saved
    latest = plans.latest_result(acc.enterprise)
    measured = None
    if latest is not None and (action.planned_year, action.planned_quarter) < (
        latest.year,
        latest.quarter,
    ):
        measured = plans.review(action, latest, plans.later_rows(latest))
    return render(
        request,
        "evaluations/plan_action.html",
        {
            "acc": acc,
            "enterprise": acc.enterprise,
            "action": action,
            "form": form,
            "review": measured,
            "what_if": plans.change_line(action),
            "indicator": plans.indicator_name(action.indicator_code),
            "owner": plans.owner_name(action),
        },
    )
