"""The analyst's review page of a submission (PRODUCT.md section 11), under
/enterprises/<pk>/assessments/<assessment_pk>/verification/: ``<organisation_pk>/`` for an
organisation's review, ``platform/`` for the platform's (staff).

Access is ``enterprises.access.verifier_for``: an organisation's analysts act while it holds an
active grant covering the submission's period, staff act as the platform; the enterprise's
members (and the organisation's other members) read; a former grantee gets a page that explains
(403); anyone else a 404. The assessment is fetched through the enterprise in the URL.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from core.forms import add_service_error
from enterprises import access
from evaluations import selectors, verification
from evaluations.forms import VerificationForm
from evaluations.models import Assessment, EvaluationRun
from evaluations.services import verification as services

DONE = {
    VerificationForm.START: gettext_lazy(
        "The review has started. The enterprise's owners were told."
    ),
    VerificationForm.REQUEST: gettext_lazy(
        "The indicators were reopened for the enterprise, with your comment."
    ),
    VerificationForm.VERIFY: gettext_lazy("Verified. The stamp shows on the enterprise's result."),
    VerificationForm.REJECT: gettext_lazy("Marked not verified, with your reason."),
}


@require_http_methods(["GET", "POST"])
def review(
    request: HttpRequest, pk: int, assessment_pk: int, organisation_pk: int | None = None
) -> HttpResponse:
    """GET: whoever ``verifier_for`` lets read. POST (one step of the review): an analyst of the
    organisation with an active grant covering the period, or staff on the platform's page."""
    assessment = get_object_or_404(
        Assessment.objects.select_related("enterprise"), pk=assessment_pk, enterprise_id=pk
    )
    acc = access.verifier_for(request.user, assessment, organisation_pk=organisation_pk)
    if request.method == "POST" and not acc.may_act:
        raise PermissionDenied
    indicators = selectors.reference()[1]
    current = verification.verification_of(assessment, acc.organisation)
    form = VerificationForm(
        request.POST if request.method == "POST" else None, indicators=indicators.values()
    )
    if request.method == "POST" and form.is_valid():
        try:
            _act(form, assessment, acc, current, request.user)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, DONE[form.cleaned_data["action"]])
            return redirect(request.path)
    run = (
        assessment.runs.filter(
            origin=EvaluationRun.Origin.SUBMISSION, status=EvaluationRun.Status.SUCCEEDED
        )
        .order_by("-created_at", "-id")
        .first()
    )
    submitted = run.values if run else assessment.values
    values = [
        (indicator.localized("name"), submitted[code], indicator.localized("unit"))
        for code, indicator in indicators.items()
        if code in submitted
    ]
    return render(
        request,
        "evaluations/verification.html",
        {
            "assessment": assessment,
            "enterprise": assessment.enterprise,
            "acc": acc,
            "verifier": current.verifier_label if current else _verifier(acc),
            "current": current,
            "stamps": verification.stamps_for(assessment) if current else [],
            "history": verification.history(current),
            "run": run,
            "values": values,
            "form": form,
        },
    )


def _verifier(acc: access.VerifierAccess) -> str:
    return acc.organisation.name if acc.organisation else _("the platform")


def _act(form: VerificationForm, assessment, acc, current, user) -> None:
    action = form.cleaned_data["action"]
    if action == VerificationForm.START:
        services.verification_start(assessment=assessment, organisation=acc.organisation, by=user)
        return
    if current is None:
        raise ValidationError(_("Start the review first."))
    if action == VerificationForm.REQUEST:
        services.verification_request_information(
            verification=current,
            by=user,
            indicators=form.cleaned_data["indicators"],
            comment=form.cleaned_data["comment"],
        )
    elif action == VerificationForm.VERIFY:
        services.verification_verify(
            verification=current, by=user, comment=form.cleaned_data["comment"]
        )
    else:
        services.verification_reject(
            verification=current, by=user, reason=form.cleaned_data["reason"]
        )
