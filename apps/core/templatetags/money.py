from babel.numbers import format_currency
from django import template
from django.utils.translation import get_language, to_locale

from apps.core.money import quantize

register = template.Library()


@register.filter
def money(amount, currency: str) -> str:
    """`{{ amount|money:currency }}`: the amount with its currency's decimals, written the
    way the page's language writes money (€30.00, 30,00 €, ¥3,000)."""
    if amount in (None, ""):
        return ""
    locale = to_locale(get_language() or "en")
    return format_currency(quantize(amount, currency), currency, locale=locale, currency_digits=True)
