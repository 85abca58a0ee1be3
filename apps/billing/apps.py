from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "apps.billing"
    label = "billing"

    def ready(self) -> None:
        from apps.billing import receivers  # connects the cache receivers; models need the registry
        from apps.billing.models import Invoice
        from apps.core import hooks

        hooks.payment_succeeded.register(Invoice.PAYMENT_PURPOSE, receivers.invoice_paid_by_payment)
