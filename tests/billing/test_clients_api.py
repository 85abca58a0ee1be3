"""REST API of the clients: platform admins list, read and PATCH billing accounts (through the service)."""

from decimal import Decimal

import pytest

from apps.billing.models import BillingAccount, Invoice
from apps.core.models import AuditLogEntry
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
from tests.plans.factories import plan_build
from tests.platform.test_clients_pages import account_build, invoice, sales


@pytest.fixture
def world(alpha, beta):
    world = world_build(alpha, beta)
    totp_for(world.platform_admin)  # the platform API needs two-factor authentication
    return world


@pytest.fixture
def admin_client(organizations):
    admin = UserFactory(email="admin@platform.test", is_staff=True)
    totp_for(admin)
    return api_client(host=PLATFORM_HOST, token=api_token(admin))


@pytest.fixture
def plans(organizations):
    return plan_build(slug="starter"), plan_build(slug="pro", box_office=True)


@pytest.fixture
def fun(alpha, plans):
    account = account_build(alpha, name="Fun park", plan=plans[0])
    sales(account, "120.50")
    invoice(account, "29.00")
    invoice(account, "50.00", paid="20.00")
    invoice(account, "10.00", status=Invoice.Status.PAID, paid="10.00")
    return account


# --- who may ----------------------------------------------------------------------------


@role_matrix(only_platform_admins(200))
def test_client_list(world, fun, role, expected):
    response = world.client(role).get("/api/v1/clients/")

    world.check(role, response, expected)
    if expected == 200:
        assert [row["organizer_name"] for row in response.json()["results"]] == ["Fun park"]


@role_matrix(only_platform_admins(200))
def test_client_retrieve(world, fun, role, expected):
    response = world.client(role).get(f"/api/v1/clients/{fun.pk}/")

    world.check(role, response, expected)


@role_matrix(only_platform_admins(200))
def test_client_update(world, fun, role, expected):
    response = world.client(role).patch(
        f"/api/v1/clients/{fun.pk}/", {"notes": "Calls on Mondays"}, format="json"
    )

    world.check(role, response, expected)
    fun.refresh_from_db()
    assert (fun.notes == "Calls on Mondays") == (expected == 200)


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_clients_are_neither_created_replaced_nor_deleted_here(admin_client, fun, method):
    path = "/api/v1/clients/" if method == "post" else f"/api/v1/clients/{fun.pk}/"

    response = getattr(admin_client, method)(path, {}, format="json")

    assert response.status_code == 405
    assert BillingAccount.objects.filter(pk=fun.pk).exists()


def test_a_platform_admin_without_totp_is_refused(organizations, fun):
    admin = UserFactory(email="nototp@platform.test", is_staff=True)

    response = api_client(host=PLATFORM_HOST, token=api_token(admin)).get("/api/v1/clients/")

    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"]


# --- what it says -----------------------------------------------------------------------


