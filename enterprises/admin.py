from django.contrib import admin

from enterprises.models import Enterprise, Invitation, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "province", "size_band", "created_at")
    list_filter = ("operation_modes", "size_band", "province")
    search_fields = ("name", "credit_code")
    filter_horizontal = ("operation_modes", "innovation_directions")
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "enterprise", "role", "created_at", "expires_at", "accepted_at")
    list_select_related = ("enterprise",)
    search_fields = ("email", "enterprise__name")
    readonly_fields = ("token_hash",)
