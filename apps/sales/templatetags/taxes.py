"""Template filters of taxes: an order's tax lines (as sold) and a rate as people read it."""

from decimal import Decimal

from django import template

from apps.sales.models import Order
from apps.sales.selectors import ShopListing
from apps.sales.selectors.taxes import (
    TaxedPrice,
    TaxLine,
    rate_text,
    tax_lines_of,
    tax_rules_for,
    taxed_price,
)

register = template.Library()


@register.filter
def tax_lines(order: Order) -> list[TaxLine]:
    """The taxes in the order's ticket and add-on prices, one line per tax and rate (two queries)."""
    return tax_lines_of([*order.tickets.all(), *order.add_ons.all()])


@register.filter
def percent(rate: Decimal | int | str | None) -> str:
    """A rate in the reader's locale, without trailing zeros: "20", "5.5" ("5,5" in French)."""
    return "" if rate is None or rate == "" else rate_text(Decimal(rate))


@register.filter
def listing_taxes(listing: ShopListing, currency: str) -> dict[int, TaxedPrice]:
    """{ticket type id: its price under its tax} for an event page's listing (one query)."""
    ticket_types = {t.pk: t for _d, _a, offers in listing.dates for t, _left in offers}
    ticket_types |= {t.pk: t for t, _left in listing.passes}
    rules = tax_rules_for(ticket_types)
    return {pk: taxed_price(t.price, currency, rules.get(pk)) for pk, t in ticket_types.items()}


@register.filter
def taxed_of(taxed: dict[int, TaxedPrice] | None, ticket_type_id: int) -> TaxedPrice | None:
    return (taxed or {}).get(ticket_type_id)
