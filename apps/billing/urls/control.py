"""An organization admin's billing pages in its control panel (config.urls_tenant mounts them at
/control/billing/)."""

from django.urls import path

from apps.billing.views import control

urlpatterns = [
    path("", control.billing, name="control-billing"),
    path("invoices/<int:pk>/", control.invoice_page, name="control-billing-invoice-page"),
    path("invoices/<int:pk>.pdf", control.invoice_download, name="control-billing-invoice"),
    path("accounts/<int:pk>/details/", control.details, name="control-billing-details"),
    path("accounts/<int:pk>/card/", control.card_start, name="control-billing-card"),
    path("accounts/<int:pk>/card/done/", control.card_done, name="control-billing-card-done"),
]
