"""Reads on a client account: what it may use (its plan's features, overrides winning; the
answer to core.hooks.organizers_features), what it pays, its add-ons and adjustments."""

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, partial
from typing import Literal

from django.db.models import (
    F,
    QuerySet,
)
from django_tenants.utils import get_public_schema_name, schema_context

from apps.accounts.models import User
from apps.billing.models import BillingAccount, BillingAdjustment, InvoiceIssuer
from apps.billing.vat import VatTreatment, vat_treatment
from apps.core.cache import cached_many, entry_key
from apps.core.hooks import PlanFeatures
from apps.core.money import quantize
from apps.plans.exceptions import NoPrice
from apps.plans.features import FEATURES
from apps.plans.models import Feature
from apps.plans.selectors import (
    AddonFee,
    ResolvedPrice,
    addon_fees_from,
    addon_fees_in,
    addon_price_rows,
    default_currency,
    exchange_rates,
    plan_price_for,
    price_resolve,
)


def account_features(account: BillingAccount) -> PlanFeatures:
    """What a client may use: its plan's features, each override winning."""
    values, overridden = {}, set()
    for name in BillingAccount.FEATURE_OVERRIDES:
        override = getattr(account, f"{name}_override")
        if override is None:
            values[name] = getattr(account.plan, name)
        else:
            values[name] = override
            overridden.add(name)
    return PlanFeatures(**values, overridden=frozenset(overridden))


def organizers_features(organization_id: int, organizer_ids: Collection[int]) -> dict[int, PlanFeatures]:
    """{organizer id: its client account's features} for those of the organization's organizers
    that have a client account (an organizer without one is left out), from the cache (its
    generation, apps.plans.features, is dropped by the services that change them). The answer
    to core.hooks.organizers_features (registered in BillingConfig.ready)."""
    public = get_public_schema_name()
    keys = {entry_key(public, FEATURES, organization_id, pk): pk for pk in organizer_ids}

    def load(ids: list[int]) -> dict[int, PlanFeatures]:
        # Public tables are on every schema's search_path: no switch needed.
        accounts = BillingAccount.objects.select_related("plan").filter(
            organization_id=organization_id, organizer_id__in=ids
        )
        return {account.organizer_id: account_features(account) for account in accounts}

    return cached_many(schema_name=public, name=FEATURES, keys=keys, load=load)


def organizer_features(*, organization_id: int, organizer_id: int) -> PlanFeatures | None:
    """The features of one organizer's client account; None when it has none."""
    return organizers_features(organization_id=organization_id, organizer_ids=[organizer_id]).get(
        organizer_id
    )


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
    return _account_price(account, plan_price_for(plan=account.plan, currency=account.currency))


def billing_account_of(*, organization_id: int, organizer_id: int) -> BillingAccount | None:
    """The client account of one organizer of one organization, if it has one."""
    return (
        BillingAccount.objects.select_related("plan", "organization")
        .filter(organization_id=organization_id, organizer_id=organizer_id)
        .first()
    )


def account_prices(accounts: Iterable[BillingAccount]) -> dict[int, AccountPrice | None]:
    """account_price of many accounts (None for one whose plan has no price to give) in two
    queries whatever their number: the default currency, and the exchange rates of all their
    currencies (their plans' prices should be prefetched)."""
    accounts = list(accounts)
    base_currency_of = cache(default_currency)
    rates = exchange_rates({account.currency.upper() for account in accounts})
    prices: dict[int, AccountPrice | None] = {}
    for account in accounts:
        currency = account.currency.upper()
        try:
            base = price_resolve(
                account.plan,
                currency,
                base_currency_of=base_currency_of,
                rate_of=partial(rates.get, currency),
            )
        except NoPrice:
            prices[account.pk] = None
        else:
            prices[account.pk] = _account_price(account, base)
    return prices


def _account_price(account: BillingAccount, base: ResolvedPrice) -> AccountPrice:
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


@dataclass(frozen=True)
class Addon:
    """A feature a client has as an add-on; `fee` None when the add-on is free."""

    feature: str
    label: str
    fee: AddonFee | None


def account_addon_features(account: BillingAccount) -> list[str]:
    """The features turned on for this client alone while its plan lacks them."""
    return [
        feature
        for feature in Feature.values
        if getattr(account, f"{feature}_override") is True and not getattr(account.plan, feature)
    ]


def account_addons(account: BillingAccount, *, currency: str | None = None) -> list[Addon]:
    """The client's add-ons with their monthly price in `currency` (the currency its invoices
    are made in, by default). NoPrice when a paid add-on cannot be priced in it."""
    features = account_addon_features(account)
    if not features:
        return []
    currency = currency or account_price(account).currency
    fees = addon_fees_in(currency, features=features)
    return [Addon(feature, str(Feature(feature).label), fees[feature]) for feature in features]


def accounts_addons(
    accounts: Iterable[BillingAccount], prices: Mapping[int, AccountPrice | None]
) -> dict[int, list[Addon] | None]:
    """account_addons of many accounts (None for one whose add-ons cannot be priced) in two
    queries whatever their number: the add-on prices and the exchange rates. `prices`: their
    account_prices (the currency each is invoiced in)."""
    accounts = list(accounts)
    rows = addon_price_rows()
    rates = exchange_rates()
    base_currency_of = cache(default_currency)
    addons: dict[int, list[Addon] | None] = {}
    for account in accounts:
        features = account_addon_features(account)
        price = prices.get(account.pk)
        currency = price.currency if price is not None else account.currency.upper()
        try:
            fees = addon_fees_from(
                {feature: rows[feature] for feature in features},
                currency,
                base_currency_of=base_currency_of,
                rates=rates,
            )
        except NoPrice:
            addons[account.pk] = None
        else:
            addons[account.pk] = [Addon(f, str(Feature(f).label), fees[f]) for f in features]
    return addons


def account_adjustments(account: BillingAccount) -> QuerySet[BillingAdjustment]:
    """All the client's adjustments: pending ones first (oldest first), then the billed ones,
    newest first."""
    return account.adjustments.select_related("invoice").order_by(
        F("invoice__issued_at").desc(nulls_first=True), "created_at", "pk"
    )


def pending_adjustments(account: BillingAccount) -> QuerySet[BillingAdjustment]:
    """The one-off charges and credits waiting for the client's next monthly invoice."""
    return account.adjustments.filter(invoice__isnull=True).order_by("created_at", "pk")


def client_admin_email(account: BillingAccount) -> str:
    with schema_context(account.organization.schema_name):
        return (
            User.objects.filter(is_operator=True, is_admin=True, is_active=True, is_support=False)
            .order_by("pk")
            .values_list("email", flat=True)
            .first()
            or ""
        )


def account_vat(account: BillingAccount) -> VatTreatment:
    """The VAT the platform's invoices to this client carry today (see apps.billing.vat)."""
    issuer = InvoiceIssuer.stored()
    return vat_treatment(
        seller_country=str(issuer.legal_country),
        seller_rate=issuer.vat_rate,
        client_country=account.country,
        client_vat_number=account.vat_number,
    )
