"""How sales reacts to what apps.payments reports (connected in SalesConfig.ready)."""

from django.dispatch import receiver

from apps.payments.signals import payment_succeeded
from apps.sales import services

ORDER_REFERENCE = "order:"


@receiver(payment_succeeded, dispatch_uid="sales.order_paid_by_payment")
def order_paid_by_payment(sender, *, payment, reference: str, **kwargs) -> None:
    if reference.startswith(ORDER_REFERENCE):
        services.order_payment_received(
            order_id=int(reference.removeprefix(ORDER_REFERENCE)), payment=payment
        )
