"""The API's records for staff: read-only (tokens are made and revoked by their owners; a
webhook by its enterprise's owners through the API)."""

from django.contrib import admin

from api.models import Delivery, Token, Webhook


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Token)
class TokenAdmin(ReadOnly):
    list_display = ("name", "prefix", "user", "scope", "created_at", "last_used_at", "revoked_at")
    list_filter = ("scope",)
    search_fields = ("name", "prefix", "user__email")
    exclude = ("digest",)


@admin.register(Webhook)
class WebhookAdmin(ReadOnly):
    list_display = ("url", "enterprise", "active", "created_at")
    search_fields = ("url", "enterprise__name")
    exclude = ("secret",)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = ("event", "webhook", "status", "attempts", "response_code", "created_at")
    list_filter = ("status", "event")
