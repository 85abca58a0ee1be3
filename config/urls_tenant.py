"""URLs of an organization's hosts: storefront at /, control panel at /control/.

No Django admin here: organization admins work in the control panel, whose every write goes
through the services (permission module, plan features, audit log); platform admins enter an
organization through a support session (README, Security)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from apps.core.views import brand_css

urlpatterns = [
    path("", include("apps.sales.urls")),
    path("control/", include("apps.operators.urls")),
    path("control/", include("apps.events.urls")),
    path("control/billing/", include("apps.billing.urls.control")),
    path("control/", include("apps.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("brand.css", brand_css, name="brand-css"),
    path("api/v1/", include(("config.api_tenant", "api"))),
    path("api/schema/", SpectacularAPIView.as_view(urlconf="config.urls_tenant"), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="core/swagger_ui.html"),
        name="api-docs",
    ),
]

handler400 = "apps.core.error_views.bad_request"
handler403 = "apps.core.error_views.permission_denied"
handler404 = "apps.core.error_views.page_not_found"
handler500 = "apps.core.error_views.server_error"
