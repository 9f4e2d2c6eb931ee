from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cbec_site import health
from enterprises import access
from evaluations import views as evaluation_views


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Public: booleans only, no secrets. 200 when the database, the cache, the broker and a
    worker on each queue hold, 503 (still JSON) when any fails, whatever it raised."""
    ok, checks = health.status()
    return JsonResponse({"status": "ok" if ok else "degraded", **checks}, status=200 if ok else 503)


@login_not_required
@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says; send them to the static icon."""
    return redirect(static("favicon.svg"), permanent=True)


@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    """A visitor gets the landing page; logged-in users land on their current enterprise, or on
    the list to create one."""
    if not request.user.is_authenticated:
        return evaluation_views.landing(request)
    enterprise = access.current_enterprise(request)
    if enterprise is not None:
        return redirect("evaluations:dashboard", pk=enterprise.pk)
    return redirect("enterprises:list")
