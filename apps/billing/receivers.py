"""How billing takes an invoice's card payment (registered for the purpose "invoice" of
apps.core.hooks.payment_succeeded in BillingConfig.ready)."""

from apps.billing.services import SYSTEM
from apps.billing.services.collection import invoice_mark_paid


def invoice_paid_by_payment(invoice_id: int, payment_id: int) -> None:
    invoice_mark_paid(invoice_id=invoice_id, actor=SYSTEM, via="card")
