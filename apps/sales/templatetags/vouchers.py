"""Template filters of vouchers: the prices an event page's listing has with the buyer's
voucher, and what a voucher gives in words."""

from django import template

from apps.sales.models import Voucher
from apps.sales.selectors import ShopListing
from apps.sales.selectors.taxes import TaxedPrice, tax_rules_for, taxed_price
from apps.sales.selectors.vouchers import voucher_applies, voucher_discount_text, voucher_listed_price

register = template.Library()


@register.filter
def voucher_taxes(listing: ShopListing, voucher: Voucher | None) -> dict[int, TaxedPrice]:
    """{ticket type id: its price with the voucher, under its tax} for the ticket types of the
    listing the voucher changes the price of, priced as an order prices them (one query)."""
    if voucher is None or voucher.price_mode == Voucher.PriceMode.NONE:
        return {}
    ticket_types = {t.pk: t for _d, _a, offers in listing.dates for t, _left in offers}
    ticket_types |= {t.pk: t for t, _left in listing.passes}
    ticket_types = {pk: t for pk, t in ticket_types.items() if voucher_applies(voucher, t)}
    if not ticket_types:
        return {}
    currency = voucher.organizer.currency
    rules = tax_rules_for(ticket_types)
    return {
        pk: taxed_price(voucher_listed_price(voucher, t.price, currency), currency, rules.get(pk))
        for pk, t in ticket_types.items()
    }


@register.filter
def voucher_text(voucher: Voucher, currency: str) -> str:
    """ "5.00 € off", "10 % off", "price 4.00 €", "no discount"."""
    return voucher_discount_text(voucher, currency)
