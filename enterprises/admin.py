from django.contrib import admin

from enterprises.models import (
    Enterprise,
    Grant,
    Invitation,
    Membership,
    Organisation,
    OrganisationMembership,
)


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


class OrganisationMembershipInline(admin.TabularInline):
    model = OrganisationMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """Staff create an organisation after checking who it is (PRODUCT.md section 10)."""

    list_display = ("name", "kind", "checked_by", "created_at")
    list_filter = ("kind",)
    search_fields = ("name",)
    readonly_fields = ("checked_by",)
    inlines = [OrganisationMembershipInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.checked_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    """Read-only: grants are the owners' to give and revoke, on their sharing page."""

    list_display = (
        "enterprise",
        "grantee_label",
        "source",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_viewed_at",
    )
    list_filter = ("source",)
    list_select_related = ("enterprise", "organisation")
    search_fields = ("enterprise__name", "email", "organisation__name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
