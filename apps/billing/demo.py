"""Demo plans and exchange rates (idempotent: run it as often as you like)."""

from decimal import Decimal

from apps.billing import services
from apps.billing.models import Plan
from apps.billing.selectors import default_currency

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

# Units per euro (demo figures, not market data).
RATES = {
    "USD": Decimal("1.080000"),
    "GBP": Decimal("0.850000"),
    "CHF": Decimal("0.950000"),
    "SEK": Decimal("11.500000"),
    "JPY": Decimal("162.000000"),
}


def billing_demo_seed() -> None:
    """The Starter and Pro plans with their prices, and a few exchange rates from EUR."""
    for spec in PLANS:
        plan = Plan.objects.filter(slug=spec["fields"]["slug"]).first()
        first, *others = spec["prices"]
        if plan is None:
            plan = services.plan_create(price=first, **spec["fields"])
        for price in others:
            if not plan.prices.filter(currency=price["currency"]).exists():
                services.plan_price_create(plan=plan, **price)
    for currency, rate in RATES.items():
        if currency != default_currency():  # the rates are from EUR, the usual default
            services.exchange_rate_set(currency=currency, rate=rate)
