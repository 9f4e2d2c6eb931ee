"""The audit trail in the admin: read-only for everyone, superusers included.

django-auditlog registers an admin for the entry model; it is replaced by one that can neither
add, change nor delete (auditlog's would let a cascade delete entries), and whose search works
with this project's user model (no first or last name).

``TrailHistoryAdmin`` makes an object's History page show its audit trail entries instead of
Django's admin log, read the way the trail pages read them. There is nothing to revert: the
trail only records.
"""

from __future__ import annotations

from auditlog import admin as auditlog_admin
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.template.response import TemplateResponse
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from audit import trail
from audit.models import LogEntry

HISTORY_PAGE_SIZE = 50

admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class LogEntryAdmin(auditlog_admin.LogEntryAdmin):
    list_select_related = ["content_type", "actor", "enterprise"]
    search_fields = ["object_repr", "actor__email", "actor__full_name", "actor_email", "cid"]
    readonly_fields = [*auditlog_admin.LogEntryAdmin.readonly_fields, "remote_addr", "user_agent"]
    fieldsets = [
        *auditlog_admin.LogEntryAdmin.fieldsets,
        (_("From where"), {"fields": ["remote_addr", "user_agent"]}),
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class TrailHistoryAdmin(admin.ModelAdmin):
    """History shows the object's audit trail entries, newest first (staff who may view it)."""

    def history_entries(self, obj) -> QuerySet[LogEntry]:
        return LogEntry.objects.get_for_object(obj)

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        entries = self.history_entries(obj).select_related("actor", "content_type", "enterprise")
        page = Paginator(entries.order_by("-timestamp", "-id"), HISTORY_PAGE_SIZE).get_page(
            request.GET.get("p")
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Change history: %s") % obj,
            "subtitle": None,
            "module_name": str(capfirst(self.opts.verbose_name_plural)),
            "object": obj,
            "opts": self.opts,
            "page_obj": page,
            "rows": trail.describe(page.object_list),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/audit/object_history.html", context)
