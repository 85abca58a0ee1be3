from django.contrib import admin
from django_tenants.admin import TenantAdminMixin

from apps.core.admin_sites import platform_admin_site
from apps.tenancy.models import Domain, Organization


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Organization, site=platform_admin_site)
class OrganizationAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "schema_name", "status", "created_at", "provisioned_at"]
    list_filter = ["status"]
    search_fields = ["name", "slug", "schema_name"]
    readonly_fields = ["schema_name", "status", "failure_reason", "template_schema", "provisioned_at"]
    inlines = [DomainInline]

    def has_add_permission(self, request):
        # Organizations are provisioned by the signup flow or `create_organization`.
        return False
