"""Reads on plans: which price a client pays in its currency."""

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Literal

from babel.numbers import get_territory_currencies
from django.utils.translation import gettext as _

from apps.billing.currencies import is_billable
from apps.billing.exceptions import NoPrice
from apps.billing.models import BillingAccount, ExchangeRate, Plan, PlanPrice
from apps.core.money import quantize
from apps.platform.models import PlatformSettings

DEFAULT_CURRENCY = "EUR"


def default_currency() -> str:
    """The currency plans are priced in first and converted from (PlatformSettings, else EUR)."""
    return getattr(PlatformSettings.load(), "default_currency", DEFAULT_CURRENCY) or DEFAULT_CURRENCY


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
    source: Literal["own", "converted", "default"]


def _resolved(price: PlanPrice, source, *, currency: str | None = None, rate: Decimal = Decimal(1)):
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
    return _resolve(plan, currency, base_currency_of=default_currency, rate_of=lambda: _rate(currency))


def plans_priced_in(*, plans, currency: str) -> list[ResolvedPrice | None]:
    """Each plan's price in `currency` (None when it has none to give), reading the default
    currency and the exchange rate once for all of them."""
    currency = currency.upper()
    base_currency_of, rate_of = cache(default_currency), cache(lambda: _rate(currency))
    priced = []
    for plan in plans:
        try:
            priced.append(_resolve(plan, currency, base_currency_of=base_currency_of, rate_of=rate_of))
        except NoPrice:
            priced.append(None)
    return priced


def _rate(currency: str) -> Decimal | None:
    return ExchangeRate.objects.filter(currency=currency).values_list("rate", flat=True).first()


def _resolve(plan: Plan, currency: str, *, base_currency_of, rate_of) -> ResolvedPrice:
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


# --- clients (billing accounts) ---------------------------------------------------------


@dataclass(frozen=True)
class AccountFeatures:
    """What a client may use: its plan's features, each override winning."""

    event_replication: bool
    box_office: bool
    custom_domain: bool
    max_operators: int | None  # None: unlimited
    overridden: frozenset[str]


def account_features(account: BillingAccount) -> AccountFeatures:
    values, overridden = {}, set()
    for name in BillingAccount.FEATURE_OVERRIDES:
        override = getattr(account, f"{name}_override")
        if override is None:
            values[name] = getattr(account.plan, name)
        else:
            values[name] = override
            overridden.add(name)
    return AccountFeatures(**values, overridden=frozenset(overridden))


@dataclass(frozen=True)
class AccountPrice:
    """A client's fees in its billing currency: the plan's price in that currency with
    each override winning; `overridden` names the fees set for this client alone."""

    currency: str
    monthly_fee: Decimal
    setup_fee: Decimal
    fixed_fee: Decimal
    percent_fee: Decimal
    source: Literal["own", "converted", "default"]
    overridden: frozenset[str]


def account_price(account: BillingAccount) -> AccountPrice:
    base = plan_price_for(plan=account.plan, currency=account.currency)
    values, overridden = {}, set()
    for name in BillingAccount.PRICE_OVERRIDES:
        override = getattr(account, f"{name}_override")
        if override is None:
            values[name] = getattr(base, name)
        else:
            values[name] = override if name == "percent_fee" else quantize(override, base.currency)
            overridden.add(name)
    return AccountPrice(
        currency=base.currency, source=base.source, overridden=frozenset(overridden), **values
    )


def billing_account_of(*, organization_id: int, organizer_id: int) -> BillingAccount | None:
    """The client account of one organizer of one organization, if it has one."""
    return (
        BillingAccount.objects.select_related("plan", "organization")
        .filter(organization_id=organization_id, organizer_id=organizer_id)
        .first()
    )
