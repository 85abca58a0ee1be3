"""Plans, prices and exchange rates: the rules of apps.billing.services and selectors."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.core.audit import Actor
from apps.core.models import AuditLogEntry
from apps.plans.currencies import STRIPE_CURRENCIES
from apps.plans.exceptions import LastPrice, NoPrice
from apps.plans.models import Plan, PlanPrice, PricingSettings
from apps.plans.selectors import (
    ResolvedPrice,
    currency_of_country,
    default_currency,
    plan_price_for,
    plan_price_for_country,
)
from apps.plans.services import (
    exchange_rate_create,
    exchange_rate_set,
    plan_delete,
    plan_price_create,
    plan_price_delete,
    plan_price_update,
    pricing_settings_update,
)
from tests.plans.factories import EUR_PRICE, plan_build

pytestmark = pytest.mark.django_db


def test_a_plan_is_created_with_its_first_price_and_audited():
    plan = plan_build(slug="starter", max_operators=2, actor=Actor(user=None, host="localhost"))

    assert [(p.currency, p.monthly_fee) for p in plan.prices.all()] == [("EUR", Decimal("29.00"))]
    assert set(AuditLogEntry.objects.values_list("action", flat=True)) == {
        "plan.created",
        "plan_price.created",
    }


def test_a_plan_with_a_bad_first_price_is_not_created_at_all():
    with pytest.raises(ValidationError) as raised:
        plan_build(slug="starter", price={**EUR_PRICE, "monthly_fee": Decimal("29.001")})

    assert "monthly_fee" in raised.value.message_dict
    assert not Plan.objects.exists()


def test_the_last_price_of_a_plan_cannot_be_deleted():
    plan = plan_build()
    gbp = plan_price_create(plan=plan, currency="gbp", monthly_fee=Decimal("25"))
    eur = plan.prices.get(currency="EUR")

    plan_price_delete(price=gbp)
    with pytest.raises(LastPrice, match="Starter needs at least one price"):
        plan_price_delete(price=eur)

    assert list(plan.prices.values_list("currency", flat=True)) == ["EUR"]
    assert LastPrice.status_code == 409


def test_deleting_a_plan_deletes_its_prices():
    plan = plan_build()

    plan_delete(plan=plan)

    assert not PlanPrice.objects.exists()
    assert AuditLogEntry.objects.filter(action="plan.deleted").exists()


def test_one_price_per_currency():
    plan = plan_build()

    with pytest.raises(ValidationError) as raised:
        plan_price_create(plan=plan, currency="EUR", monthly_fee=Decimal("30"))

    assert raised.value.message_dict == {"currency": ["This plan already has a price in EUR."]}


@pytest.mark.parametrize(
    ("currency", "amount", "ok"),
    [
        ("EUR", "29.99", True),
        ("EUR", "29.999", False),
        ("JPY", "3000", True),
        ("JPY", "3000.5", False),
        ("KWD", "9.125", True),
        ("KWD", "9.1255", False),
    ],
)
def test_amounts_have_no_more_decimals_than_their_currency(currency, amount, ok):
    plan = plan_build(price={"currency": "USD", "monthly_fee": Decimal(10)})

    if ok:
        plan_price_create(plan=plan, currency=currency, monthly_fee=Decimal(amount))
    else:
        with pytest.raises(ValidationError) as raised:
            plan_price_create(plan=plan, currency=currency, monthly_fee=Decimal(amount))
        assert list(raised.value.message_dict) == ["monthly_fee"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"currency": "XYZ"}, "currency"),
        ({"currency": "IRR"}, "currency"),  # real, but Stripe cannot charge in it
        ({"setup_fee": Decimal("-1")}, "setup_fee"),
        ({"percent_fee": Decimal("100.01")}, "percent_fee"),
        ({"percent_fee": Decimal("-0.5")}, "percent_fee"),
        ({"percent_fee": Decimal("1.555")}, "percent_fee"),
    ],
)
def test_invalid_prices_are_refused_on_their_field(changes, field):
    plan = plan_build()

    with pytest.raises(ValidationError) as raised:
        plan_price_update(price=plan.prices.get(), **changes)

    assert list(raised.value.message_dict) == [field]


@pytest.mark.parametrize("schema", ["Tenant Template", "pg_catalog", "public", "1abc", "a" * 64, 'x"; drop'])
def test_a_template_schema_must_look_like_a_schema_name(schema):
    with pytest.raises(ValidationError) as raised:
        plan_build(template_schema=schema)

    assert list(raised.value.message_dict) == ["template_schema"]


def test_a_plan_may_name_a_template_schema():
    assert plan_build(template_schema="template_pro").template_schema == "template_pro"


def test_the_default_currency_is_eur_unless_the_platform_says_otherwise():
    assert default_currency() == "EUR"
    pricing_settings_update(changes={"default_currency": "CHF"})
    assert default_currency() == "CHF"
    assert PricingSettings.stored().default_currency == "CHF"


def test_stripe_billable_currencies():
    assert {"EUR", "USD", "GBP", "CHF", "JPY", "SEK", "KWD", "AED", "BRL", "INR", "ZAR"} <= STRIPE_CURRENCIES
    assert not {"IRR", "KPW", "CUP", "SYP", "VES"} & STRIPE_CURRENCIES
    assert 130 <= len(STRIPE_CURRENCIES) <= 140


# --- resolving a price ----------------------------------------------------------------


def test_a_plans_own_price_in_a_currency_wins():
    plan = plan_build()
    plan_price_create(
        plan=plan,
        currency="GBP",
        monthly_fee=Decimal("25"),
        fixed_fee=Decimal("0.40"),
        percent_fee=Decimal("1.25"),
    )
    exchange_rate_create(currency="GBP", rate=Decimal("0.85"))

    assert plan_price_for(plan=plan, currency="gbp") == ResolvedPrice(
        currency="GBP",
        monthly_fee=Decimal("25.00"),
        setup_fee=Decimal("0.00"),
        fixed_fee=Decimal("0.40"),
        percent_fee=Decimal("1.25"),
        source="own",
    )


@pytest.mark.parametrize(
    ("currency", "rate", "monthly", "setup", "fixed"),
    [
        # EUR 29.00 / 10.00 / 0.49
        ("USD", "1.083333", "31.42", "10.83", "0.53"),  # 31.416657 → 31.42; 0.530833 → 0.53
        ("JPY", "162.5", "4713", "1625", "80"),  # 4712.5 → 4713 (half up); 79.625 → 80
        ("KWD", "0.33345", "9.670", "3.335", "0.163"),  # 9.67005 → 9.670; 3.3345 → 3.335 (half up)
        ("CHF", "0.95", "27.55", "9.50", "0.47"),  # 0.4655 → 0.47 (half up)
    ],
)
def test_a_missing_price_is_converted_and_rounded_to_the_currencys_decimals(
    currency, rate, monthly, setup, fixed
):
    plan = plan_build()
    exchange_rate_create(currency=currency, rate=Decimal(rate))

    resolved = plan_price_for(plan=plan, currency=currency)

    assert resolved == ResolvedPrice(
        currency=currency,
        monthly_fee=Decimal(monthly),
        setup_fee=Decimal(setup),
        fixed_fee=Decimal(fixed),
        percent_fee=Decimal("1.50"),  # a percentage needs no conversion
        source="converted",
    )
    assert str(resolved.monthly_fee) == monthly  # the currency's own decimals


def test_without_a_rate_the_default_currency_price_is_offered():
    plan = plan_build()

    resolved = plan_price_for(plan=plan, currency="SEK")

    assert (resolved.currency, resolved.monthly_fee, resolved.source) == ("EUR", Decimal("29.00"), "default")


def test_a_currency_stripe_cannot_charge_in_gets_the_default_currency_price():
    plan = plan_build()

    resolved = plan_price_for(plan=plan, currency="IRR")

    assert (resolved.currency, resolved.monthly_fee, resolved.source) == ("EUR", Decimal("29.00"), "default")


def test_a_plan_without_a_default_currency_price_has_no_price_to_fall_back_on():
    plan = plan_build(price={"currency": "GBP", "monthly_fee": Decimal("25")})

    assert plan_price_for(plan=plan, currency="GBP").source == "own"
    with pytest.raises(NoPrice, match="Starter has no price in USD, nor one in EUR"):
        plan_price_for(plan=plan, currency="USD")


@pytest.mark.parametrize(
    ("country", "currency"),
    [("CH", "CHF"), ("JP", "JPY"), ("DE", "EUR"), ("KW", "KWD"), ("PA", "PAB"), ("ZW", "USD"), ("AQ", None)],
)
def test_a_countrys_currency_is_its_legal_tender_preferring_one_we_can_bill(country, currency):
    assert currency_of_country(country) == currency


def test_a_price_for_a_country():
    plan = plan_build()
    exchange_rate_create(currency="CHF", rate=Decimal("0.95"))

    assert plan_price_for_country(plan=plan, country="ch").monthly_fee == Decimal("27.55")
    assert plan_price_for_country(plan=plan, country="CU").source == "default"  # CUP: no Stripe
    assert plan_price_for_country(plan=plan, country="AQ").currency == "EUR"  # no currency at all


# --- exchange rates -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "rate", "field"),
    [
        ("USD", Decimal(0), "rate"),
        ("USD", Decimal("-1.2"), "rate"),
        ("USD", Decimal("1.0000001"), "rate"),
        ("XYZ", Decimal("1.1"), "currency"),
        ("EUR", Decimal("1"), "currency"),  # the default currency converts from itself
    ],
)
def test_invalid_rates_are_refused_on_their_field(currency, rate, field):
    with pytest.raises(ValidationError) as raised:
        exchange_rate_create(currency=currency, rate=rate)

    assert list(raised.value.message_dict) == [field]


def test_setting_a_rate_creates_or_changes_it():
    exchange_rate_set(currency="usd", rate=Decimal("1.08"))
    rate = exchange_rate_set(currency="USD", rate=Decimal("1.1"))

    assert (rate.currency, rate.rate) == ("USD", Decimal("1.1"))
    assert list(AuditLogEntry.objects.order_by("pk").values_list("action", flat=True)) == [
        "exchange_rate.created",
        "exchange_rate.updated",
    ]


def test_prices_convert_from_whatever_the_default_currency_is():
    pricing_settings_update(changes={"default_currency": "USD"})
    plan = plan_build(price={"currency": "USD", "monthly_fee": Decimal("30.00")})
    exchange_rate_create(currency="EUR", rate=Decimal("0.9"))

    assert plan_price_for(plan=plan, currency="EUR").monthly_fee == Decimal("27.00")
    assert plan_price_for(plan=plan, currency="GBP").currency == "USD"  # no rate: the USD price
