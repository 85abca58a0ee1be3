"""REST API of billing accounts (with their add-ons and adjustments) and of add-on prices:
platform admins only, writes through the services, bad input a 400 on its field."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.billing.models import BillingAccount, BillingAdjustment, Invoice
from apps.billing.selectors.periods import anchor_date
from apps.billing.services.accounts import billing_account_update
from apps.billing.services.adjustments import billing_adjustment_create
from apps.billing.services.corrections import invoice_manual_create
from apps.core.audit import Actor
from apps.core.models import AuditLogEntry
from apps.plans.models import AddonPrice
from apps.plans.services import addon_price_create, exchange_rate_set
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

SYSTEM = Actor(user=None)


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
    """Starter (EUR 29 a month, 10 setup) with a paid box office add-on (EUR 15) and 59.00 owed."""
    addon_price_create(feature="box_office", currency="EUR", monthly_fee=Decimal("15.00"))
    account = account_build(alpha, name="Fun park", plan=plans[0])
    billing_account_update(account_id=account.pk, changes={"box_office_override": True}, actor=SYSTEM)
    BillingAccount.objects.filter(pk=account.pk).update(card_label="Visa •••• 4242", payment_method_id="pm_1")
    sales(account, "120.50")
    invoice(account, "29.00")
    invoice(account, "50.00", paid="20.00")
    invoice(account, "10.00", status=Invoice.Status.PAID, paid="10.00")
    account.refresh_from_db()
    return account


def _adjust(account, amount="25.00", description="Training day"):
    return billing_adjustment_create(
        account_id=account.pk, description=description, amount=Decimal(amount), actor=SYSTEM
    )


def _next_billing_day(day: int) -> date:
    today = timezone.localdate()
    this_month = anchor_date(today.year, today.month, day)
    if this_month > today:
        return this_month
    following = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    return anchor_date(following.year, following.month, day)


# --- who may ------------------------------------------------------------------------------------


@role_matrix(only_platform_admins(200))
def test_billing_account_list(world, fun, role, expected):
    response = world.client(role).get("/api/v1/billing-accounts/")

    world.check(role, response, expected)
    if expected == 200:
        assert [row["organizer_name"] for row in response.json()["results"]] == ["Fun park"]


@role_matrix(only_platform_admins(200))
def test_billing_account_retrieve(world, fun, role, expected):
    response = world.client(role).get(f"/api/v1/billing-accounts/{fun.pk}/")

    world.check(role, response, expected)


@role_matrix(only_platform_admins(200))
def test_billing_account_update(world, fun, role, expected):
    response = world.client(role).patch(
        f"/api/v1/billing-accounts/{fun.pk}/", {"status": "past_due"}, format="json"
    )

    world.check(role, response, expected)
    fun.refresh_from_db()
    assert (fun.status == "past_due") == (expected == 200)


@role_matrix(only_platform_admins(200))
def test_billing_account_adjustment_list(world, fun, role, expected):
    _adjust(fun)

    response = world.client(role).get(f"/api/v1/billing-accounts/{fun.pk}/adjustments/")

    world.check(role, response, expected)


@role_matrix(only_platform_admins(201))
def test_billing_account_adjustment_create(world, fun, role, expected):
    response = world.client(role).post(
        f"/api/v1/billing-accounts/{fun.pk}/adjustments/",
        {"description": "Training day", "amount": "25.00"},
        format="json",
    )

    world.check(role, response, expected)
    assert BillingAdjustment.objects.filter(account=fun).exists() == (expected == 201)


@role_matrix(only_platform_admins(204))
def test_billing_account_adjustment_delete(world, fun, role, expected):
    adjustment = _adjust(fun)

    response = world.client(role).delete(f"/api/v1/billing-accounts/{fun.pk}/adjustments/{adjustment.pk}/")

    world.check(role, response, expected)
    assert BillingAdjustment.objects.filter(pk=adjustment.pk).exists() == (expected != 204)


@role_matrix(only_platform_admins(200))
def test_addon_price_list(world, fun, role, expected):
    response = world.client(role).get("/api/v1/addon-prices/")

    world.check(role, response, expected)


@role_matrix(only_platform_admins(201))
def test_addon_price_create(world, role, expected):
    response = world.client(role).post(
        "/api/v1/addon-prices/", {"feature": "custom_domain", "currency": "EUR", "monthly_fee": "5.00"}
    )

    world.check(role, response, expected)
    assert AddonPrice.objects.filter(feature="custom_domain").exists() == (expected == 201)


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_billing_accounts_are_neither_created_replaced_nor_deleted_here(admin_client, fun, method):
    path = "/api/v1/billing-accounts/" if method == "post" else f"/api/v1/billing-accounts/{fun.pk}/"

    response = getattr(admin_client, method)(path, {}, format="json")

    assert response.status_code == 405
    assert BillingAccount.objects.filter(pk=fun.pk).exists()


# --- what it says -------------------------------------------------------------------------------


def test_an_account_comes_with_its_billing_figures_addons_and_next_invoice(admin_client, fun):
    charge = _adjust(fun, "25.00")
    _adjust(fun, "-4.00", "Goodwill")

    body = admin_client.get(f"/api/v1/billing-accounts/{fun.pk}/").json()

    assert (body["organizer_name"], body["plan_name"], body["status"]) == ("Fun park", "Starter", "active")
    assert (body["currency"], body["billing_anchor_day"]) == ("EUR", fun.billing_anchor_day)
    assert body["card_on_file"] == "Visa •••• 4242"
    assert body["balance"] == "59.00"
    assert body["addons"] == ["box_office"]
    assert body["addon_fees"] == [
        {
            "feature": "box_office",
            "label": "Box office",
            "monthly_fee": "15.00",
            "currency": "EUR",
            "source": "own",
        }
    ]
    assert [
        (a["id"], a["description"], a["amount"], a["currency"], a["invoice"])
        for a in body["pending_adjustments"]
    ] == [
        (charge.pk, "Training day", "25.00", "EUR", None),
        (charge.pk + 1, "Goodwill", "-4.00", "EUR", None),
    ]
    assert body["next_invoice_date"] == _next_billing_day(fun.billing_anchor_day).isoformat()
    assert body["next_invoice_estimate"] == "75.00"  # 29 + 10 setup + 15 box office + 25 − 4
    assert body["features"]["box_office"] is True


def test_the_list_leaves_the_estimate_out_and_filters(admin_client, alpha, beta, plans, fun):
    starter, pro = plans
    account_build(beta, name="Club", plan=pro, currency="GBP")
    account_build(alpha, name="Water park", plan=starter, status="suspended")

    def names(**params):
        response = admin_client.get("/api/v1/billing-accounts/", params)
        assert response.status_code == 200, response.content
        return [row["organizer_name"] for row in response.json()["results"]]

    rows = admin_client.get("/api/v1/billing-accounts/").json()["results"]
    assert {row["next_invoice_estimate"] for row in rows} == {None}
    assert {row["organizer_name"]: row["addons"] for row in rows} == {
        "Club": [],
        "Fun park": ["box_office"],
        "Water park": [],
    }
    assert names(currency="gbp") == ["Club"]
    assert names(card_on_file="true") == ["Fun park"]
    assert names(card_on_file="false") == ["Club", "Water park"]
    assert names(status="suspended") == ["Water park"]
    assert names(search="park", ordering="-name") == ["Water park", "Fun park"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"ordering": "secret"}, "ordering"),
        ({"card_on_file": "perhaps"}, "card_on_file"),
        ({"status": "x"}, "status"),
        ({"currency": "XYZ"}, "currency"),
    ],
)
def test_bad_list_parameters_are_a_400(admin_client, fun, params, field):
    response = admin_client.get("/api/v1/billing-accounts/", params)

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_the_list_costs_the_same_queries_for_any_number_of_accounts(
    admin_client, alpha, plans, django_assert_max_num_queries, django_assert_num_queries
):
    starter, pro = plans
    addon_price_create(feature="custom_domain", currency="EUR", monthly_fee=Decimal("5.00"))
    exchange_rate_set(currency="GBP", rate=Decimal("0.85"))
    for n in range(3):
        account = account_build(alpha, name=f"Client {n}", plan=starter, currency="GBP")
        billing_account_update(account_id=account.pk, changes={"addons": ["custom_domain"]}, actor=SYSTEM)
        _adjust(account, "3.00")
    admin_client.get("/api/v1/billing-accounts/")
    with django_assert_max_num_queries(100) as few:
        admin_client.get("/api/v1/billing-accounts/")
    for n in range(3, 30):
        account = account_build(alpha, name=f"Client {n}", plan=pro if n % 2 else starter)
        billing_account_update(account_id=account.pk, changes={"addons": ["custom_domain"]}, actor=SYSTEM)
        _adjust(account, "3.00")

    with django_assert_num_queries(len(few.captured_queries)):
        response = admin_client.get("/api/v1/billing-accounts/")

    rows = response.json()["results"]
    assert len(rows) == 30
    converted = next(row for row in rows if row["organizer_name"] == "Client 0")
    assert converted["addon_fees"][0]["monthly_fee"] == "4.25"  # 5.00 EUR at 0.85
    assert all(len(row["pending_adjustments"]) == 1 for row in rows)


# --- writes -------------------------------------------------------------------------------------


def test_patch_changes_status_contact_overrides_and_addons_through_the_service(admin_client, fun, plans):
    response = admin_client.patch(
        f"/api/v1/billing-accounts/{fun.pk}/",
        {
            "status": "past_due",
            "contact_email": "accounts@fun-park.test",
            "monthly_fee_override": "19",
            "addons": ["custom_domain", "event_replication"],
            "plan": plans[1].pk,  # read-only here: plans change through the clients
        },
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["contact_email"], body["plan_name"]) == (
        "past_due",
        "accounts@fun-park.test",
        "Starter",
    )
    assert body["price"]["monthly_fee"] == "19.00"
    assert body["addons"] == ["event_replication", "custom_domain"]
    assert [fee["monthly_fee"] for fee in body["addon_fees"]] == [None, None]  # no prices: free add-ons
    assert (body["features"]["box_office"], body["features"]["custom_domain"]) == (False, True)
    entry = AuditLogEntry.objects.filter(action="client.updated").latest("pk")
    assert entry.actor_email == "admin@platform.test"
    assert entry.data["changes"]["box_office_override"] == {"from": True, "to": None}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"status": "deleted"}, "status"),
        ({"contact_email": "nope"}, "contact_email"),
        ({"monthly_fee_override": "19.999"}, "monthly_fee_override"),
        ({"addons": ["teleport"]}, "addons"),
        ({"addons": "box_office"}, "addons"),
        ({"addons": ["box_office"], "box_office_override": False}, "addons"),
    ],
)
def test_bad_input_is_a_400_with_the_fields_message(admin_client, fun, payload, field):
    response = admin_client.patch(
        f"/api/v1/billing-accounts/{fun.pk}/",
        {**payload, "contact_email": payload.get("contact_email", "x@y.test")},
        format="json",
    )

    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    fun.refresh_from_db()
    assert fun.contact_email == "billing@fun-park.test"


def test_a_feature_in_the_plan_is_no_addon(admin_client, alpha, plans):
    account = account_build(alpha, name="Pro park", plan=plans[1])

    response = admin_client.patch(
        f"/api/v1/billing-accounts/{account.pk}/", {"addons": ["box_office"]}, format="json"
    )

    assert response.status_code == 400
    assert "in the plan already" in response.json()["addons"][0]


def test_an_adjustment_is_added_listed_and_withdrawn(admin_client, fun):
    added = admin_client.post(
        f"/api/v1/billing-accounts/{fun.pk}/adjustments/",
        {"description": "Outage credit", "amount": "-12.5"},
        format="json",
    )
    assert added.status_code == 201, added.content
    assert (added.json()["amount"], added.json()["currency"], added.json()["created_by"]) == (
        "-12.50",
        "EUR",
        "admin@platform.test",
    )
    billed = _adjust(fun, "8.00", "Billed earlier")
    issued = invoice_manual_create(
        account_id=fun.pk, description="x", amount=Decimal(1), due_date=date(2026, 1, 1), actor=SYSTEM
    )
    BillingAdjustment.objects.filter(pk=billed.pk).update(invoice=issued, invoice_line=issued.lines.get())

    listed = admin_client.get(f"/api/v1/billing-accounts/{fun.pk}/adjustments/").json()
    refused = admin_client.delete(f"/api/v1/billing-accounts/{fun.pk}/adjustments/{billed.pk}/")
    withdrawn = admin_client.delete(f"/api/v1/billing-accounts/{fun.pk}/adjustments/{added.json()['id']}/")

    assert [(row["description"], row["invoice_number"]) for row in listed] == [
        ("Outage credit", None),
        ("Billed earlier", issued.number),
    ]
    assert refused.status_code == 409
    assert issued.number in refused.json()["detail"]
    assert withdrawn.status_code == 204
    assert list(BillingAdjustment.objects.values_list("pk", flat=True)) == [billed.pk]
    assert AuditLogEntry.objects.filter(
        action="client.adjustment_deleted", actor_email="admin@platform.test"
    ).exists()


def test_an_adjustment_of_another_account_or_unknown_is_a_404(admin_client, alpha, plans, fun):
    other = account_build(alpha, name="Other", plan=plans[0])
    theirs = _adjust(other)

    wrong_account = admin_client.delete(f"/api/v1/billing-accounts/{fun.pk}/adjustments/{theirs.pk}/")
    unknown = admin_client.delete(f"/api/v1/billing-accounts/{fun.pk}/adjustments/999999/")

    assert (wrong_account.status_code, unknown.status_code) == (404, 404)
    assert BillingAdjustment.objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"description": "Training", "amount": "0"}, "amount"),
        ({"description": "Training", "amount": "10.001"}, "amount"),  # EUR has two decimals
        ({"description": "Training", "amount": "ten"}, "amount"),
        ({"description": "", "amount": "10"}, "description"),
        ({"amount": "10"}, "description"),
    ],
)
def test_a_bad_adjustment_is_a_400_with_the_fields_message(admin_client, fun, payload, field):
    response = admin_client.post(f"/api/v1/billing-accounts/{fun.pk}/adjustments/", payload, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not BillingAdjustment.objects.exists()


def test_a_yen_account_takes_whole_yen(admin_client, alpha, plans):
    yen = plan_build(slug="yen", price={"currency": "JPY", "monthly_fee": Decimal(3000)})
    account = account_build(alpha, name="Tokyo dome", plan=yen, country="JP")
    assert account.currency == "JPY"

    fractional = admin_client.post(
        f"/api/v1/billing-accounts/{account.pk}/adjustments/",
        {"description": "Fee", "amount": "1.5"},
        format="json",
    )
    whole = admin_client.post(
        f"/api/v1/billing-accounts/{account.pk}/adjustments/",
        {"description": "Fee", "amount": "1500"},
        format="json",
    )

    assert fractional.status_code == 400
    assert "JPY" in fractional.json()["amount"][0]
    assert (whole.status_code, whole.json()["amount"]) == (201, "1500")


def test_addon_prices_are_created_once_per_currency_with_its_decimals(admin_client):
    created = admin_client.post(
        "/api/v1/addon-prices/",
        {"feature": "box_office", "currency": "chf", "monthly_fee": "14"},
        format="json",
    )
    again = admin_client.post(
        "/api/v1/addon-prices/",
        {"feature": "box_office", "currency": "CHF", "monthly_fee": "9"},
        format="json",
    )
    yen = admin_client.post(
        "/api/v1/addon-prices/",
        {"feature": "box_office", "currency": "JPY", "monthly_fee": "99.5"},
        format="json",
    )
    unknown = admin_client.post(
        "/api/v1/addon-prices/", {"feature": "teleport", "currency": "EUR", "monthly_fee": "1"}, format="json"
    )
    changed = admin_client.patch(
        f"/api/v1/addon-prices/{created.json()['id']}/", {"monthly_fee": "12.50"}, format="json"
    )

    assert created.status_code == 201, created.content
    assert (created.json()["currency"], created.json()["monthly_fee"]) == ("CHF", "14.00")
    assert (again.status_code, list(again.json())) == (400, ["currency"])
    assert (yen.status_code, list(yen.json())) == (400, ["monthly_fee"])
    assert (unknown.status_code, list(unknown.json())) == (400, ["feature"])
    assert (changed.status_code, changed.json()["monthly_fee"]) == (200, "12.50")
    assert AddonPrice.objects.get().monthly_fee == Decimal("12.50")
    assert AuditLogEntry.objects.filter(action="addon_price.updated").count() == 1
