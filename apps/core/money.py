"""Money is a Decimal with its currency's exponent; Stripe's minor units are made here only,
and every amount shown to a person is written by `format_money`, here only."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from babel import Locale
from babel.numbers import format_currency, parse_pattern
from django.utils.translation import get_language, to_locale

from apps.core.currencies import currency_exponent

MoneyStyle = Literal["symbol", "code", "csv"]


def quantize(amount: Decimal | int | str, currency: str) -> Decimal:
    return Decimal(amount).quantize(Decimal(1).scaleb(-currency_exponent(currency)), rounding=ROUND_HALF_UP)


def fits_currency(amount: Decimal, currency: str) -> bool:
    """True when `amount` has no more decimals than the currency has (JPY none, EUR two)."""
    return Decimal(amount) == quantize(amount, currency)


def to_minor_units(amount: Decimal, currency: str) -> int:
    return int(quantize(amount, currency).scaleb(currency_exponent(currency)))


def from_minor_units(units: int, currency: str) -> Decimal:
    return quantize(Decimal(units).scaleb(-currency_exponent(currency)), currency)


def format_money(
    amount: Decimal | int | str | None,
    currency: str,
    *,
    style: MoneyStyle = "code",
    language: str | None = None,
) -> str:
    """`amount` in `currency` as a person reads it: rounded (half up) to the currency's
    exponent (JPY none, EUR two, KWD three) and written in the reader's locale — the active
    language unless `language` is given — with its decimal separator and digit grouping.

    - "code" (pages, PDFs, e-mails): the number, then the ISO code: "1,500.00 EUR",
      "1 500,00 EUR" in French, "1,500 JPY".
    - "symbol" (the shop): the locale's own currency format: "€1,500.00", "1 500,00 €".
    - "csv": for spreadsheets and scripts, which parse a cell as a number only without a
      sign, grouping or locale: the currency's decimals, a "." decimal point, nothing else
      ("1500.00", "-10.00", "1500"); the currency goes in a column of its own.

    No amount (None, "") or no currency is written as "". The locale's narrow no-break space
    (French grouping) is written as a no-break space, which the PDFs' fonts have.
    """
    if amount is None or amount == "" or not currency:
        return ""
    currency = currency.upper()
    value = quantize(amount, currency)
    if style == "csv":
        return f"{value:f}"
    locale = Locale.parse(to_locale(language or get_language() or "en"))
    if style == "symbol":
        text = format_currency(value, currency, locale=locale, currency_digits=True)
    else:
        number = parse_pattern(locale.decimal_formats[None].pattern).apply(value, locale, currency=currency)
        text = f"{number} {currency}"
    return text.replace("\u202f", "\xa0")
