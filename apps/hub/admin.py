from django.contrib import admin

from apps.core.admin_sites import platform_admin_site
from apps.hub.models import HubEvent


@admin.register(HubEvent, site=platform_admin_site)
class HubEventAdmin(admin.ModelAdmin):
    """Read-only: the index is written by the events services and `manage.py hub_rebuild`."""

    list_display = ["name", "organizer_name", "city", "next_start", "date_count", "host", "updated_at"]
    search_fields = ["name", "organizer_name", "city"]
    list_filter = ["country", "category"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
