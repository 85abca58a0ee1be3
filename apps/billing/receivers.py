"""How billing reacts to what apps.payments reports (connected in BillingConfig.ready)."""

from django.dispatch import receiver

from apps.billing import services
from apps.payments.signals import payment_succeeded

INVOICE_REFERENCE = "invoice:"


@receiver(payment_succeeded, dispatch_uid="billing.invoice_paid_by_payment")
def invoice_paid_by_payment(sender, *, payment, reference: str, **kwargs) -> None:
    if reference.startswith(INVOICE_REFERENCE):
        services.invoice_mark_paid(
            invoice_id=int(reference.removeprefix(INVOICE_REFERENCE)), actor=services.SYSTEM, via="card"
        )
