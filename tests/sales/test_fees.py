"""Service fees per ticket: the most specific rule (event, organizer, organization) applies,
paid by the buyer as a line on top of the price, or absorbed by the organizer."""

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from apps.sales.models import FeeRule, Order
from apps.sales.services.orders import OrderLine, order_create
from apps.sales.services.payments import order_refund
from tests.sales.helpers import shop_build
from tests.tenants import ALPHA


def _sell(shop, ticket_type=None, quantity=2):
    return order_create(
        distribution=shop.box_office,
        lines=[OrderLine(ticket_type=ticket_type or shop.day_ticket, quantity=quantity)],
        email="buyer@example.com",
        payment_method=Order.PaymentMethod.CASH,
    )


@pytest.mark.usefixtures("in_alpha")
def test_the_most_specific_rule_applies():
    shop = shop_build(capacity=50)
    FeeRule.objects.create(fixed=Decimal("5.00"))  # the organization's
    assert _sell(shop).fee_total == Decimal("10.00")

    FeeRule.objects.create(organizer=shop.organizer, fixed=Decimal("1.00"), percent=Decimal("10"))
    assert _sell(shop).fee_total == Decimal("4.00")  # 2 × (1.00 + 10 % of 10.00)

    FeeRule.objects.create(organizer=shop.organizer, event=shop.event, percent=Decimal("2.5"))
    order = _sell(shop)
    assert order.fee_total == Decimal("0.50")  # 2 × 0.25
    assert order.total == Decimal("20.50")
    assert set(order.tickets.values_list("fee", flat=True)) == {Decimal("0.25")}


@pytest.mark.usefixtures("in_alpha")
def test_an_absorbed_fee_is_not_on_the_buyers_bill():
    shop = shop_build(capacity=50)
    FeeRule.objects.create(organizer=shop.organizer, fixed=Decimal("0.99"), paid_by=FeeRule.PaidBy.ORGANIZER)

    order = _sell(shop)

    assert order.fee_total == Decimal("0.00")
    assert order.total == Decimal("20.00")
    assert set(order.tickets.values_list("absorbed_fee", flat=True)) == {Decimal("0.99")}


@pytest.mark.usefixtures("in_alpha")
def test_free_tickets_pay_no_fee_and_fees_round_to_the_currency():
    yen = shop_build(capacity=50, currency="JPY", slug="yen")
    FeeRule.objects.create(organizer=yen.organizer, percent=Decimal("3.33"))
    priced = yen.date_ticket(0, price=Decimal("1000"))
    free = yen.date_ticket(0, price=Decimal("0"))

    assert _sell(yen, priced, quantity=1).fee_total == Decimal("33")
    assert _sell(yen, free, quantity=1).fee_total == Decimal("0")


@pytest.mark.usefixtures("in_alpha")
def test_a_refund_gives_back_the_fee_the_buyer_paid():
    shop = shop_build(capacity=50)
    FeeRule.objects.create(organizer=shop.organizer, fixed=Decimal("1.50"))
    order = _sell(shop)

    order_refund(order_id=order.pk, ticket_ids=[order.tickets.first().pk])

    from apps.core.models import AuditLogEntry

    assert AuditLogEntry.objects.filter(action="order.refunded").get().data["amount"] == "11.50"


# --- the API ---------------------------------------------------------------------------------


@pytest.fixture
def world(alpha, beta):
    from tests.factories import programme_build, world_build

    world = world_build(alpha, beta)
    from django_tenants.utils import schema_context

    with schema_context(alpha.schema_name):
        world.programme = programme_build(world.team)
    return world


@pytest.mark.parametrize(
    ("role", "scope", "expected"),
    [
        ("admin", "organization", 201),
        ("configurer", "organization", 403),
        ("configurer", "organizer", 201),
        ("configurer", "event", 201),
        ("seller", "organizer", 403),
        ("other", "organizer", 400),  # A is not among the organizers it sees
    ],
)
def test_who_sets_which_fees(world, role, scope, expected):
    from tests.factories import ADMIN, CONFIGURER, OTHER, SELLER

    client = world.client({"admin": ADMIN, "configurer": CONFIGURER, "seller": SELLER, "other": OTHER}[role])
    body = {"fixed": "0.50", "percent": "2", "paid_by": "buyer"}
    if scope == "organizer":
        body["organizer"] = world.team.a.pk
    elif scope == "event":
        body["event"] = world.programme.concert.pk

    response = client.post("/api/v1/fee-rules/", body, format="json")

    assert response.status_code == expected, response.content
    if expected == 201 and scope == "event":
        assert response.json()["organizer"] == world.team.a.pk


def test_a_second_rule_for_the_same_scope_is_a_clear_error(world):
    from tests.factories import CONFIGURER

    client = world.client(CONFIGURER)
    body = {"organizer": world.team.a.pk, "fixed": "1.00"}

    first = client.post("/api/v1/fee-rules/", body, format="json")
    second = client.post("/api/v1/fee-rules/", body, format="json")
    bad = client.post("/api/v1/fee-rules/", {"organizer": world.team.a.pk, "percent": "150"}, format="json")

    assert first.status_code == 201
    assert second.status_code == 400
    assert "already a fee rule" in str(second.json())
    assert bad.status_code == 400
    assert "percent" in bad.json()


