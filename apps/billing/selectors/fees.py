"""The platform's cut of ticket sales, as a client's plan says."""

from decimal import Decimal

from django_tenants.utils import schema_context

from apps.billing.models import BillingAccount
from apps.billing.selectors.accounts import account_price
from apps.core.hooks import FeeableSale
from apps.core.money import quantize
from apps.plans.exceptions import NoPrice
from apps.plans.selectors import (
    currency_convert,
)


def transaction_fee(fixed_fee: Decimal, percent_fee: Decimal, tickets: int, revenue: Decimal) -> Decimal:
    """A plan's transaction fee on `tickets` paid tickets worth `revenue`: the fixed fee per
    ticket plus the percent of the revenue, unrounded (the caller rounds to its currency)."""
    return fixed_fee * tickets + revenue * percent_fee / 100


def application_fee_for_order(sale: FeeableSale) -> Decimal:
    """The platform's transaction fee on an online sale, as its client's plan (and overrides)
    says: the fixed fee per paid ticket plus the percent of the ticket revenue. An organizer
    without a client account pays none. A fixed fee priced in another currency than the
    sale's is converted with the stored rates (or left out when a rate is missing: never
    block a sale on it). Answers core.hooks.sale_application_fee (BillingConfig.ready)."""
    with schema_context("public"):
        account = (
            BillingAccount.objects.select_related("plan")
            .filter(organization__schema_name=sale.schema_name, organizer_id=sale.organizer_id)
            .first()
        )
        if account is None:
            return Decimal(0)
        price = account_price(account)
        fixed = price.fixed_fee
        if price.currency != sale.currency:
            try:
                fixed = currency_convert(fixed, price.currency, sale.currency)
            except NoPrice:
                fixed = Decimal(0)
    return quantize(
        transaction_fee(fixed, price.percent_fee, sale.paid_tickets, sale.subtotal), sale.currency
    )
