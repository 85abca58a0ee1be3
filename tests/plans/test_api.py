"""REST API of plans, prices and exchange rates: platform admins, on the platform host only."""

from decimal import Decimal

import pytest

from apps.core.models import AuditLogEntry
from apps.plans.models import ExchangeRate, Plan, PlanPrice
from apps.plans.services import exchange_rate_create, plan_price_create
from tests.factories import (
    PLATFORM_HOST,
    UserFactory,
    api_client,
    api_token,
    only_platform_admins,
    role_matrix,
    totp_for,
    world_build,
)
from tests.plans.factories import EUR_PRICE, plan_build

FIRST_PRICE = {
    "currency": "EUR",
    "monthly_fee": "99.00",
    "setup_fee": "149.00",
    "fixed_fee": "0.29",
    "percent_fee": "1.00",
}


@pytest.fixture
def world(alpha, beta):
    world = world_build(alpha, beta)
    totp_for(world.platform_admin)  # the platform API needs two-factor authentication
    return world


@pytest.fixture
def admin_client(organizations):
    """A platform admin's client on the platform host."""
    admin = UserFactory(email="admin@platform.test", is_staff=True)
    totp_for(admin)
    return api_client(host=PLATFORM_HOST, token=api_token(admin))


@role_matrix(only_platform_admins(200))
def test_plan_list(world, role, expected):
    plan_build()

    response = world.client(role).get("/api/v1/plans/")

    world.check(role, response, expected)


@role_matrix(only_platform_admins(201))
def test_plan_create(world, role, expected):
    response = world.client(role).post(
        "/api/v1/plans/", {"name": "Pro", "slug": "pro", "price": FIRST_PRICE}, format="json"
    )

    world.check(role, response, expected)
    assert Plan.objects.filter(slug="pro").exists() == (expected == 201)


@role_matrix(only_platform_admins(204))
def test_plan_price_delete(world, role, expected):
    plan = plan_build()
    gbp = plan_price_create(plan=plan, currency="GBP", monthly_fee=Decimal(25))

    response = world.client(role).delete(f"/api/v1/plan-prices/{gbp.pk}/")

    world.check(role, response, expected)
    assert PlanPrice.objects.filter(pk=gbp.pk).exists() == (expected != 204)


@role_matrix(only_platform_admins(201))
def test_exchange_rate_create(world, role, expected):
    response = world.client(role).post(
        "/api/v1/exchange-rates/", {"currency": "USD", "rate": "1.080000"}, format="json"
    )

    world.check(role, response, expected)
    assert ExchangeRate.objects.filter(currency="USD").exists() == (expected == 201)


@role_matrix(only_platform_admins(200))
def test_resolved_price(world, role, expected):
    plan = plan_build()

    response = world.client(role).get(f"/api/v1/plans/{plan.pk}/price/?currency=EUR")

    world.check(role, response, expected)


# --- behaviour --------------------------------------------------------------------------


def test_a_plan_is_created_with_its_first_price(admin_client):
    response = admin_client.post(
        "/api/v1/plans/",
        {"name": "Pro", "slug": "pro", "box_office": True, "max_operators": None, "price": FIRST_PRICE},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["box_office"], body["max_operators"]) == ("Pro", True, None)
    assert body["prices"] == [FIRST_PRICE]
    assert "price" not in body
    entry = AuditLogEntry.objects.get(action="plan.created")
    assert (entry.actor_email, entry.host) == ("admin@platform.test", "localhost")


