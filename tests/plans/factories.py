from decimal import Decimal

from apps.plans.services import plan_create

EUR_PRICE = {
    "currency": "EUR",
    "monthly_fee": Decimal("29.00"),
    "setup_fee": Decimal("10.00"),
    "fixed_fee": Decimal("0.49"),
    "percent_fee": Decimal("1.50"),
}


def plan_build(*, slug: str = "starter", price: dict | None = None, **fields):
    """A plan (through the service) with a EUR price unless told otherwise."""
    return plan_create(name=fields.pop("name", slug.title()), slug=slug, price=price or EUR_PRICE, **fields)
