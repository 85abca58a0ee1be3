"""The control panel's custom-domain pages (mounted under /control/ on organization hosts)."""

from django.urls import path

from apps.tenancy import views

urlpatterns = [
    path("domains/", views.custom_domains, name="custom-domains"),
    path("domains/organizers/<int:organizer_pk>/add/", views.custom_domain_add, name="custom-domain-add"),
    path("domains/<int:pk>/check/", views.custom_domain_check, name="custom-domain-check"),
    path("domains/<int:pk>/remove/", views.custom_domain_remove, name="custom-domain-remove"),
]
