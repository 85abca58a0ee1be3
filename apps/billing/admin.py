from django.contrib import admin

from apps.billing.models import ExchangeRate, Plan, PlanPrice
from apps.core.admin_sites import platform_admin_site


class PlanPriceInline(admin.TabularInline):
    model = PlanPrice
    extra = 0
    min_num = 1  # a plan always has a price: checked on save, deletions included

    def get_formset(self, request, obj=None, **kwargs):
        return super().get_formset(request, obj, validate_min=True, **kwargs)


@admin.register(Plan, site=platform_admin_site)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_public", "sort_order", "custom_domain", "max_operators"]
    list_filter = ["is_public"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PlanPriceInline]


@admin.register(ExchangeRate, site=platform_admin_site)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ["currency", "rate", "updated_at"]
    search_fields = ["currency"]
