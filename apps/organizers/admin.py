from django.contrib import admin

from apps.organizers.models import Distribution, Organizer


class DistributionInline(admin.TabularInline):
    model = Distribution
    extra = 0


@admin.register(Organizer)
class OrganizerAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "currency", "country"]
    search_fields = ["name", "slug", "legal_name"]
    inlines = [DistributionInline]
