from django.contrib import admin

from apps.events.models import Event, EventDate, Location, ReplicationRequest, TicketType


class EventDateInline(admin.TabularInline):
    model = EventDate
    extra = 0


class TicketTypeInline(admin.TabularInline):
    model = TicketType
    extra = 0


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "country", "capacity", "organizer"]
    list_filter = ["organizer"]
    search_fields = ["name", "city"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["name", "organizer", "location", "status", "category"]
    list_filter = ["status", "organizer", "category"]
    search_fields = ["name"]
    inlines = [EventDateInline, TicketTypeInline]


@admin.register(ReplicationRequest)
class ReplicationRequestAdmin(admin.ModelAdmin):
    list_display = ["event", "requested_by", "status", "created_count", "created_at", "executed_at"]
    list_filter = ["status"]
