from django.urls import path, register_converter

from apps.platform import views
from apps.platform.models import RESERVED_PAGE_SLUGS


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
    path("", views.platform_home, name="home"),
    path("platform/", views.platform_dashboard, name="platform-dashboard"),
    path(
        "platform/organizations/<int:pk>/support/", views.support_session_open, name="platform-support-open"
    ),
    path("register/", views.client_signup, name="organizer-register"),
    path("register/<uuid:signup_id>/", views.client_signup_progress, name="client-signup-progress"),
    path("register/<uuid:signup_id>/status/", views.client_signup_status_json, name="client-signup-status"),
    path("register/<uuid:signup_id>/enter/", views.client_signup_enter, name="client-signup-enter"),
    path("pricing/", views.pricing, name="pricing"),
    path("platform/settings/", views.platform_settings, name="platform-settings"),
    path("platform/approvals/", views.approvals, name="platform-approvals"),
    path("platform/approvals/<int:pk>/", views.approval_detail, name="platform-approval"),
    path("platform/pages/", views.info_pages, name="platform-info-pages"),
    path("platform/pages/new/", views.info_page_create, name="platform-info-page-create"),
    path("platform/pages/<int:pk>/", views.info_page_edit, name="platform-info-page"),
    path("platform/pages/<int:pk>/delete/", views.info_page_delete, name="platform-info-page-delete"),
    # Last: any other one-segment address may be an info page.
    path("<infopage:slug>/", views.info_page, name="info-page"),
]
