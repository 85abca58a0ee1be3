"""Platform admin pages of the invoices, mounted at /platform/invoices/ (config.urls_public)."""

from django.urls import path

from apps.billing.views import platform

urlpatterns = [
    path("", platform.invoice_list, name="platform-invoices"),
    path("new/", platform.invoice_create, name="platform-invoice-create"),
    path("<int:pk>/", platform.invoice_detail, name="platform-invoice"),
    path("<int:pk>/paid/", platform.invoice_mark_paid, name="platform-invoice-paid"),
    path("<int:pk>.pdf", platform.invoice_download, name="platform-invoice-pdf"),
]
