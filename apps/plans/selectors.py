"""Reads on the plan catalogue: which price a plan asks in a currency, add-on prices, the
platform's default currency and conversions between currencies at the stored rates."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Literal

from babel.numbers import get_territory_currencies
from django.utils.translation import gettext as _

from apps.core.money import quantize
from apps.plans.currencies import is_billable
from apps.plans.exceptions import NoPrice
from apps.plans.models import AddonPrice, ExchangeRate, Feature, Plan, PlanPrice, PricingSettings

DEFAULT_CURRENCY = "EUR"

PriceSource = Literal["own", "converted", "default"]


def default_currency() -> str:
    """The currency plans are priced in first and converted from (PricingSettings, else EUR)."""
    return PricingSettings.stored().default_currency or DEFAULT_CURRENCY


@dataclass(frozen=True)
class ResolvedPrice:
    """A plan's fees in one currency, and how they were found:
    "own" (the plan's price in that currency), "converted" (from the default-currency price
    with the stored rate) or "default" (the default-currency price itself: no rate, or a
    currency our payment processor cannot charge in)."""

    currency: str
    monthly_fee: Decimal
    setup_fee: Decimal
    fixed_fee: Decimal
    percent_fee: Decimal
    source: PriceSource


def _resolved(
    price: PlanPrice, source: PriceSource, *, currency: str | None = None, rate: Decimal = Decimal(1)
) -> ResolvedPrice:
    currency = currency or price.currency
    return ResolvedPrice(
        currency=currency,
        monthly_fee=quantize(price.monthly_fee * rate, currency),
        setup_fee=quantize(price.setup_fee * rate, currency),
        fixed_fee=quantize(price.fixed_fee * rate, currency),
        percent_fee=price.percent_fee,
        source=source,
    )


def plan_price_for(*, plan: Plan, currency: str) -> ResolvedPrice:
    """The plan's price in `currency`: its own, else converted from the default currency
    (rounded half up to the currency's decimals), else the default-currency price."""
    currency = currency.upper()
    return price_resolve(
        plan, currency, base_currency_of=default_currency, rate_of=lambda: exchange_rate_of(currency)
    )


def plans_priced_in(*, plans: Iterable[Plan], currency: str) -> list[ResolvedPrice | None]:
    """Each plan's price in `currency` (None when it has none to give), reading the default
    currency and the exchange rate once for all of them."""
    currency = currency.upper()
    base_currency_of = cache(default_currency)
    rate_of = cache(lambda: exchange_rate_of(currency))
    priced: list[ResolvedPrice | None] = []
    for plan in plans:
        try:
            priced.append(price_resolve(plan, currency, base_currency_of=base_currency_of, rate_of=rate_of))
        except NoPrice:
            priced.append(None)
    return priced


def exchange_rate_of(currency: str) -> Decimal | None:
    """The stored rate of `currency` (units per unit of the default currency), if any."""
    return ExchangeRate.objects.filter(currency=currency).values_list("rate", flat=True).first()


def exchange_rates(currencies: Iterable[str] | None = None) -> dict[str, Decimal]:
    """{currency: rate} of the stored rates (of `currencies`, when given)."""
    rates = ExchangeRate.objects.all()
    if currencies is not None:
        rates = rates.filter(currency__in=list(currencies))
    return dict(rates.values_list("currency", "rate"))


def price_resolve(
    plan: Plan,
    currency: str,
    *,
    base_currency_of: Callable[[], str],
    rate_of: Callable[[], Decimal | None],
) -> ResolvedPrice:
    """plan_price_for with the default currency and the rate of `currency` given as readers,
    so that a list reads them once (the plan's prices should be prefetched)."""
    prices = {price.currency: price for price in plan.prices.all()}
    own = prices.get(currency)
    if own is not None and is_billable(currency):
        return _resolved(own, "own")
    base_currency = base_currency_of()
    base = prices.get(base_currency)
    if base is None:
        raise NoPrice(
            _("%(plan)s has no price in %(currency)s, nor one in %(default)s to convert from.")
            % {"plan": plan, "currency": currency, "default": base_currency}
        )
    if is_billable(currency):
        rate = rate_of()
        if rate is not None:
            return _resolved(base, "converted", currency=currency, rate=rate)
    return _resolved(base, "default")


def currency_of_country(country: str) -> str | None:
    """The country's legal tender today: the first one we can bill in, else the first one."""
    currencies = get_territory_currencies(country.upper(), tender=True)
    return next((code for code in currencies if is_billable(code)), currencies[0] if currencies else None)


def plan_price_for_country(*, plan: Plan, country: str) -> ResolvedPrice:
    return plan_price_for(plan=plan, currency=currency_of_country(country) or default_currency())


# --- add-on prices ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AddonFee:
    """A feature's monthly add-on price in one currency: "own" (priced in that currency) or
    "converted" (from the default currency's price at the stored rate)."""

    feature: str
    currency: str
    monthly_fee: Decimal
    source: Literal["own", "converted"]


def addon_price_rows(features: Iterable[str] | None = None) -> dict[str, dict[str, Decimal]]:
    """feature → {currency: monthly fee} of `features` (every feature by default)."""
    wanted = list(features if features is not None else Feature.values)
    rows: dict[str, dict[str, Decimal]] = {feature: {} for feature in wanted}
    for row in AddonPrice.objects.filter(feature__in=wanted):
        rows[row.feature][row.currency] = row.monthly_fee
    return rows


def addon_fees_in(currency: str, *, features: Iterable[str] | None = None) -> dict[str, AddonFee | None]:
    """Each feature's add-on price in `currency` (None: no price at all, a free add-on), by the
    plans' rules: its own price, else the default currency's converted with currency_convert
    (rounded half up to the currency's decimals); NoPrice when neither can be had."""
    return addon_fees_from(
        addon_price_rows(features), currency.upper(), base_currency_of=cache(default_currency)
    )


def addon_fees_from(
    rows: Mapping[str, Mapping[str, Decimal]],
    currency: str,
    *,
    base_currency_of: Callable[[], str],
    rates: Mapping[str, Decimal] | None = None,
) -> dict[str, AddonFee | None]:
    """addon_fees_in from `rows` (feature → {currency: monthly fee} of the features asked) and,
    for a list, the rates read once."""
    fees: dict[str, AddonFee | None] = {}
    for feature, prices in rows.items():
        if not prices:
            fees[feature] = None
        elif currency in prices and is_billable(currency):
            fees[feature] = AddonFee(feature, currency, quantize(prices[currency], currency), "own")
        else:
            base = base_currency_of()
            if base not in prices:
                raise NoPrice(
                    _(
                        "The %(feature)s add-on has no price in %(currency)s, nor one in %(default)s to "
                        "convert from."
                    )
                    % {"feature": Feature(feature).label, "currency": currency, "default": base}
                )
            converted = quantize(
                currency_convert(prices[base], base, currency, rates=rates, base=base), currency
            )
            fees[feature] = AddonFee(feature, currency, converted, "converted")
    return fees


def feature_label(feature: str) -> str:
    return str(Feature(feature).label)


# --- conversions -------------------------------------------------------------------------------


def currency_convert(
    amount: Decimal, source: str, target: str, *, rates: Mapping[str, Decimal] | None = None, base: str = ""
) -> Decimal:
    """`amount` of `source` in `target`, through the stored rates (both relative to the default
    currency); NoPrice when a rate is missing. A list passes `rates` (currency → rate) and the
    default currency as `base`, read once for all its rows."""
    if rates is None:
        rates = exchange_rates([source, target])
    known = {**rates, (base or default_currency()): Decimal(1)}
    if source not in known or target not in known:
        raise NoPrice(
            _("No exchange rate between %(source)s and %(target)s: add it to bill this client.")
            % {"source": source, "target": target}
        )
    return amount / known[source] * known[target]