def test_the_plan_list_shows_prices_in_a_fixed_number_of_queries(admin_client, django_assert_num_queries):
    for n in range(3):
        plan = plan_build(slug=f"plan-{n}")
        plan_price_create(plan=plan, currency="JPY", monthly_fee=Decimal(4800))

    # host → tenant, token with its user, the user's TOTP authenticator, count, plans, prices;
    # the search_path is set once per schema switch
    with django_assert_num_queries(8):
        response = admin_client.get("/api/v1/plans/")

    assert response.status_code == 200
    assert [row["slug"] for row in response.json()["results"]] == ["plan-0", "plan-1", "plan-2"]
    assert [p["monthly_fee"] for p in response.json()["results"][0]["prices"]] == ["29.00", "4800"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "Pro", "slug": "pro"}, "price"),  # a plan needs a price
        ({"name": "Pro", "slug": "pro", "price": {**FIRST_PRICE, "currency": "XYZ"}}, "price"),
        ({"name": "Pro", "slug": "pro", "price": {**FIRST_PRICE, "monthly_fee": "9.999"}}, "price"),
        ({"name": "Pro", "slug": "pro", "price": {**FIRST_PRICE, "percent_fee": "101"}}, "price"),
        ({"name": "Pro", "slug": "starter", "price": FIRST_PRICE}, "slug"),  # taken
        (
            {"name": "Pro", "slug": "pro", "template_schema": "Not a schema", "price": FIRST_PRICE},
            "template_schema",
        ),
        ({"name": "Pro", "slug": "pro", "max_operators": 0, "price": FIRST_PRICE}, "max_operators"),
        ({"slug": "pro", "price": FIRST_PRICE}, "name"),
    ],
)
def test_invalid_plan_data_is_a_message_on_the_field(admin_client, payload, field):
    plan_build(slug="starter")

    response = admin_client.post("/api/v1/plans/", payload, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert Plan.objects.count() == 1


def test_a_bad_first_price_is_a_message_on_its_own_field(admin_client):
    response = admin_client.post(
        "/api/v1/plans/",
        {
            "name": "Pro",
            "slug": "pro",
            "price": {
                **FIRST_PRICE,
                "currency": "JPY",
                "monthly_fee": "99.50",
                "setup_fee": "0",
                "fixed_fee": "30",
            },
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"price": {"monthly_fee": ["JPY amounts cannot have that many decimals."]}}


def test_a_plan_is_updated_and_deleted(admin_client):
    plan = plan_build()

    updated = admin_client.patch(f"/api/v1/plans/{plan.pk}/", {"custom_domain": True}, format="json")
    with_price = admin_client.patch(f"/api/v1/plans/{plan.pk}/", {"price": FIRST_PRICE}, format="json")
    deleted = admin_client.delete(f"/api/v1/plans/{plan.pk}/")

    assert updated.status_code == 200
    assert updated.json()["custom_domain"] is True
    assert updated.json()["prices"][0]["currency"] == "EUR"
    assert with_price.status_code == 400
    assert list(with_price.json()) == ["price"]
    assert deleted.status_code == 204
    assert not Plan.objects.exists()
    assert not PlanPrice.objects.exists()


def test_prices_are_added_changed_and_listed_per_plan(admin_client):
    plan, other = plan_build(slug="starter"), plan_build(slug="pro")

    created = admin_client.post(
        "/api/v1/plan-prices/",
        {"plan": plan.pk, "currency": "kwd", "monthly_fee": "9.125", "fixed_fee": "0.150"},
        format="json",
    )
    changed = admin_client.patch(
        f"/api/v1/plan-prices/{created.json()['id']}/", {"monthly_fee": "9.5"}, format="json"
    )
    listed = admin_client.get(f"/api/v1/plan-prices/?plan={plan.pk}")

    assert created.status_code == 201, created.content
    assert created.json() | {"id": 0} == {
        "id": 0,
        "plan": plan.pk,
        "currency": "KWD",
        "monthly_fee": "9.125",
        "setup_fee": "0.000",
        "fixed_fee": "0.150",
        "percent_fee": "0.00",
    }
    assert changed.status_code == 200
    assert changed.json()["monthly_fee"] == "9.500"
    assert [p["currency"] for p in listed.json()["results"]] == ["EUR", "KWD"]
    assert admin_client.get("/api/v1/plan-prices/?plan=x").json()["results"] == []
    assert admin_client.get("/api/v1/plan-prices/?plan=²").json()["results"] == []  # not int's digit
    moved = admin_client.patch(
        f"/api/v1/plan-prices/{created.json()['id']}/", {"plan": other.pk}, format="json"
    )
    assert moved.status_code == 400
    assert list(moved.json()) == ["plan"]


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"currency": "EUR", "monthly_fee": "10"}, "currency", "already has a price in EUR"),
        ({"currency": "eur", "monthly_fee": "10"}, "currency", "already has a price in EUR"),
        ({"currency": "IRR", "monthly_fee": "10"}, "currency", "cannot charge in IRR"),
        ({"currency": "USD", "monthly_fee": "-1"}, "monthly_fee", "greater than or equal to 0"),
        ({"currency": "USD", "monthly_fee": "1", "percent_fee": "1.555"}, "percent_fee", "2 decimal places"),
        ({"currency": "KWD", "monthly_fee": "1.0005"}, "monthly_fee", "decimal places"),
        ({"currency": "USD"}, "monthly_fee", "required"),
    ],
)
def test_invalid_prices_are_a_message_on_the_field(admin_client, payload, field, message):
    plan = plan_build()

    response = admin_client.post("/api/v1/plan-prices/", {"plan": plan.pk, **payload}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert message in str(response.json())


def test_the_last_price_cannot_be_deleted(admin_client):
    plan = plan_build()

    response = admin_client.delete(f"/api/v1/plan-prices/{plan.prices.get().pk}/")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Starter needs at least one price: add another before deleting its EUR price."
    }
    assert plan.prices.count() == 1


