"""The template side of `apps.core.money.format_money`: every amount a page or an e-mail shows
goes through one of these two filters."""

from decimal import Decimal

from django import template

from apps.core.money import format_money

register = template.Library()


@register.filter
def money(amount: Decimal | int | str | None, currency: str) -> str:
    """`{{ amount|money:currency }}`: the amount with its currency's decimals, in the locale's
    own currency format, as the shop writes it: "€30.00", "30,00 €", "¥3,000"."""
    return format_money(amount, currency, style="symbol")


@register.filter
def money_code(amount: Decimal | int | str | None, currency: str) -> str:
    """`{{ amount|money_code:currency }}`: the amount with its currency's decimals in the page's
    number format, then the currency's code: "1,500.00 EUR", "1 500,00 EUR", "1,500 JPY"."""
    return format_money(amount, currency)
