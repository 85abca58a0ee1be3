"""REST API of the platform host: /api/v1/ (platform admins)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from apps.accounts.api.views import ApiTokenViewSet, api_token
from apps.billing.api.views import BillingAccountViewSet, ClientViewSet, InvoiceViewSet
from apps.core.api_views import country_list, currency_list
from apps.plans.api.views import AddonPriceViewSet, ExchangeRateViewSet, PlanPriceViewSet, PlanViewSet
from apps.platform.api.views import OrganizationViewSet, PlatformSettingsView

router = DefaultRouter()
router.register("auth/tokens", ApiTokenViewSet, basename="api-token-own")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("plans", PlanViewSet, basename="plan")
router.register("plan-prices", PlanPriceViewSet, basename="plan-price")
router.register("exchange-rates", ExchangeRateViewSet, basename="exchange-rate")
router.register("clients", ClientViewSet, basename="client")
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("addon-prices", AddonPriceViewSet, basename="addon-price")
router.register("billing-accounts", BillingAccountViewSet, basename="billing-account")

urlpatterns = [
    path("", include(router.urls)),
    path("platform-settings/", PlatformSettingsView.as_view(), name="platform-settings"),
    path("countries/", country_list, name="country-list"),
    path("currencies/", currency_list, name="currency-list"),
    path("auth/token/", api_token, name="api-token"),
]
