"""How billing takes an invoice's card payment (registered for the purpose "invoice" of
apps.core.hooks.payment_succeeded), and the cached features of clients dropped whenever a
plan or a client account is saved or deleted (both in BillingConfig.ready)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from apps.billing import services
from apps.billing.models import BillingAccount, Plan
from apps.billing.selectors import features_changed


def invoice_paid_by_payment(invoice_id: int, payment_id: int) -> None:
    services.invoice_mark_paid(invoice_id=invoice_id, actor=services.SYSTEM, via="card")


@receiver(post_save, sender=BillingAccount, dispatch_uid="billing.account_saved")
@receiver(post_delete, sender=BillingAccount, dispatch_uid="billing.account_deleted")
@receiver(post_save, sender=Plan, dispatch_uid="billing.plan_saved")
@receiver(post_delete, sender=Plan, dispatch_uid="billing.plan_deleted")
def client_features_changed(sender, **kwargs) -> None:
    features_changed()
