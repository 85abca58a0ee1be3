from django.urls import path

from apps.platform import views

urlpatterns = [
    path("", views.platform_home, name="home"),
    path("platform/", views.platform_dashboard, name="platform-dashboard"),
    path("register/", views.organizer_register, name="organizer-register"),
    path("platform/settings/", views.platform_settings, name="platform-settings"),
    path("platform/approvals/", views.approvals, name="platform-approvals"),
    path("platform/approvals/<int:pk>/", views.approval_detail, name="platform-approval"),
]