def test_a_client_comes_with_its_price_features_balance_and_sales(admin_client, fun):
    response = admin_client.get(f"/api/v1/clients/{fun.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["organizer_name"] == "Fun park"
    assert body["organization_name"] == "Alpha parks"
    assert body["plan_name"] == "Starter"
    assert body["status"] == "active"
    assert body["currency"] == "EUR"
    assert body["price"] == {
        "currency": "EUR",
        "monthly_fee": "29.00",
        "setup_fee": "10.00",
        "fixed_fee": "0.49",
        "percent_fee": "1.50",
        "source": "own",
        "overridden": [],
    }
    assert body["features"] == {
        "event_replication": False,
        "box_office": False,
        "custom_domain": False,
        "max_operators": None,
        "overridden": [],
    }
    assert body["balance"] == "59.00"
    assert (body["sales_this_month"], body["sales_currency"]) == ("120.50", "EUR")


def test_patch_sets_and_clears_overrides_through_the_service(admin_client, fun, plans):
    _starter, pro = plans

    response = admin_client.patch(
        f"/api/v1/clients/{fun.pk}/",
        {
            "plan": pro.pk,
            "status": "past_due",
            "contact_email": "accounts@fun-park.test",
            "monthly_fee_override": "19",
            "percent_fee_override": "0.5",
            "box_office_override": False,
            "max_operators_override": 3,
        },
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["plan"], body["plan_name"], body["status"]) == (pro.pk, "Pro", "past_due")
    assert body["monthly_fee_override"] == "19.00"
    assert body["price"]["monthly_fee"] == "19.00"
    assert body["price"]["percent_fee"] == "0.50"
    assert body["price"]["overridden"] == ["monthly_fee", "percent_fee"]
    assert body["features"]["box_office"] is False  # Pro has it, this client not
    assert body["features"]["max_operators"] == 3
    assert body["features"]["overridden"] == ["box_office", "max_operators"]
    assert body["balance"] == "59.00"
    entry = AuditLogEntry.objects.get(action="client.updated")
    assert entry.actor_email == "admin@platform.test"
    assert entry.host == PLATFORM_HOST
    assert entry.data["changes"]["status"] == {"from": "active", "to": "past_due"}

    cleared = admin_client.patch(
        f"/api/v1/clients/{fun.pk}/",
        {"monthly_fee_override": None, "box_office_override": None},
        format="json",
    ).json()

    assert cleared["price"]["monthly_fee"] == "29.00"
    assert cleared["features"]["box_office"] is True
    assert cleared["price"]["overridden"] == ["percent_fee"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"monthly_fee_override": "19.999"}, "monthly_fee_override"),  # EUR has 2 decimals
        ({"percent_fee_override": "101"}, "percent_fee_override"),
        ({"fixed_fee_override": "-1"}, "fixed_fee_override"),
        ({"max_operators_override": 0}, "max_operators_override"),
        ({"status": "deleted"}, "status"),
        ({"contact_email": "nope"}, "contact_email"),
        ({"plan": 999999}, "plan"),
        ({"box_office_override": "maybe"}, "box_office_override"),
    ],
)
def test_bad_input_is_a_400_with_the_fields_message(admin_client, fun, payload, field):
    response = admin_client.patch(
        f"/api/v1/clients/{fun.pk}/", {**payload, "notes": "changed"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == [field]
    fun.refresh_from_db()
    assert fun.notes == ""
    assert not AuditLogEntry.objects.filter(action="client.updated").exists()


def test_a_plan_that_cannot_price_the_clients_currency_is_refused(admin_client, alpha, fun):
    yen_only = plan_build(slug="yen", price={"currency": "JPY", "monthly_fee": Decimal(3000)})

    response = admin_client.patch(f"/api/v1/clients/{fun.pk}/", {"plan": yen_only.pk}, format="json")

    assert response.status_code == 400
    assert "plan" in response.json()
    fun.refresh_from_db()
    assert fun.plan.slug == "starter"


def test_the_list_searches_filters_and_orders(admin_client, alpha, beta, plans):
    starter, pro = plans
    account_build(alpha, name="Fun park", plan=starter)
    water = account_build(alpha, name="Water park", plan=pro, status="suspended")
    account_build(beta, name="Club", plan=pro)
    sales(water, "5.00")

    def names(**params):
        response = admin_client.get("/api/v1/clients/", params)
        assert response.status_code == 200, response.content
        return [row["organizer_name"] for row in response.json()["results"]]

    assert names() == ["Club", "Fun park", "Water park"]
    assert names(search="PARK") == ["Fun park", "Water park"]
    assert names(search="beta") == ["Club"]
    assert names(plan=pro.pk) == ["Club", "Water park"]
    assert names(status="suspended") == ["Water park"]
    assert names(ordering="-name") == ["Water park", "Fun park", "Club"]
    assert names(ordering="-sales")[0] == "Water park"


@pytest.mark.parametrize(
    ("params", "field"),
    [({"ordering": "secret"}, "ordering"), ({"plan": "x"}, "plan"), ({"status": "gone"}, "status")],
)
def test_bad_list_parameters_are_a_400(admin_client, fun, params, field):
    response = admin_client.get("/api/v1/clients/", params)

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_the_list_costs_the_same_queries_for_any_number_of_clients(
    admin_client, alpha, plans, django_assert_max_num_queries, django_assert_num_queries
):
    starter, pro = plans
    for n in range(3):
        account_build(alpha, name=f"Client {n}", plan=starter, currency="GBP")  # converted from EUR
    admin_client.get("/api/v1/clients/")
    with django_assert_max_num_queries(100) as few:
        admin_client.get("/api/v1/clients/")
    for n in range(3, 30):
        account_build(
            alpha, name=f"Client {n}", plan=pro if n % 2 else starter, currency="CHF" if n % 3 else "EUR"
        )

    with django_assert_num_queries(len(few.captured_queries)):
        response = admin_client.get("/api/v1/clients/")

    assert len(response.json()["results"]) == 30


def test_a_client_whose_plan_has_no_price_to_give_says_so(admin_client, alpha):
    from apps.plans.models import PlanPrice

    yen_only = plan_build(slug="yen", price={"currency": "JPY", "monthly_fee": Decimal(3000)})
    account = account_build(alpha, name="Tokyo dome", plan=yen_only, country="JP")
    BillingAccount.objects.filter(pk=account.pk).update(currency="USD")  # e.g. moved by hand
    assert PlanPrice.objects.filter(plan=yen_only).count() == 1

    listed = admin_client.get("/api/v1/clients/").json()["results"][0]
    one = admin_client.get(f"/api/v1/clients/{account.pk}/").json()

    assert listed["price"] is None
    assert one["price"] is None
    assert (one["sales_this_month"], one["sales_currency"], one["balance"]) == ("0", None, "0.00")
