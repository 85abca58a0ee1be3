"""A client's billing pages in its control panel (config.urls_tenant mounts them at /control/billing/)."""

from django.urls import path

from apps.billing import control_views

urlpatterns = [
    path("", control_views.billing, name="control-billing"),
    path("invoices/<int:pk>.pdf", control_views.invoice_download, name="control-billing-invoice"),
    path("accounts/<int:pk>/card/", control_views.card_start, name="control-billing-card"),
    path("accounts/<int:pk>/card/done/", control_views.card_done, name="control-billing-card-done"),
]
