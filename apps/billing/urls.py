"""Platform admin pages of the clients, mounted at /platform/clients/ (config.urls_public)."""

from django.urls import path

from apps.billing import views

urlpatterns = [
    path("", views.client_list, name="platform-clients"),
    path("export/", views.client_export, name="platform-clients-export"),
    path("<int:pk>/", views.client_detail, name="platform-client"),
    path("<int:pk>/settings/", views.client_settings, name="platform-client-settings"),
    path(
        "<int:pk>/adjustments/new/", views.client_adjustment_create, name="platform-client-adjustment-create"
    ),
    path(
        "<int:pk>/adjustments/<int:adjustment_pk>/delete/",
        views.client_adjustment_delete,
        name="platform-client-adjustment-delete",
    ),
]
