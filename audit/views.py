"""The audit trail pages. Each view's docstring states its access rule; ``access`` enforces it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from audit import export, trail
from audit.forms import TrailFilterForm
from core.http import private_download
from enterprises import access
from enterprises.models import Role

PAGE_SIZE = 50


@require_GET
def enterprise_trail(request: HttpRequest, pk: int) -> HttpResponse:
    """Owners only (editors and viewers 403, outsiders 404): the enterprise's trail. Staff read
    it, and every other, on the staff trail."""
    acc = access.enterprise_for_member(request.user, pk, role=Role.OWNER)
    form = TrailFilterForm(request.GET or None, entries=trail.entries(acc.enterprise))
    return _page(request, form, {"acc": acc, "enterprise": acc.enterprise})


@require_GET
def enterprise_trail_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """Owners only, as the page: the filtered entries as XLSX."""
    acc = access.enterprise_for_member(request.user, pk, role=Role.OWNER)
    form = TrailFilterForm(request.GET or None, entries=trail.entries(acc.enterprise))
    return private_download(*export.xlsx(form.filtered(), enterprise=acc.enterprise))


def _require_staff(request: HttpRequest) -> None:
    if not request.user.is_staff:
        raise PermissionDenied


@require_GET
def staff_trail(request: HttpRequest) -> HttpResponse:
    """Staff only (others 403): every enterprise's trail and the platform's own entries."""
    _require_staff(request)
    form = TrailFilterForm(request.GET or None, entries=trail.entries(), staff=True)
    return _page(request, form, {})


@require_GET
def staff_trail_xlsx(request: HttpRequest) -> HttpResponse:
    """Staff only, as the page: the filtered entries as XLSX."""
    _require_staff(request)
    form = TrailFilterForm(request.GET or None, entries=trail.entries(), staff=True)
    return private_download(*export.xlsx(form.filtered(), enterprise=None))


def _page(request: HttpRequest, form: TrailFilterForm, context: dict) -> HttpResponse:
    page = Paginator(form.filtered(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/trail.html",
        {
            **context,
            "form": form,
            "page_obj": page,
            "rows": trail.describe(page.object_list),
            "title": _("Audit trail"),
        },
    )