def test_a_fixed_fee_finer_than_the_currency_is_a_field_error_in_the_api(world):
    from apps.organizers.models import Organizer
    from tests.factories import ADMIN, CONFIGURER

    with schema_context(ALPHA.schema_name):
        Organizer.objects.filter(pk=world.team.b.pk).update(currency="JPY")
        currency = Organizer.objects.get(pk=world.team.a.pk).currency

    too_fine = world.client(CONFIGURER).post(
        "/api/v1/fee-rules/", {"organizer": world.team.a.pk, "fixed": "0.505"}, format="json"
    )
    # The organization's rule is charged in every organizer's currency: yen have no decimals.
    organization_wide = world.client(ADMIN).post("/api/v1/fee-rules/", {"fixed": "0.50"}, format="json")

    assert too_fine.status_code == 400
    assert too_fine.json()["fixed"] == [f"{currency} amounts have at most 2 decimals."]
    assert organization_wide.status_code == 400
    assert organization_wide.json()["fixed"] == ["JPY amounts have at most 0 decimals."]
    with schema_context(ALPHA.schema_name):
        assert not FeeRule.objects.exists()


@pytest.fixture
def rules(world):
    """A's rule, its concert's rule and the organization's (made by the service)."""
    from apps.sales.services.fees import fee_rule_save

    with schema_context(ALPHA.schema_name):
        return {
            "organizer": fee_rule_save(organizer=world.team.a, fixed=Decimal("1.00")),
            "event": fee_rule_save(event=world.programme.concert, fixed=Decimal("2.00")),
            "organization": fee_rule_save(fixed=Decimal("0.50")),
        }


# Who changes and deletes which rule: the admin any; the configurer of A A's and its
# events'; the configurer of B never sees A's rules (404) and may not change the
# organization's (403); the seller at A's box office sees A's rules but may not change them;
# beta's admin, with the same id and e-mail, is unknown here (401).
WRITES = [
    ("ADMIN", "organizer", 200),
    ("ADMIN", "event", 200),
    ("ADMIN", "organization", 200),
    ("CONFIGURER", "organizer", 200),
    ("CONFIGURER", "event", 200),
    ("CONFIGURER", "organization", 403),
    ("OTHER", "organizer", 404),
    ("OTHER", "event", 404),
    ("OTHER", "organization", 403),
    ("SELLER", "organizer", 403),
    ("SELLER", "event", 403),
    ("SELLER", "organization", 403),
    ("OTHER_ORGANIZATION", "organizer", 401),
    ("OTHER_ORGANIZATION", "organization", 401),
]


def _role(name: str) -> str:
    from tests import factories

    return getattr(factories, name)


@pytest.mark.parametrize(("role", "scope", "expected"), WRITES)
def test_who_changes_which_fee_rule(world, rules, role, scope, expected):
    rule = rules[scope]

    response = world.client(_role(role)).patch(
        f"/api/v1/fee-rules/{rule.pk}/", {"fixed": "3.00"}, format="json"
    )

    assert response.status_code == expected, response.content
    with schema_context(ALPHA.schema_name):
        rule.refresh_from_db()
    assert rule.fixed == (Decimal("3.00") if expected == 200 else rules[scope].fixed)
    if expected == 403:
        assert "configuration permission" in response.json()["detail"]


@pytest.mark.parametrize(
    ("role", "scope", "expected"), [(r, s, 204 if e == 200 else e) for r, s, e in WRITES]
)
def test_who_deletes_which_fee_rule(world, rules, role, scope, expected):
    rule = rules[scope]

    response = world.client(_role(role)).delete(f"/api/v1/fee-rules/{rule.pk}/")

    assert response.status_code == expected, response.content
    with schema_context(ALPHA.schema_name):
        assert FeeRule.objects.filter(pk=rule.pk).exists() is (expected != 204)


def test_a_rule_moves_to_no_other_organizer_or_event_on_update(world, rules):
    from tests.factories import CONFIGURER

    rule = rules["organizer"]

    response = world.client(CONFIGURER).patch(
        f"/api/v1/fee-rules/{rule.pk}/", {"organizer": world.team.b.pk, "percent": "1"}, format="json"
    )

    with schema_context(ALPHA.schema_name):
        rule.refresh_from_db()
    assert response.status_code == 200, response.content
    assert rule.organizer_id == world.team.a.pk
    assert rule.percent == Decimal("1")


@pytest.mark.parametrize(("role", "expected"), [("OTHER_ORGANIZATION", 401), ("OTHER", 400)])
def test_an_event_rule_is_created_only_by_who_configures_the_events_organizer(world, role, expected):
    response = world.client(_role(role)).post(
        "/api/v1/fee-rules/", {"event": world.programme.concert.pk, "fixed": "0.50"}, format="json"
    )

    assert response.status_code == expected, response.content
    with schema_context(ALPHA.schema_name):
        assert not FeeRule.objects.exists()
