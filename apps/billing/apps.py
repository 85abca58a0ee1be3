from django.apps import AppConfig

from apps.core import hooks


class BillingConfig(AppConfig):
    name = "apps.billing"
    label = "billing"

    def ready(self) -> None:
        # Imported here: models and the modules that use them load once the apps are ready.
        from apps.billing import receivers
        from apps.billing.models import Invoice
        from apps.billing.selectors.accounts import organizers_features
        from apps.billing.selectors.fees import application_fee_for_order

        hooks.organizers_features.answer(organizers_features)
        hooks.payment_succeeded.register(Invoice.PAYMENT_PURPOSE, receivers.invoice_paid_by_payment)
        hooks.sale_application_fee.answer(application_fee_for_order)
