from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "apps.billing"
    label = "billing"

    def ready(self) -> None:
        from apps.billing import receivers, selectors  # connect the cache receivers; models need the registry
        from apps.billing.models import Invoice
        from apps.core import hooks

        hooks.payment_succeeded.register(Invoice.PAYMENT_PURPOSE, receivers.invoice_paid_by_payment)
        hooks.sale_application_fee.answer(selectors.application_fee_for_order)
