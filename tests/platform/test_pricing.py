"""The pricing page: the public plans, their features and their prices for a chosen country."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from apps.plans.services import exchange_rate_set, plan_price_create
from tests.plans.factories import plan_build
from tests.tenants import ALPHA

STARTER_EUR = {
    "currency": "EUR",
    "monthly_fee": Decimal("29.00"),
    "setup_fee": Decimal("0.00"),
    "fixed_fee": Decimal("0.49"),
    "percent_fee": Decimal("1.50"),
}
PRO_EUR = {
    "currency": "EUR",
    "monthly_fee": Decimal("99.00"),
    "setup_fee": Decimal("149.00"),
    "fixed_fee": Decimal("0.29"),
    "percent_fee": Decimal("1.00"),
}
PRO_GBP = {
    "currency": "GBP",
    "monthly_fee": Decimal("85.00"),
    "setup_fee": Decimal("129.00"),
    "fixed_fee": Decimal("0.25"),
    "percent_fee": Decimal("1.00"),
}


@pytest.fixture
def plans(organizations):
    with schema_context("public"):
        starter = plan_build(slug="starter", price=STARTER_EUR, sort_order=2, max_operators=2)
        pro = plan_build(
            slug="pro",
            price=PRO_EUR,
            sort_order=1,
            event_replication=True,
            box_office=True,
            custom_domain=True,
            description="For the busy ones.",
        )
        plan_price_create(plan=pro, **PRO_GBP)
        plan_build(slug="secret", name="Secret deal", is_public=False)
        exchange_rate_set(currency="JPY", rate=Decimal("162.000000"))
        exchange_rate_set(currency="GBP", rate=Decimal("0.850000"))
        exchange_rate_set(currency="KWD", rate=Decimal("0.331234"))
    return {"starter": starter, "pro": pro}


def _page(client, country: str | None = None):
    data = {"country": country} if country is not None else {}
    return client.get("/pricing/", data, HTTP_HOST="localhost")


def _card(html: str, slug: str) -> str:
    """The plan's card, up to the next one."""
    match = re.search(rf'<article class="plan" aria-labelledby="plan-{slug}">(.*?)</article>', html, re.S)
    assert match, f"no card for {slug}"
    return match.group(1)


