from decimal import Decimal

import pytest

from apps.billing.demo import billing_demo_seed
from apps.billing.models import ExchangeRate, Plan, PlanPrice
from apps.billing.selectors import plan_price_for

pytestmark = pytest.mark.django_db


def test_the_demo_plans_and_rates_are_seeded_once():
    billing_demo_seed()
    billing_demo_seed()

    starter, pro = Plan.objects.order_by("sort_order")
    assert (starter.name, starter.custom_domain, starter.max_operators) == ("Starter", False, 2)
    assert (pro.name, pro.event_replication, pro.box_office, pro.custom_domain, pro.max_operators) == (
        "Pro",
        True,
        True,
        True,
        None,
    )
    eur = starter.prices.get(currency="EUR")
    assert (eur.monthly_fee, eur.setup_fee, eur.fixed_fee, eur.percent_fee) == (
        Decimal(29),
        Decimal(0),
        Decimal("0.49"),
        Decimal("1.5"),
    )
    eur = pro.prices.get(currency="EUR")
    assert (eur.monthly_fee, eur.setup_fee, eur.fixed_fee, eur.percent_fee) == (
        Decimal(99),
        Decimal(149),
        Decimal("0.29"),
        Decimal(1),
    )
    assert sorted(PlanPrice.objects.values_list("plan__slug", "currency")) == [
        ("pro", "EUR"),
        ("pro", "GBP"),
        ("starter", "EUR"),
    ]
    assert sorted(ExchangeRate.objects.values_list("currency", flat=True)) == [
        "CHF",
        "GBP",
        "JPY",
        "SEK",
        "USD",
    ]
    assert plan_price_for(plan=starter, currency="JPY").source == "converted"
