"""What a client's monthly invoice is made of (read, never written here): the monthly fee, the
setup fee, add-ons, transaction fees on its sales, adjustments; and the estimate of the next one."""

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from apps.billing.models import BillingAccount, BillingAdjustment, Invoice, InvoiceLine
from apps.billing.selectors.accounts import AccountPrice, account_addons, account_price, account_vat
from apps.billing.selectors.fees import transaction_fee
from apps.billing.selectors.periods import anchor_date, first_of_month, months_back
from apps.billing.vat import vat_on
from apps.core.money import quantize
from apps.plans.selectors import (
    currency_convert,
)
from apps.sales.selectors.fee_basis import fee_basis, organizer_span


def invoice_lines(
    account: BillingAccount,
    price: AccountPrice,
    start: date,
    end: date,
    *,
    adjustments: Iterable[BillingAdjustment],
) -> tuple[list[InvoiceLine], list[tuple[BillingAdjustment, InvoiceLine]]]:
    """The lines of the invoice of [start, end): monthly fee, setup fee (first invoice), one line
    per paid add-on, transaction fees, then one line per adjustment (returned paired too)."""
    first = not account.invoices.filter(kind=Invoice.Kind.AUTOMATIC).exists()
    period = {"start": start.isoformat(), "end": (end - timedelta(days=1)).isoformat()}
    lines = [
        InvoiceLine(
            kind=InvoiceLine.Kind.MONTHLY_FEE,
            description=_("%(plan)s, %(start)s – %(end)s") % {"plan": account.plan.name, **period},
            unit_amount=price.monthly_fee,
            amount=price.monthly_fee,
        )
    ]
    if first and price.setup_fee:
        lines.append(
            InvoiceLine(
                kind=InvoiceLine.Kind.SETUP_FEE,
                description=_("Setup fee"),
                unit_amount=price.setup_fee,
                amount=price.setup_fee,
            )
        )
    for addon in account_addons(account, currency=price.currency):
        if addon.fee is None or not addon.fee.monthly_fee:
            continue  # a free add-on
        lines.append(
            InvoiceLine(
                kind=InvoiceLine.Kind.ADDON,
                description=_("%(feature)s (add-on), %(start)s – %(end)s")
                % {"feature": addon.label, **period},
                unit_amount=addon.fee.monthly_fee,
                amount=addon.fee.monthly_fee,
            )
        )
    lines += transaction_fee_lines(account, price, start, end)
    billed = []
    for adjustment in adjustments:
        amount = adjustment.amount
        if adjustment.currency != price.currency:
            amount = quantize(currency_convert(amount, adjustment.currency, price.currency), price.currency)
        line = InvoiceLine(
            kind=InvoiceLine.Kind.ADJUSTMENT,
            description=adjustment.description,
            unit_amount=amount,
            amount=amount,
        )
        lines.append(line)
        billed.append((adjustment, line))
    for line in lines:  # the lines add up to the total to the cent
        line.amount = quantize(line.amount, price.currency)
    return lines, billed


def credit_carried_over(total: Decimal, billed: list[tuple[BillingAdjustment, InvoiceLine]]) -> Decimal:
    """How much of the adjustments' credits an invoice cannot use (it would fall below zero):
    that much goes on to the next invoice rather than being lost."""
    credits = -sum((line.amount for _adjustment, line in billed if line.amount < 0), Decimal(0))
    return min(-total, credits) if total < 0 and credits > 0 else Decimal(0)


def transaction_fee_lines(
    account: BillingAccount, price: AccountPrice, start: date, end: date
) -> list[InvoiceLine]:
    """Fees on the period's ticket sales (paid tickets still valid), minus what Stripe already
    collected as application fees on them, and a credit for tickets of earlier periods
    refunded in this one. Amounts read in the client's schema, converted to the account's
    currency at the stored rates when the organizer sells in another."""
    with schema_context(account.organization.schema_name):
        # The period's days are the organizer's, as in its report (apps.sales.selectors.ledger).
        begin, finish = organizer_span(account.organizer_id, start, end)
        basis = fee_basis(account.organizer_id, begin, finish)

    def in_account_currency(amount: Decimal | None, currency: str | None) -> Decimal:
        if not amount:
            return Decimal(0)
        if currency is None or currency == price.currency:
            return amount
        return currency_convert(amount, currency, price.currency)

    lines = []
    if basis.tickets:
        revenue = in_account_currency(basis.revenue, basis.currency)
        lines.append(
            InvoiceLine(
                kind=InvoiceLine.Kind.TRANSACTION_FEES,
                description=_("%(count)s tickets × %(fixed)s + %(percent)s %% of %(revenue)s")
                % {
                    "count": basis.tickets,
                    "fixed": price.fixed_fee,
                    "percent": price.percent_fee,
                    "revenue": quantize(revenue, price.currency),
                },
                quantity=basis.tickets,
                unit_amount=price.fixed_fee,
                amount=transaction_fee(price.fixed_fee, price.percent_fee, basis.tickets, revenue),
            )
        )
    collected_amount = in_account_currency(basis.collected, basis.currency)
    if collected_amount:
        lines.append(
            InvoiceLine(
                kind=InvoiceLine.Kind.COLLECTED_FEES,
                description=_("Fees already taken from online payments"),
                unit_amount=-collected_amount,
                amount=-collected_amount,
            )
        )
    if basis.refunded_earlier_tickets:
        revenue = in_account_currency(basis.refunded_earlier_revenue, basis.currency)
        credit = transaction_fee(price.fixed_fee, price.percent_fee, basis.refunded_earlier_tickets, revenue)
        lines.append(
            InvoiceLine(
                kind=InvoiceLine.Kind.REFUND_CREDIT,
                description=_("%(count)s tickets of earlier periods refunded")
                % {"count": basis.refunded_earlier_tickets},
                quantity=basis.refunded_earlier_tickets,
                unit_amount=-price.fixed_fee,
                amount=-credit,
            )
        )
    return lines


def estimate_next_invoice(account: BillingAccount, on: date) -> Decimal:
    """What the invoice of the period `on` closes would come to with today's sales: the same
    lines the run would make (add-ons and pending adjustments included), and its VAT."""
    price = account_price(account)
    previous = months_back(first_of_month(on), 1)
    start = max(
        anchor_date(previous.year, previous.month, account.billing_anchor_day),
        timezone.localdate(account.signed_up_at),
    )
    pending = account.adjustments.filter(invoice__isnull=True).order_by("created_at", "pk")
    lines, billed = invoice_lines(account, price, start, on, adjustments=pending)
    total = sum((line.amount for line in lines), Decimal(0))
    net = quantize(total + credit_carried_over(total, billed), price.currency)
    return net + vat_on(net, account_vat(account).rate, price.currency)
