"""Reads on plans: which price a client pays in its currency."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache, partial
from typing import Literal

from babel.numbers import get_territory_currencies
from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Lower, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context, schema_exists

from apps.billing.currencies import is_billable
from apps.billing.exceptions import NoPrice
from apps.billing.models import (
    AddonPrice,
    BillingAccount,
    BillingAdjustment,
    ExchangeRate,
    Feature,
    Invoice,
    Plan,
    PlanPrice,
    SalesMonth,
)
from apps.core.cache import cached_many, entry_key, generation_bump
from apps.core.hooks import FeeableSale
from apps.core.models import AuditLogEntry
from apps.core.money import quantize
from apps.platform.models import PlatformSettings

ZERO = Decimal(0)

DEFAULT_CURRENCY = "EUR"


def default_currency() -> str:
    """The currency plans are priced in first and converted from (PlatformSettings, else EUR)."""
    return PlatformSettings.stored().default_currency or DEFAULT_CURRENCY


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


# The generation (apps.core.cache) of clients' features, in the public schema: the permission
# module reads them on every sale at the box office. Any save or delete of a plan or a client
# account drops it (apps.billing.receivers); an update() of their features must call
# features_changed() itself.
FEATURES = "features"


def features_changed() -> None:
    generation_bump(schema_name=get_public_schema_name(), name=FEATURES)


def organizers_features(*, organization_id: int, organizer_ids) -> dict[int, AccountFeatures]:
    """{organizer id: its client account's features} for those of the organization's organizers
    that have a client account (an organizer without one is left out), from the cache."""
    public = get_public_schema_name()
    keys = {entry_key(public, FEATURES, organization_id, pk): pk for pk in organizer_ids}

    def load(ids) -> dict[int, AccountFeatures]:
        # Public tables are on every schema's search_path: no switch needed.
        accounts = BillingAccount.objects.select_related("plan").filter(
            organization_id=organization_id, organizer_id__in=ids
        )
        return {account.organizer_id: account_features(account) for account in accounts}

    return cached_many(schema_name=public, name=FEATURES, keys=keys, load=load)


def organizer_features(*, organization_id: int, organizer_id: int) -> AccountFeatures | None:
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


def account_prices(accounts) -> dict[int, AccountPrice | None]:
    """account_price of many accounts (None for one whose plan has no price to give) in two
    queries whatever their number: the default currency, and the exchange rates of all their
    currencies (their plans' prices should be prefetched)."""
    accounts = list(accounts)
    base_currency_of = cache(default_currency)
    rates = dict(
        ExchangeRate.objects.filter(
            currency__in={account.currency.upper() for account in accounts}
        ).values_list("currency", "rate")
    )
    prices: dict[int, AccountPrice | None] = {}
    for account in accounts:
        currency = account.currency.upper()
        try:
            base = _resolve(
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


# --- add-ons: features a client has by override while its plan lacks them -------------------


@dataclass(frozen=True)
class AddonFee:
    """A feature's monthly add-on price in one currency: "own" (priced in that currency) or
    "converted" (from the default currency's price at the stored rate)."""

    feature: str
    currency: str
    monthly_fee: Decimal
    source: Literal["own", "converted"]


def addon_fees_in(currency: str, *, features=None) -> dict[str, AddonFee | None]:
    """Each feature's add-on price in `currency` (None: no price at all, a free add-on), by the
    plans' rules: its own price, else the default currency's converted with currency_convert
    (rounded half up to the currency's decimals); NoPrice when neither can be had."""
    features = list(features if features is not None else Feature.values)
    rows: dict[str, dict[str, Decimal]] = {feature: {} for feature in features}
    for row in AddonPrice.objects.filter(feature__in=features):
        rows[row.feature][row.currency] = row.monthly_fee
    return _addon_fees(rows, currency.upper(), base_currency_of=cache(default_currency))


def _addon_fees(
    rows: dict[str, dict[str, Decimal]], currency: str, *, base_currency_of, rates=None
) -> dict[str, AddonFee | None]:
    """`rows`: feature → {currency: monthly fee} of the features asked."""
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


def accounts_addons(accounts, prices: dict[int, "AccountPrice | None"]) -> dict[int, list[Addon] | None]:
    """account_addons of many accounts (None for one whose add-ons cannot be priced) in two
    queries whatever their number: the add-on prices and the exchange rates. `prices`: their
    account_prices (the currency each is invoiced in)."""
    accounts = list(accounts)
    rows: dict[str, dict[str, Decimal]] = {feature: {} for feature in Feature.values}
    for row in AddonPrice.objects.all():
        rows[row.feature][row.currency] = row.monthly_fee
    rates = dict(ExchangeRate.objects.values_list("currency", "rate"))
    base_currency_of = cache(default_currency)
    addons: dict[int, list[Addon] | None] = {}
    for account in accounts:
        features = account_addon_features(account)
        price = prices.get(account.pk)
        currency = price.currency if price is not None else account.currency.upper()
        try:
            fees = _addon_fees(
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


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def months_back(month: date, count: int) -> date:
    """The first day of the month `count` months before `month` (a first day)."""
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


# Amounts sort in the default currency (at the stored rates), so 1,500 JPY is less than 80 EUR.
CLIENT_ORDERS = {
    "name": (Lower("organizer_name"), "pk"),
    "signed_up": ("signed_up_at", "pk"),
    "sales": ("sales_compared", "pk"),
    "balance": ("balance_compared", "pk"),
}


def _in_default_currency(amount: str, currency: str):
    """`amount` (in the currency named by the field `currency`) divided by that currency's rate;
    unchanged for the default currency or one without a rate."""
    rate = Subquery(ExchangeRate.objects.filter(currency=OuterRef(currency)).values("rate")[:1])
    return Coalesce(
        ExpressionWrapper(F(amount) / NullIf(rate, Value(ZERO)), output_field=DecimalField()),
        F(amount),
        output_field=DecimalField(),
    )


def _balance_of_open_invoices():
    """Per account: what its open invoices still ask (total − paid), 0 when none."""
    owed = (
        Invoice.objects.filter(account=OuterRef("pk"), status=Invoice.Status.OPEN)
        .order_by()
        .values("account")
        .annotate(owed=Sum(F("total") - F("amount_paid")))
        .values("owed")
    )
    return Coalesce(Subquery(owed, output_field=DecimalField(max_digits=16, decimal_places=3)), Value(ZERO))


def clients_listed(
    *,
    search: str = "",
    plan: Plan | None = None,
    status: str = "",
    order: str = "name",
    today: date | None = None,
) -> QuerySet[BillingAccount]:
    """Every client with its plan and organization, this month's sales (`sales_this_month` in
    `sales_currency`) and `balance` of its open invoices — one query whatever the number of rows.

    `order`: a key of CLIENT_ORDERS, "-" in front for descending.
    """
    month = first_of_month(today or timezone.localdate())
    this_month = SalesMonth.objects.filter(account=OuterRef("pk"), month=month)
    accounts = BillingAccount.objects.select_related("plan", "organization").annotate(
        sales_this_month=Coalesce(Subquery(this_month.values("gross")[:1]), Value(ZERO)),
        sales_currency=Subquery(this_month.values("currency")[:1]),
        balance=_balance_of_open_invoices(),
    )
    search = search.strip()
    if search:
        accounts = accounts.filter(
            Q(organizer_name__icontains=search)
            | Q(organizer_slug__icontains=search)
            | Q(organization__name__icontains=search)
            | Q(contact_email__icontains=search)
        )
    if plan is not None:
        accounts = accounts.filter(plan=plan)
    if status:
        accounts = accounts.filter(status=status)
    descending = order.startswith("-")
    key = order.removeprefix("-")
    if key == "sales":
        accounts = accounts.annotate(
            sales_compared=_in_default_currency("sales_this_month", "sales_currency")
        )
    elif key == "balance":
        accounts = accounts.annotate(balance_compared=_in_default_currency("balance", "currency"))
    sorts = [F(field) if isinstance(field, str) else field for field in CLIENT_ORDERS[key]]
    return accounts.order_by(*(sort.desc() if descending else sort.asc() for sort in sorts))


def billing_accounts_listed(*, currency: str = "", card_on_file: bool | None = None, **filters):
    """clients_listed (same figures, search, filters and orders) narrowed to a billing currency
    and to clients with (or without) a card on file, with their pending adjustments prefetched
    as `pending`."""
    accounts = clients_listed(**filters).prefetch_related(
        "plan__prices",
        Prefetch(
            "adjustments",
            BillingAdjustment.objects.filter(invoice__isnull=True).order_by("created_at", "pk"),
            to_attr="pending",
        ),
    )
    if currency:
        accounts = accounts.filter(currency=currency.upper())
    if card_on_file is not None:
        accounts = (
            accounts.exclude(payment_method_id="") if card_on_file else accounts.filter(payment_method_id="")
        )
    return accounts


def client_of(account_id: int) -> BillingAccount:
    """One client with the same figures as the list (raises BillingAccount.DoesNotExist)."""
    return clients_listed().prefetch_related("plan__prices", "organization__domains").get(pk=account_id)


@dataclass(frozen=True)
class SalesBar:
    month: date
    gross: Decimal
    orders: int
    tickets: int
    height: Decimal  # share of the tallest bar, 0–100


def sales_history(account: BillingAccount, *, months: int = 12, today: date | None = None) -> list[SalesBar]:
    """The client's paid sales of the last `months` months, oldest first, the current one last;
    months without sales are there with 0."""
    current = first_of_month(today or timezone.localdate())
    first = months_back(current, months - 1)
    rows = {
        row.month: row
        for row in SalesMonth.objects.filter(account=account, month__gte=first, month__lte=current)
    }
    tallest = max((row.gross for row in rows.values()), default=ZERO) or Decimal(1)
    bars = []
    for index in range(months):
        month = months_back(current, months - 1 - index)
        row = rows.get(month)
        gross = row.gross if row else ZERO
        bars.append(
            SalesBar(
                month=month,
                gross=gross,
                orders=row.orders if row else 0,
                tickets=row.tickets if row else 0,
                height=(gross * 100 / tallest).quantize(Decimal("0.1")),
            )
        )
    return bars


def open_invoices(account: BillingAccount) -> QuerySet[Invoice]:
    return account.invoices.filter(status=Invoice.Status.OPEN)


@dataclass(frozen=True)
class ActivityEntry:
    entry: AuditLogEntry
    on_client_site: bool  # recorded in the client's schema (else on the platform)


def client_activity(account: BillingAccount, *, limit: int = 20) -> list[ActivityEntry]:
    """The latest audit entries of the client's own schema and the platform's entries about this
    client (its account, its organization's support sessions), newest first."""
    platform = AuditLogEntry.objects.filter(
        Q(target_type=BillingAccount._meta.label_lower, target_id=str(account.pk))
        | Q(target_type=account.organization._meta.label_lower, target_id=str(account.organization_id))
    )
    entries = [ActivityEntry(entry, on_client_site=False) for entry in platform[:limit]]
    organization = account.organization
    if organization.is_ready and schema_exists(organization.schema_name):
        with schema_context(organization.schema_name):
            entries += [
                ActivityEntry(entry, on_client_site=True) for entry in AuditLogEntry.objects.all()[:limit]
            ]
    entries.sort(key=lambda item: (item.entry.created_at, item.entry.pk), reverse=True)
    return entries[:limit]


def client_home_host(account: BillingAccount) -> str:
    """The host of the client's storefront: its organizer's own address (a custom domain once
    verified wins), else its organization's primary host; "" when it has none."""
    domains = list(account.organization.domains.all())
    for_organizer = [
        domain
        for domain in domains
        if domain.organizer_slug == account.organizer_slug and (not domain.is_custom or domain.verified_at)
    ]
    for_organizer.sort(key=lambda domain: (not domain.is_custom, domain.pk))
    if for_organizer:
        return for_organizer[0].domain
    primary = next((domain for domain in domains if domain.is_primary), None)
    return primary.domain if primary else ""


def sales_currency_of(account: BillingAccount) -> str | None:
    """The currency the client sells in, as its latest sales month says."""
    return account.sales_months.order_by("-month").values_list("currency", flat=True).first()


# --- the platform's cut of ticket sales ---------------------------------------------------------


def application_fee_for_order(sale: FeeableSale) -> Decimal:
    """The platform's transaction fee on an online sale, as its client's plan (and overrides)
    says: the fixed fee per paid ticket plus the percent of the ticket revenue. An organizer
    without a client account pays none. A fixed fee priced in another currency than the
    sale's is converted with the stored rates (or left out when a rate is missing: never
    block a sale on it). Answers core.hooks.sale_application_fee (BillingConfig.ready)."""
    with schema_context("public"):
        account = (
            BillingAccount.objects.select_related("plan")
            .filter(organization__schema_name=sale.schema_name, organizer_id=sale.organizer_id)
            .first()
        )
        if account is None:
            return Decimal(0)
        price = account_price(account)
        fixed = price.fixed_fee
        if price.currency != sale.currency:
            try:
                fixed = currency_convert(fixed, price.currency, sale.currency)
            except NoPrice:
                fixed = Decimal(0)
    percent = sale.subtotal * price.percent_fee / 100
    return quantize(fixed * sale.paid_tickets + percent, sale.currency)


def currency_convert(
    amount: Decimal, source: str, target: str, *, rates: dict[str, Decimal] | None = None, base: str = ""
) -> Decimal:
    """`amount` of `source` in `target`, through the stored rates (both relative to the default
    currency); NoPrice when a rate is missing. A list passes `rates` (currency → rate) and the
    default currency as `base`, read once for all its rows."""
    if rates is None:
        rates = dict(
            ExchangeRate.objects.filter(currency__in=[source, target]).values_list("currency", "rate")
        )
    rates = {**rates, (base or default_currency()): Decimal(1)}
    if source not in rates or target not in rates:
        raise NoPrice(
            _("No exchange rate between %(source)s and %(target)s: add it to bill this client.")
            % {"source": source, "target": target}
        )
    return amount / rates[source] * rates[target]


# --- a client's own billing page (read from its organization's host) ----------------------------


@dataclass(frozen=True)
class BillingOverview:
    account: BillingAccount
    invoices: list
    balance: Decimal
    next_invoice_on: date | None
    estimate: Decimal | None


def billing_overview(schema_name: str, *, today: date | None = None) -> list[BillingOverview]:
    """Each client account of an organization: its invoices, what it owes, and the next
    invoice's date and estimate (monthly fee + fees on this period's sales so far)."""
    today = today or timezone.localdate()
    overviews = []
    with schema_context("public"):
        accounts = list(
            BillingAccount.objects.select_related("plan", "organization").filter(
                organization__schema_name=schema_name
            )
        )
        for account in accounts:
            invoices = list(
                account.invoices.exclude(status=Invoice.Status.DRAFT).order_by("-issued_at", "-pk")[:50]
            )
            balance = sum((i.balance for i in invoices if i.status == Invoice.Status.OPEN), Decimal(0))
            next_on = next_invoice_date(account, today=today)
            overviews.append(
                BillingOverview(account, invoices, balance, next_on, next_invoice_estimate(account, next_on))
            )
    return overviews


def next_invoice_date(account: BillingAccount, *, today: date | None = None) -> date:
    """The next billing day after `today` (29–31 clamped to short months)."""
    from apps.billing.services import anchor_date

    today = today or timezone.localdate()
    this_month = anchor_date(today.year, today.month, account.billing_anchor_day)
    if this_month > today:
        return this_month
    following = months_back(first_of_month(today), -1)
    return anchor_date(following.year, following.month, account.billing_anchor_day)


def next_invoice_estimate(account: BillingAccount, on: date) -> Decimal | None:
    """estimate_next_invoice of the invoice made `on`, in the invoice's currency; None when it
    cannot be priced or the client's site is not live (its sales cannot be read)."""
    from apps.billing.services import estimate_next_invoice

    if not account.organization.is_ready or not schema_exists(account.organization.schema_name):
        return None
    try:
        return estimate_next_invoice(account, on)
    except NoPrice:
        return None


# --- the platform's invoices ---------------------------------------------------------------------


def invoices_listed(
    *, status: str = "", search: str = "", month: date | None = None, today: date | None = None
):
    """All invoices of all clients, newest first: `status` is unpaid, overdue, paid or void;
    `search` a client's name or an invoice number; `month` the month of issue."""
    today = today or timezone.localdate()
    invoices = Invoice.objects.select_related("account", "account__organization").exclude(
        status=Invoice.Status.DRAFT
    )
    if status == "unpaid":
        invoices = invoices.filter(status=Invoice.Status.OPEN)
    elif status == "overdue":
        invoices = invoices.filter(status=Invoice.Status.OPEN, due_date__lt=today)
    elif status in (Invoice.Status.PAID, Invoice.Status.VOID):
        invoices = invoices.filter(status=status)
    if search:
        invoices = invoices.filter(Q(account__organizer_name__icontains=search) | Q(number__icontains=search))
    if month:
        invoices = invoices.filter(issued_at__year=month.year, issued_at__month=month.month)
    return invoices.order_by("-issued_at", "-pk")


def invoice_totals(invoices) -> list[dict]:
    """Per currency: how many, their total, and what is still owed."""
    return list(
        invoices.order_by()
        .values("currency")
        .annotate(
            invoice_count=Count("pk"),
            invoiced=Sum("total"),
            owed=Sum(F("total") - F("amount_paid"), filter=Q(status="open")),
        )
        .order_by("currency")
    )


def invoices_awaiting_email() -> list[int]:
    """Issued invoices whose e-mail lost its task (broker down at the commit, or Redis lost
    its queue), oldest first: their sweep sends them again."""
    from apps.core.emails import pending_window

    since, until = pending_window()
    return list(
        Invoice.objects.filter(
            number__isnull=False,
            sent_at=None,
            status__in=(Invoice.Status.OPEN, Invoice.Status.PAID),
            issued_at__range=(since, until),
        )
        .order_by("issued_at", "pk")
        .values_list("pk", flat=True)
    )
