"""Platform admin pages of the invoices, mounted at /platform/invoices/ (config.urls_public)."""

from django.urls import path

from apps.billing import invoice_views

urlpatterns = [
    path("", invoice_views.invoice_list, name="platform-invoices"),
    path("new/", invoice_views.invoice_create, name="platform-invoice-create"),
    path("<int:pk>/", invoice_views.invoice_detail, name="platform-invoice"),
    path("<int:pk>/paid/", invoice_views.invoice_mark_paid, name="platform-invoice-paid"),
    path("<int:pk>.pdf", invoice_views.invoice_download, name="platform-invoice-pdf"),
]
