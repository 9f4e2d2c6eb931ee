"""/api/v1/: every URL names its enterprise, as the site's pages do."""

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView

from api import docs, views

app_name = "api"
E = "enterprises/<id:pk>"


def open_(view):
    """DRF authenticates by token, not by session: the site's login redirect does not apply."""
    return login_not_required(view)


@csrf_exempt
@login_not_required
def not_found(request, rest: str):
    """Any other address under /api/v1/: a JSON 404, as the API's own are."""
    return JsonResponse({"detail": "Not found."}, status=404)


urlpatterns = [
    path("schema/", open_(SpectacularAPIView.as_view()), name="schema"),
    path("docs/", login_not_required(docs.docs), name="docs"),
    path("enterprises/", open_(views.EnterpriseList.as_view()), name="enterprises"),
    path(f"{E}/", open_(views.EnterpriseDetail.as_view()), name="enterprise"),
    path(f"{E}/assessments/", open_(views.AssessmentList.as_view()), name="assessments"),
    path(
        f"{E}/assessments/<id:assessment_pk>/",
        open_(views.AssessmentDetail.as_view()),
        name="assessment",
    ),
    path(
        f"{E}/assessments/<id:assessment_pk>/submit/",
        open_(views.AssessmentSubmit.as_view()),
        name="assessment-submit",
    ),
    path(f"{E}/runs/", open_(views.RunList.as_view()), name="runs"),
    path(f"{E}/runs/<id:run_pk>/", open_(views.RunDetail.as_view()), name="run"),
    path(
        f"{E}/runs/<id:run_pk>/report.<str:kind>",
        open_(views.RunReport.as_view()),
        name="run-report",
    ),
    path(f"{E}/grants/", open_(views.GrantList.as_view()), name="grants"),
    path(f"{E}/webhooks/", open_(views.WebhookList.as_view()), name="webhooks"),
    path(f"{E}/webhooks/<id:webhook_pk>/", open_(views.WebhookDetail.as_view()), name="webhook"),
    path(
        f"{E}/webhooks/<id:webhook_pk>/deliveries/",
        open_(views.DeliveryList.as_view()),
        name="deliveries",
    ),
    re_path(r"^(?P<rest>[\s\S]*)$", not_found),
]
