"""Collecting what invoices ask: the card on file charged, retried and the client told
(dunning), invoices marked paid."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from apps.billing import tasks
from apps.billing.models import BillingAccount, Invoice
from apps.billing.services import SYSTEM
from apps.billing.services.invoicing import dunning_notice
from apps.core.audit import Actor, audit_log
from apps.payments.platform_account import platform_charge

# A declined charge is tried again this many days after the invoice was issued; after the last
# one the account is suspended until the invoice is paid.
RETRY_DAYS = (3, 5, 7)


def invoice_charge(*, invoice_id: int) -> str:
    """Charge an open invoice's balance to the client's card on file, at most once per
    attempt (the attempt number is in the idempotency key, and only moves when the result is
    recorded). Declined: the account is past due and the next try scheduled (days 3, 5, 7),
    then suspended; the client is told each time. Returns what happened."""
    with schema_context(get_public_schema_name()), transaction.atomic():
        invoice = Invoice.objects.select_for_update().select_related("account").get(pk=invoice_id)
        account = invoice.account
        if invoice.status != Invoice.Status.OPEN or invoice.balance <= 0:
            return "not due"
        if not account.payment_method_id:
            invoice.next_charge_on = None
            invoice.save(update_fields=["next_charge_on"])
            return "no card on file"
        attempt = invoice.charge_attempts + 1
        result = platform_charge(
            purpose=Invoice.PAYMENT_PURPOSE,
            object_id=invoice.pk,
            amount=invoice.balance,
            currency=invoice.currency,
            customer_id=account.stripe_customer_id,
            payment_method_id=account.payment_method_id,
            attempt=attempt,
        )
        invoice.charge_attempts = attempt
        if result.succeeded:
            invoice.save(update_fields=["charge_attempts"])
            invoice_mark_paid(invoice_id=invoice.pk, actor=SYSTEM, via="card")
            return "paid"
        invoice.last_charge_error = result.error or _("Pending confirmation by the bank.")
        retries_left = RETRY_DAYS[attempt - 1 :] if attempt <= len(RETRY_DAYS) else ()
        issued_on = timezone.localdate(invoice.issued_at)
        invoice.next_charge_on = issued_on + timedelta(days=retries_left[0]) if retries_left else None
        invoice.save(update_fields=["charge_attempts", "last_charge_error", "next_charge_on"])
        account.status = BillingAccount.Status.PAST_DUE if retries_left else BillingAccount.Status.SUSPENDED
        account.save(update_fields=["status", "updated_at"])
        audit_log(
            actor=SYSTEM,
            action="invoice.charge_failed",
            target=invoice,
            attempt=attempt,
            error=invoice.last_charge_error,
        )
        transaction.on_commit(lambda: dunning_notice(invoice.pk, suspended=not retries_left))
        return "suspended" if not retries_left else "declined"


def invoice_mark_paid(*, invoice_id: int, actor: Actor, via: str = "bank transfer") -> Invoice:
    """Record an invoice as paid (by card or by hand, e.g. a bank transfer), once; the account
    is active again when nothing else is overdue."""
    with schema_context(get_public_schema_name()), transaction.atomic():
        invoice = Invoice.objects.select_for_update().select_related("account").get(pk=invoice_id)
        if invoice.status == Invoice.Status.PAID:
            return invoice
        if invoice.status != Invoice.Status.OPEN:
            raise ValidationError(_("Only an open invoice can be marked paid."))
        invoice.status = Invoice.Status.PAID
        invoice.amount_paid = invoice.total
        invoice.paid_at = timezone.now()
        invoice.next_charge_on = None
        invoice.save(update_fields=["status", "amount_paid", "paid_at", "next_charge_on"])
        account = BillingAccount.objects.select_for_update().get(pk=invoice.account_id)
        overdue = account.invoices.filter(status=Invoice.Status.OPEN, charge_attempts__gt=0).exists()
        if (
            account.status in (BillingAccount.Status.PAST_DUE, BillingAccount.Status.SUSPENDED)
            and not overdue
        ):
            account.status = BillingAccount.Status.ACTIVE
            account.save(update_fields=["status", "updated_at"])
        audit_log(actor=actor, action="invoice.paid", target=invoice, via=via)
    return invoice


def invoices_charge_due(*, today: date | None = None) -> int:
    """Queue the charges due today: new invoices whose charge was lost, and the retries."""
    today = today or timezone.localdate()
    due = list(
        Invoice.objects.filter(status=Invoice.Status.OPEN, next_charge_on__lte=today).values_list(
            "pk", flat=True
        )
    )
    for invoice_id in due:
        tasks.charge_invoice.delay(schema_name=get_public_schema_name(), invoice_id=invoice_id)
    return len(due)
