"""URLs of the platform host (public schema): platform site, platform admin, webhooks."""

from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from apps.core.admin_sites import platform_admin_site
from apps.core.views import brand_css

urlpatterns = [
    path("platform/invoices/", include("apps.billing.urls.platform")),
    path("", include("apps.platform.urls")),
    path("", include("apps.hub.urls")),
    path("payments/", include("apps.payments.urls")),
    path("accounts/", include("allauth.urls")),
    # The catalogue's admin pages were billing's until the catalogue became apps.plans.
    re_path(
        r"^admin/billing/(?P<page>(?:plan|planprice|exchangerate|addonprice)/.*)$",
        RedirectView.as_view(url="/admin/plans/%(page)s", query_string=True),
    ),
    path("admin/", platform_admin_site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("brand.css", brand_css, name="brand-css"),
    path("api/v1/", include(("config.api_public", "api"))),
    path("api/schema/", SpectacularAPIView.as_view(urlconf="config.urls_public"), name="api-schema"),
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
