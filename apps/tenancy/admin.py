from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_tenants.admin import TenantAdminMixin

from apps.core.admin_sites import platform_admin_site
from apps.tenancy.models import Domain, Organization
from apps.tenancy.selectors import check_error_message, routes_changed


class DropsRoutes:
    """The admin writes domains and organizations itself (no service does it for a platform
    admin's edit): it drops the cached routes as the services do, in the same request."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        routes_changed()

    def save_related(self, request, form, formsets, change):  # the organization's domains
        super().save_related(request, form, formsets, change)
        routes_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        routes_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        routes_changed()


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Organization, site=platform_admin_site)
class OrganizationAdmin(DropsRoutes, TenantAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "schema_name", "status", "created_at", "provisioned_at"]
    list_filter = ["status"]
    search_fields = ["name", "slug", "schema_name"]
    readonly_fields = ["schema_name", "status", "failure_reason", "template_schema", "provisioned_at"]
    inlines = [DomainInline]

    def has_add_permission(self, request):
        # Organizations are provisioned by the signup flow or `create_organization`.
        return False


@admin.register(Domain, site=platform_admin_site)
class DomainAdmin(DropsRoutes, admin.ModelAdmin):
    """Every host name, with the state of clients' own domains: a platform admin can free a
    domain someone added and never verified."""

    list_display = ["domain", "tenant", "organizer_slug", "is_custom", "verified_at", "last_checked_at"]
    list_filter = ["is_custom", ("verified_at", admin.EmptyFieldListFilter)]
    search_fields = ["domain", "organizer_slug", "tenant__name"]
    list_select_related = ["tenant"]
    readonly_fields = [
        "verification_token",
        "verified_at",
        "last_checked_at",
        "last_check_result",
        "created_at",
    ]
    exclude = ["last_check_error"]

    @admin.display(description=_("last check result"))
    def last_check_result(self, domain: Domain) -> str:
        return check_error_message(domain) or "—"
