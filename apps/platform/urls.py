from django.urls import path, register_converter

from apps.platform.models import RESERVED_PAGE_SLUGS
from apps.platform.views import clients, platform, public


class InfoPageSlugConverter:
    """An info page's address; the platform's own addresses (admin/, accounts/, …) are no
    match, so the URLs after this app's (config.urls_public) still answer them."""

    regex = "[a-z0-9]+(?:[-_][a-z0-9]+)*"

    def to_python(self, value: str) -> str:
        if value in RESERVED_PAGE_SLUGS:
            raise ValueError(value)
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(InfoPageSlugConverter, "infopage")

urlpatterns = [
    path("", public.platform_home, name="home"),
    path("platform/", platform.platform_dashboard, name="platform-dashboard"),
    path(
        "platform/organizations/<int:pk>/support/",
        platform.support_session_open,
        name="platform-support-open",
    ),
    path("register/", public.client_signup, name="organizer-register"),
    path("register/<uuid:signup_id>/", public.client_signup_progress, name="client-signup-progress"),
    path("register/<uuid:signup_id>/status/", public.client_signup_status_json, name="client-signup-status"),
    path("register/<uuid:signup_id>/enter/", public.client_signup_enter, name="client-signup-enter"),
    path("pricing/", public.pricing, name="pricing"),
    path("platform/settings/", platform.platform_settings, name="platform-settings"),
    path("platform/clients/", clients.client_list, name="platform-clients"),
    path("platform/clients/export/", clients.client_export, name="platform-clients-export"),
    path("platform/clients/<int:pk>/", clients.client_detail, name="platform-client"),
    path("platform/clients/<int:pk>/settings/", clients.client_settings, name="platform-client-settings"),
    path(
        "platform/clients/<int:pk>/adjustments/new/",
        clients.client_adjustment_create,
        name="platform-client-adjustment-create",
    ),
    path(
        "platform/clients/<int:pk>/adjustments/<int:adjustment_pk>/delete/",
        clients.client_adjustment_delete,
        name="platform-client-adjustment-delete",
    ),
    path("platform/approvals/", platform.approvals, name="platform-approvals"),
    path("platform/approvals/<int:pk>/", platform.approval_detail, name="platform-approval"),
    path("platform/pages/", platform.info_pages, name="platform-info-pages"),
    path("platform/pages/new/", platform.info_page_create, name="platform-info-page-create"),
    path("platform/pages/<int:pk>/", platform.info_page_edit, name="platform-info-page"),
    path("platform/pages/<int:pk>/delete/", platform.info_page_delete, name="platform-info-page-delete"),
    # Last: any other one-segment address may be an info page.
    path("<infopage:slug>/", public.info_page, name="info-page"),
]
