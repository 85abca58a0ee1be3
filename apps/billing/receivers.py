"""How billing reacts to what apps.payments reports, and the cached features of clients
dropped whenever a plan or a client account is saved or deleted (connected in
BillingConfig.ready)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from apps.billing import services
from apps.billing.models import BillingAccount, Plan
from apps.billing.selectors import features_changed
from apps.payments.signals import payment_succeeded

INVOICE_REFERENCE = "invoice:"


@receiver(payment_succeeded, dispatch_uid="billing.invoice_paid_by_payment")
def invoice_paid_by_payment(sender, *, payment, reference: str, **kwargs) -> None:
    if reference.startswith(INVOICE_REFERENCE):
        services.invoice_mark_paid(
            invoice_id=int(reference.removeprefix(INVOICE_REFERENCE)), actor=services.SYSTEM, via="card"
        )


@receiver(post_save, sender=BillingAccount, dispatch_uid="billing.account_saved")
@receiver(post_delete, sender=BillingAccount, dispatch_uid="billing.account_deleted")
@receiver(post_save, sender=Plan, dispatch_uid="billing.plan_saved")
@receiver(post_delete, sender=Plan, dispatch_uid="billing.plan_deleted")
def client_features_changed(sender, **kwargs) -> None:
    features_changed()
