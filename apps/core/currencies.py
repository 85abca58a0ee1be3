"""ISO 4217 currencies in use today, with their names and minor-unit exponents (from CLDR)."""

from datetime import date
from functools import cache

from babel import Locale
from babel.numbers import get_currency_name, get_currency_precision, get_territory_currencies
from django.utils.translation import get_language


@cache
def currency_codes() -> frozenset[str]:
    """Legal tender of some territory today (excludes retired codes such as FRF)."""
    today = date.today()  # noqa: DTZ011 - a calendar date is what CLDR keys on
    return frozenset(
        code
        for territory in Locale("en").territories
        for code in get_territory_currencies(territory, start_date=today, tender=True)
    )


def currency_exponent(code: str) -> int:
    return get_currency_precision(code)


def currency_choices() -> list[tuple[str, str]]:
    locale = (get_language() or "en").replace("-", "_")
    return sorted(
        ((code, f"{code} – {get_currency_name(code, locale=locale)}") for code in currency_codes()),
        key=lambda choice: choice[0],
    )


def is_currency(code: str) -> bool:
    return code in currency_codes()
