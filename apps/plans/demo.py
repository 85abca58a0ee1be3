"""Demo plans with their prices, add-on prices and exchange rates (idempotent: run it as often
as you like); the demo clients on them are apps.platform.demo_billing's."""

from decimal import Decimal

from apps.plans.models import AddonPrice, Plan
from apps.plans.selectors import default_currency
from apps.plans.services import addon_price_create, exchange_rate_set, plan_create, plan_price_create

PLANS = [
    {
        "fields": {
            "name": "Starter",
            "slug": "starter",
            "description": "Everything to sell tickets online.",
            "sort_order": 1,
            "max_operators": 2,
        },
        "prices": [
            {
                "currency": "EUR",
                "monthly_fee": Decimal("29.00"),
                "setup_fee": Decimal("0.00"),
                "fixed_fee": Decimal("0.49"),
                "percent_fee": Decimal("1.50"),
            }
        ],
    },
    {
        "fields": {
            "name": "Pro",
            "slug": "pro",
            "description": "Recurring events, a box office and your own domain.",
            "sort_order": 2,
            "event_replication": True,
            "box_office": True,
            "custom_domain": True,
            "max_operators": None,
        },
        "prices": [
            {
                "currency": "EUR",
                "monthly_fee": Decimal("99.00"),
                "setup_fee": Decimal("149.00"),
                "fixed_fee": Decimal("0.29"),
                "percent_fee": Decimal("1.00"),
            },
            {
                "currency": "GBP",
                "monthly_fee": Decimal("85.00"),
                "setup_fee": Decimal("129.00"),
                "fixed_fee": Decimal("0.25"),
                "percent_fee": Decimal("1.00"),
            },
        ],
    },
]

# Features sold as add-ons to clients whose plan lacks them: monthly fee per currency (others
# are converted from EUR). Event replication has no price: a free add-on.
ADDON_PRICES = [
    {"feature": "box_office", "currency": "EUR", "monthly_fee": Decimal("15.00")},
    {"feature": "box_office", "currency": "GBP", "monthly_fee": Decimal("13.00")},
    {"feature": "custom_domain", "currency": "EUR", "monthly_fee": Decimal("5.00")},
]

# Units per euro (demo figures, not market data).
RATES = {
    "USD": Decimal("1.080000"),
    "GBP": Decimal("0.850000"),
    "CHF": Decimal("0.950000"),
    "SEK": Decimal("11.500000"),
    "JPY": Decimal("162.000000"),
}


def plans_demo_seed() -> None:
    """The Starter and Pro plans with their prices, a few exchange rates from EUR, and the
    add-on prices."""
    for spec in PLANS:
        plan = Plan.objects.filter(slug=spec["fields"]["slug"]).first()
        first, *others = spec["prices"]
        if plan is None:
            plan = plan_create(price=first, **spec["fields"])
        for price in others:
            if not plan.prices.filter(currency=price["currency"]).exists():
                plan_price_create(plan=plan, **price)
    for currency, rate in RATES.items():
        if currency != default_currency():  # the rates are from EUR, the usual default
            exchange_rate_set(currency=currency, rate=rate)
    for price in ADDON_PRICES:
        if not AddonPrice.objects.filter(feature=price["feature"], currency=price["currency"]).exists():
            addon_price_create(**price)
