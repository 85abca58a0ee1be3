from decimal import Decimal

from django import template
from django.utils.formats import number_format

from apps.core.currencies import currency_exponent
from apps.core.money import quantize

register = template.Library()


@register.filter
def money(amount, currency: str) -> str:
    """`amount` with its currency's decimals and code, in the page's number format: "1,500 JPY"."""
    if amount is None or not currency:
        return ""
    amount = quantize(Decimal(amount), currency)
    return f"{number_format(amount, decimal_pos=currency_exponent(currency), use_l10n=True, force_grouping=True)} {currency}"


@register.filter
def percent(value) -> str:
    if value is None:
        return ""
    return f"{number_format(Decimal(value).normalize(), use_l10n=True)} %"
