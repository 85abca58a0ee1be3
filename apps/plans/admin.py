from django.contrib import admin

from apps.core.admin_sites import platform_admin_site
from apps.core.audit import Actor
from apps.plans import services
from apps.plans.features import features_changed
from apps.plans.models import AddonPrice, ExchangeRate, Plan, PlanPrice


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

    # Saved here rather than through the services (a plan and its prices in one form): what
    # the services do to the cached features of clients, the admin does too.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        features_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        features_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        features_changed()


@admin.register(ExchangeRate, site=platform_admin_site)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ["currency", "rate", "updated_at"]
    search_fields = ["currency"]


@admin.register(AddonPrice, site=platform_admin_site)
class AddonPriceAdmin(admin.ModelAdmin):
    """Monthly prices of features sold as add-ons; saved and deleted through the services
    (audited, one price per feature and currency)."""

    list_display = ["feature", "currency", "monthly_fee", "updated_at"]
    list_filter = ["feature"]
    search_fields = ["currency"]

    def save_model(self, request, obj, form, change):
        actor = Actor.from_request(request)
        data = {field: form.cleaned_data[field] for field in services.ADDON_PRICE_FIELDS}
        if change:
            saved = services.addon_price_update(price=obj, actor=actor, **data)
        else:
            saved = services.addon_price_create(actor=actor, **data)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.addon_price_delete(price=obj, actor=Actor.from_request(request))

    def delete_queryset(self, request, queryset):
        for price in queryset:
            self.delete_model(request, price)
