from django.contrib import admin

from apps.sales.models import FeeRule


@admin.register(FeeRule)
class FeeRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "organizer", "event", "fixed", "percent", "paid_by"]
    list_select_related = ["organizer", "event"]
    autocomplete_fields = []
