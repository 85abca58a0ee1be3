from django.contrib import admin

from apps.core.admin_sites import platform_admin_site
from apps.core.models import AuditLogEntry


class AuditLogEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_email", "action", "target_repr", "host"]
    list_filter = ["action"]
    search_fields = ["actor_email", "target_repr", "host"]
    readonly_fields = [field.name for field in AuditLogEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


platform_admin_site.register(AuditLogEntry, AuditLogEntryAdmin)
