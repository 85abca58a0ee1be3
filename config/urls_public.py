"""URLs of the platform host (public schema): platform site, platform admin, webhooks."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.core.admin_sites import platform_admin_site

urlpatterns = [
    path("platform/clients/", include("apps.billing.urls")),
    path("platform/invoices/", include("apps.billing.invoice_urls")),
    path("", include("apps.platform.urls")),
    path("", include("apps.hub.urls")),
    path("payments/", include("apps.payments.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", platform_admin_site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(("config.api_public", "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
