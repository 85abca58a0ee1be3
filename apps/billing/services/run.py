"""The monthly run: one invoice per account and period, made once."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from apps.billing import tasks
from apps.billing.models import BillingAccount, BillingAdjustment, Invoice, InvoiceLine
from apps.billing.selectors.accounts import account_price
from apps.billing.selectors.invoice_lines import credit_carried_over, invoice_lines
from apps.billing.selectors.periods import accounts_due, billing_period_ending
from apps.billing.services import SYSTEM
from apps.billing.services.invoicing import (
    invoice_amounts_set,
    invoice_legal_details_set,
    invoice_number_next,
)
from apps.core.audit import audit_log
from apps.core.money import quantize

PAYMENT_TERMS_DAYS = 14


def account_invoice_for_period(*, account_id: int, on: date) -> Invoice | None:
    """The automatic invoice of the period `on` closes, made once: a second call, a second
    worker or a rerun after a crash finds it (the account row is locked while it is made,
    and a unique constraint backs that up). None when `on` closes no period of the account."""
    with schema_context(get_public_schema_name()):
        try:
            with transaction.atomic():
                account = (
                    BillingAccount.objects.select_for_update()
                    .select_related("plan", "organization")
                    .get(pk=account_id)
                )
                period = billing_period_ending(account, on)
                if period is None:
                    return None
                existing = Invoice.objects.filter(
                    account=account, kind=Invoice.Kind.AUTOMATIC, period_start=period[0]
                )
                if existing.exists():
                    return existing.get()
                return _invoice_issue(account, *period)
        except IntegrityError:
            if period is None:  # only a period's invoice can clash: re-raise anything else
                raise
            return Invoice.objects.get(
                account_id=account_id, kind=Invoice.Kind.AUTOMATIC, period_start=period[0]
            )


def _invoice_issue(account: BillingAccount, start: date, end: date) -> Invoice:
    """Make the invoice of [start, end) and bill the pending adjustments on it. The caller holds
    the account's row lock: adjustments are taken under it and linked to their line in this
    transaction, so a rerun or a second worker can never bill one twice."""
    price = account_price(account)
    adjustments = list(
        BillingAdjustment.objects.select_for_update()
        .filter(account=account, invoice__isnull=True)
        .order_by("created_at", "pk")
    )
    lines, billed = invoice_lines(account, price, start, end, adjustments=adjustments)
    carried = credit_carried_over(sum((line.amount for line in lines), Decimal(0)), billed)
    if carried:
        lines.append(
            InvoiceLine(
                kind=InvoiceLine.Kind.ADJUSTMENT,
                description=_("Credit carried over to the next invoice"),
                unit_amount=carried,
                amount=carried,
            )
        )
    now = timezone.now()
    invoice = Invoice(
        account=account,
        kind=Invoice.Kind.AUTOMATIC,
        number=invoice_number_next(end.year),
        status=Invoice.Status.OPEN,
        currency=price.currency,
        period_start=start,
        period_end=end,
        issued_at=now,
        due_date=end + timedelta(days=PAYMENT_TERMS_DAYS),
    )
    invoice_legal_details_set(invoice, account)
    invoice_amounts_set(
        invoice, net=quantize(sum((line.amount for line in lines), Decimal(0)), price.currency)
    )
    invoice.save()
    for order, line in enumerate(lines):
        line.invoice = invoice
        line.sort_order = order
    InvoiceLine.objects.bulk_create(lines)
    for adjustment, line in billed:
        taken = BillingAdjustment.objects.filter(pk=adjustment.pk, invoice__isnull=True).update(
            invoice=invoice, invoice_line=line
        )
        if taken != 1:  # never: the rows are locked; if ever, no invoice rather than a double bill
            raise IntegrityError(f"adjustment {adjustment.pk} is already billed")
    if carried:
        BillingAdjustment.objects.create(
            account=account,
            description=_("Credit carried over from %(number)s") % {"number": invoice.number},
            amount=-carried,
            currency=price.currency,
        )
    if invoice.total <= 0:
        invoice.status = Invoice.Status.PAID
        invoice.paid_at = now
        invoice.save(update_fields=["status", "paid_at"])
    audit_log(
        actor=SYSTEM,
        action="invoice.issued",
        target=invoice,
        number=invoice.number,
        total=str(invoice.total),
        adjustments=[adjustment.pk for adjustment, _line in billed],
    )
    tasks.send_invoice.delay_on_commit(schema_name=get_public_schema_name(), invoice_id=invoice.pk)
    if invoice.status == Invoice.Status.OPEN:
        # If this task is lost, the daily charge run still finds it due today.
        invoice.next_charge_on = timezone.localdate()
        invoice.save(update_fields=["next_charge_on"])
        tasks.charge_invoice.delay_on_commit(schema_name=get_public_schema_name(), invoice_id=invoice.pk)
    return invoice


# Billing days this far back whose invoice is missing are made up for by the daily run.
CATCH_UP_DAYS = 7


def billing_run(*, on: date | None = None) -> int:
    """Queue one invoicing task per account due `on` (today), and per account whose billing
    day in the week before passed without its invoice (beat down that day, its task lost, a
    missing exchange rate since added); returns how many."""
    on = on or timezone.localdate()
    queued = 0
    for back in range(CATCH_UP_DAYS, -1, -1):
        day = on - timedelta(days=back)
        due = accounts_due(day).filter(signed_up_at__date__lt=day)
        if back:
            due = due.exclude(invoices__kind=Invoice.Kind.AUTOMATIC, invoices__period_end=day)
        for account_id in due.values_list("pk", flat=True):
            tasks.invoice_account.delay(
                schema_name=get_public_schema_name(), account_id=account_id, on=day.isoformat()
            )
            queued += 1
    return queued
