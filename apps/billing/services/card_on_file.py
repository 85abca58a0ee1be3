"""A client's card on file (a Stripe Customer and its default PaymentMethod)."""

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from apps.billing.models import BillingAccount, Invoice
from apps.billing.selectors.accounts import client_admin_email
from apps.billing.services.collection import invoices_charge_due
from apps.core.audit import Actor, audit_log
from apps.payments.platform_account import card_setup_finish, card_setup_start, platform_customer_ensure


def card_on_file_start(*, account_id: int) -> str:
    """Begin saving a client's card: its Stripe Customer (made once) and a SetupIntent whose
    client secret Stripe.js confirms in the browser."""
    with schema_context(get_public_schema_name()):
        account = BillingAccount.objects.get(pk=account_id)
        customer_id = platform_customer_ensure(
            customer_id=account.stripe_customer_id,
            email=account.contact_email or client_admin_email(account),
            name=account.organizer_name,
            metadata={"client": str(account.pk), "organizer": account.organizer_slug},
        )
        if customer_id != account.stripe_customer_id:
            BillingAccount.objects.filter(pk=account.pk).update(stripe_customer_id=customer_id)
        return card_setup_start(customer_id=customer_id)


def card_on_file_finish(*, account_id: int, setup_intent_id: str, actor: Actor) -> BillingAccount:
    """Keep the card a SetupIntent saved as the client's card on file; what it owes is
    charged to it at once."""
    with schema_context(get_public_schema_name()):
        customer_id = BillingAccount.objects.values_list("stripe_customer_id", flat=True).get(pk=account_id)
    payment_method_id, label = card_setup_finish(setup_intent_id=setup_intent_id, customer_id=customer_id)
    with schema_context(get_public_schema_name()), transaction.atomic():
        account = BillingAccount.objects.select_for_update().get(pk=account_id)
        account.payment_method_id = payment_method_id
        account.card_label = label
        account.save(update_fields=["payment_method_id", "card_label", "updated_at"])
        audit_log(actor=actor, action="client.card_saved", target=account, card=label)
        today = timezone.localdate()
        account.invoices.filter(status=Invoice.Status.OPEN).update(next_charge_on=today)
        # Robust: the card is saved whatever the broker says; the daily charge run finds these.
        transaction.on_commit(lambda: invoices_charge_due(today=today), robust=True)
    return account
