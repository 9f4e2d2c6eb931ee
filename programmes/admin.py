from django.contrib import admin

from programmes.models import (
    CohortReport,
    ImportedDraft,
    Invitee,
    OrganisationInvitation,
    Programme,
    ReminderSent,
)


@admin.register(OrganisationInvitation)
class OrganisationInvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "organisation", "role", "created_at", "expires_at", "accepted_at")
    list_select_related = ("organisation",)
    search_fields = ("email", "organisation__name")
    readonly_fields = ("token_hash",)


class InviteeInline(admin.TabularInline):
    model = Invitee
    extra = 0
    fields = ("name", "credit_code", "email", "enterprise", "status", "grant", "invited_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    """Programmes are their organisation's managers' to run; staff look."""

    list_display = ("name", "organisation", "scheme", "deadline", "created_at")
    list_select_related = ("organisation", "scheme")
    list_filter = ("organisation__kind",)
    search_fields = ("name", "organisation__name")
    readonly_fields = ("created_by", "created_at")
    inlines = [InviteeInline]


@admin.register(Invitee)
class InviteeAdmin(admin.ModelAdmin):
    """Read-only: joining and declining are the enterprise owner's acts."""

    list_display = ("name", "programme", "status", "enterprise", "invited_at", "responded_at")
    list_select_related = ("programme", "enterprise")
    list_filter = ("status",)
    search_fields = ("name", "credit_code", "email", "programme__name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReminderSent)
class ReminderSentAdmin(admin.ModelAdmin):
    list_display = ("invitee", "day", "sent_at")
    list_select_related = ("invitee__programme",)
    search_fields = ("invitee__name", "invitee__programme__name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ImportedDraft)
class ImportedDraftAdmin(admin.ModelAdmin):
    list_display = ("assessment", "programme", "imported_by", "imported_at")
    list_select_related = ("assessment__enterprise", "programme")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CohortReport)
class CohortReportAdmin(admin.ModelAdmin):
    list_display = ("programme", "period", "language", "status", "requested_at", "expires_at")
    list_select_related = ("programme",)
    list_filter = ("status",)
    readonly_fields = ("key", "stamp")