def test_exchange_rates_are_edited(admin_client):
    created = admin_client.post(
        "/api/v1/exchange-rates/", {"currency": "jpy", "rate": "162.5"}, format="json"
    )
    changed = admin_client.patch(
        f"/api/v1/exchange-rates/{created.json()['id']}/", {"rate": "160"}, format="json"
    )
    listed = admin_client.get("/api/v1/exchange-rates/")
    deleted = admin_client.delete(f"/api/v1/exchange-rates/{created.json()['id']}/")

    assert created.status_code == 201
    assert (created.json()["currency"], created.json()["rate"]) == ("JPY", "162.500000")
    assert changed.json()["rate"] == "160.000000"
    assert [r["currency"] for r in listed.json()["results"]] == ["JPY"]
    assert deleted.status_code == 204
    assert not ExchangeRate.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"currency": "USD", "rate": "0"}, "rate"),
        ({"currency": "USD", "rate": "-1"}, "rate"),
        ({"currency": "USD", "rate": "1.0000001"}, "rate"),
        ({"currency": "XYZ", "rate": "1"}, "currency"),
        ({"currency": "EUR", "rate": "1"}, "currency"),  # the default currency
        ({"currency": "GBP", "rate": "0.9"}, "currency"),  # already there
        ({"currency": "gbp", "rate": "0.9"}, "currency"),
    ],
)
def test_invalid_rates_are_a_message_on_the_field(admin_client, payload, field):
    exchange_rate_create(currency="GBP", rate=Decimal("0.85"))

    response = admin_client.post("/api/v1/exchange-rates/", payload, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "currency=gbp",
            {
                "currency": "GBP",
                "monthly_fee": "25.00",
                "setup_fee": "0.00",
                "fixed_fee": "0.40",
                "percent_fee": "1.25",
                "source": "own",
            },
        ),
        (
            "currency=JPY",
            {
                "currency": "JPY",
                "monthly_fee": "4713",
                "setup_fee": "1625",
                "fixed_fee": "80",
                "percent_fee": "1.50",
                "source": "converted",
            },
        ),
        (
            "country=JP",
            {
                "currency": "JPY",
                "monthly_fee": "4713",
                "setup_fee": "1625",
                "fixed_fee": "80",
                "percent_fee": "1.50",
                "source": "converted",
            },
        ),
        (
            "currency=SEK",  # no rate
            {
                "currency": "EUR",
                "monthly_fee": "29.00",
                "setup_fee": "10.00",
                "fixed_fee": "0.49",
                "percent_fee": "1.50",
                "source": "default",
            },
        ),
        (
            "country=IR",  # IRR: Stripe cannot charge in it
            {
                "currency": "EUR",
                "monthly_fee": "29.00",
                "setup_fee": "10.00",
                "fixed_fee": "0.49",
                "percent_fee": "1.50",
                "source": "default",
            },
        ),
    ],
)
def test_the_price_a_client_pays(admin_client, query, expected):
    plan = plan_build(price=EUR_PRICE)
    plan_price_create(
        plan=plan,
        currency="GBP",
        monthly_fee=Decimal(25),
        fixed_fee=Decimal("0.40"),
        percent_fee=Decimal("1.25"),
    )
    exchange_rate_create(currency="JPY", rate=Decimal("162.5"))

    response = admin_client.get(f"/api/v1/plans/{plan.pk}/price/?{query}")

    assert response.status_code == 200
    assert response.json() == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("", "currency"),
        ("currency=XYZ", "currency"),
        ("country=ZZ", "country"),
        ("currency=EUR&country=NL", "currency"),
    ],
)
def test_a_bad_price_question_is_a_message_on_the_field(admin_client, query, field):
    plan = plan_build()

    response = admin_client.get(f"/api/v1/plans/{plan.pk}/price/?{query}")

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_a_plan_without_a_default_currency_price_answers_409_for_other_currencies(admin_client):
    plan = plan_build(price={"currency": "GBP", "monthly_fee": Decimal(25)})

    response = admin_client.get(f"/api/v1/plans/{plan.pk}/price/?currency=USD")

    assert response.status_code == 409
    assert response.json() == {"detail": "Starter has no price in USD, nor one in EUR to convert from."}