def _text(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


# --- Who sees it.


def test_anyone_sees_the_pricing_page_branded_and_linked_from_the_nav(client, plans):
    response = _page(client)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en"' in html  # the site's own layout
    assert '<a href="/pricing/">Pricing</a>' in html


def test_the_pricing_page_does_not_exist_on_an_organization_host(client, plans):
    assert client.get("/pricing/", HTTP_HOST=ALPHA.host).status_code == 404


# --- Which plans, in which order, with which features.


def test_only_public_plans_are_shown_in_their_order(client, plans):
    html = _page(client).content.decode()

    assert "Secret deal" not in html
    assert "?plan=secret" not in html
    assert html.index('id="plan-pro"') < html.index('id="plan-starter"')


def test_each_plan_shows_its_features_and_a_start_button(client, plans):
    html = _page(client).content.decode()
    pro, starter = _text(_card(html, "pro")), _text(_card(html, "starter"))

    assert "For the busy ones." in pro
    assert "Unlimited operators" in pro
    assert "Up to 2 operators" in starter
    for feature in ("Event replication", "Box office", "Your own domain"):
        assert f"{feature} (not included)" not in pro
        assert f"{feature} (not included)" in starter
    assert 'href="/register/?plan=pro"' in _card(html, "pro")
    assert 'href="/register/?plan=starter"' in _card(html, "starter")


def test_the_sign_up_links_carry_the_plan_and_the_chosen_country(client, plans):
    html = _page(client, "GB").content.decode()

    assert 'href="/register/?plan=pro&amp;country=GB"' in _card(html, "pro")
    assert "Sign up" in _text(_card(html, "pro"))


def test_no_public_plan_says_so(client, organizations):
    html = _page(client).content.decode()

    assert "Our plans are being prepared" in html


# --- Prices per country.


def test_without_a_country_prices_are_in_the_platforms_default_currency(client, plans):
    html = _page(client).content.decode()
    pro = _text(_card(html, "pro"))

    assert "99.00 EUR per month" in pro
    assert "Setup fee 149.00 EUR" in pro
    assert "Per ticket sold 0.29 EUR + 1 %" in pro
    assert "Setup fee None" in _text(_card(html, "starter"))
    assert "Per ticket sold 0.49 EUR + 1.50 %" in _text(_card(html, "starter"))
    assert 'class="muted price-source"' not in html  # the plans' own prices


def test_a_plans_own_price_in_the_countrys_currency_is_shown(client, plans):
    pro = _card(_page(client, "GB").content.decode(), "pro")

    assert "85.00 GBP per month" in _text(pro)
    assert "Setup fee 129.00 GBP" in _text(pro)
    assert "price-source" not in pro


def test_a_converted_price_has_the_currencys_decimals_and_says_it_is_converted(client, plans):
    html = _page(client, "GB").content.decode()
    starter = _text(_card(html, "starter"))

    assert "24.65 GBP per month" in starter  # 29.00 × 0.85
    assert "Per ticket sold 0.42 GBP + 1.50 %" in starter  # 0.4165 rounded half up
    assert "Converted from our default currency" in starter


def test_yen_have_no_decimals(client, plans):
    html = _page(client, "JP").content.decode()
    pro, starter = _text(_card(html, "pro")), _text(_card(html, "starter"))

    assert "16,038 JPY per month" in pro  # 99 × 162, grouped as every amount
    assert "Setup fee 24,138 JPY" in pro
    assert "Per ticket sold 47 JPY + 1 %" in pro  # 0.29 × 162 = 46.98
    assert "4,698 JPY per month" in starter
    assert "Converted from our default currency" in pro


def test_dinars_have_three_decimals(client, plans):
    starter = _text(_card(_page(client, "KW").content.decode(), "starter"))

    assert "9.606 KWD per month" in starter  # 29 × 0.331234 = 9.605786


def test_without_a_rate_the_default_currency_price_is_shown_and_said_so(client, plans):
    starter = _text(_card(_page(client, "US").content.decode(), "starter"))

    assert "29.00 EUR per month" in starter
    assert "Charged in EUR: this plan has no price in your country's currency." in starter


def test_the_empty_choice_names_the_default_currency(client, plans):
    html = _page(client).content.decode()

    assert '<option value="" selected>Any country (prices in EUR)</option>' in html


def test_the_chosen_country_stays_selected(client, plans):
    html = _page(client, "JP").content.decode()

    assert re.search(r'<option value="JP" selected>', html)


def test_an_unknown_country_is_a_field_error_and_shows_default_prices(client, plans):
    response = _page(client, "XX")

    assert response.status_code == 400
    assert "country" in response.context["form"].errors
    assert "99.00 EUR per month" in _text(_card(response.content.decode(), "pro"))


def test_prices_follow_the_language(client, plans):
    client.cookies["django_language"] = "fr"

    html = _page(client, "GB").content.decode()

    assert "24,65 GBP" in _text(_card(html, "starter"))


# --- Cheap.


def _count(client, country: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert _page(client, country).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("country", ["", "GB"])
def test_the_query_count_does_not_grow_with_the_plans_priced_in_that_currency(client, plans, country):
    """Each plan priced in the shown currency: two reads for all of them (plans, prices)."""
    with schema_context("public"):
        for plan in plans.values():
            if not plan.prices.filter(currency="GBP").exists():
                plan_price_create(plan=plan, **{**PRO_GBP, "currency": "GBP"})
    _count(client, country)  # warm the brand cache
    few = _count(client, country)

    with schema_context("public"):
        for number in range(4):
            extra = plan_build(slug=f"extra-{number}", price=STARTER_EUR)
            plan_price_create(plan=extra, **PRO_GBP)

    assert _count(client, country) == few


def test_the_query_count_does_not_grow_with_converted_plans(client, plans):
    """Plans priced only in the default currency, shown in yen: one rate read for all."""
    _count(client, "JP")  # warm the brand cache
    few = _count(client, "JP")

    with schema_context("public"):
        for number in range(4):
            plan_build(slug=f"extra-{number}", price=STARTER_EUR)

    assert _count(client, "JP") == few
