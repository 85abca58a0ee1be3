from django.contrib import admin

from apps.operators.models import ConfigurationPermission, Invitation, SalePermission


@admin.register(ConfigurationPermission)
class ConfigurationPermissionAdmin(admin.ModelAdmin):
    list_display = ["operator", "organizer", "granted_by", "created_at"]
    list_filter = ["organizer"]
    search_fields = ["operator__email"]


@admin.register(SalePermission)
class SalePermissionAdmin(admin.ModelAdmin):
    list_display = ["operator", "distribution", "granted_by", "created_at"]
    list_filter = ["distribution__organizer"]
    search_fields = ["operator__email"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at"]
    search_fields = ["email"]
    filter_horizontal = ["organizers", "distributions"]
