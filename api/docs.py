"""The API's readable documentation: Swagger UI from the site's own static files
(drf-spectacular-sidecar), started by ``static/js/api-docs.js``: no CDN, no inline script, so
the site's Content-Security-Policy holds unchanged."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def docs(request: HttpRequest) -> HttpResponse:
    """Public, like the schema it reads: it names no enterprise and holds no data."""
    return render(request, "api/docs.html")
