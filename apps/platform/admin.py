from allauth.account.admin import EmailAddressAdmin
from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from apps.accounts.models import ApprovalRequest
from apps.core.admin_sites import platform_admin_site
from apps.platform.models import PlatformSettings


@admin.register(PlatformSettings, site=platform_admin_site)
class PlatformSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "mode", "owner_organization"]

    def has_add_permission(self, request):
        return not PlatformSettings.objects.exists()


platform_admin_site.register(Group, GroupAdmin)

# allauth and DRF register on the default (organization) admin; the platform admin wants them too.
platform_admin_site.register(EmailAddress, EmailAddressAdmin)
platform_admin_site.register(TokenProxy, TokenAdmin)


@admin.register(ApprovalRequest, site=platform_admin_site)
class ApprovalRequestAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "operator_email", "organization_name", "subject_name", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["operator_email", "organization_name", "subject_name"]
