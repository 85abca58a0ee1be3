"""Money is a Decimal with its currency's exponent; Stripe's minor units are made here only."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from apps.core.currencies import currency_exponent


def quantize(amount: Decimal, currency: str) -> Decimal:
    return Decimal(amount).quantize(Decimal(1).scaleb(-currency_exponent(currency)), rounding=ROUND_HALF_UP)


def fits_currency(amount: Decimal, currency: str) -> bool:
    """True when `amount` has no more decimals than the currency has (JPY none, EUR two)."""
    return Decimal(amount) == quantize(amount, currency)


def to_minor_units(amount: Decimal, currency: str) -> int:
    return int(quantize(amount, currency).scaleb(currency_exponent(currency)))


def from_minor_units(units: int, currency: str) -> Decimal:
    return quantize(Decimal(units).scaleb(-currency_exponent(currency)), currency)


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self):
        object.__setattr__(self, "amount", quantize(self.amount, self.currency))

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
