"""POST /api/v1/orders/ with an Idempotency-Key: a retried request gets the first one's order
back instead of selling again, even when the retries arrive at the same time."""

import pytest
from django_tenants.utils import schema_context

from apps.accounts.services import user_create
from apps.sales.exceptions import IdempotencyKeyReused
from apps.sales.models import DateStock, Order, OrderRequest
from apps.sales.services.orders import OrderLine, order_create_once
from tests.factories import ADMIN, SELLER
from tests.sales.helpers import shop_build
from tests.sales.test_concurrency import _race
from tests.tenants import ALPHA


def _sale(world, programme, quantity=2):
    return {
        "distribution": world.team.a_box.pk,
        "email": "buyer@example.com",
        "payment_method": "cash",
        "positions": [{"ticket_type": programme.day1_ticket.pk, "quantity": quantity}],
    }


def _post(client, body, key):
    return client.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def _sold(programme) -> int:
    with schema_context(ALPHA.schema_name):
        stock = DateStock.objects.filter(event_date=programme.day1_ticket.event_date).first()
        return stock.sold if stock else 0


def test_a_retried_order_request_returns_the_first_order_and_sells_nothing_more(world, programme):
    seller = world.client(SELLER)

    first = _post(seller, _sale(world, programme), "till-3-sale-0017")
    retry = _post(seller, _sale(world, programme), "till-3-sale-0017")

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json()["id"] == first.json()["id"]
    assert retry.json()["tickets"] == first.json()["tickets"]
    assert retry["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert _sold(programme) == 2
    with schema_context(ALPHA.schema_name):
        assert Order.objects.count() == 1


def test_the_same_key_with_another_body_is_a_conflict(world, programme):
    seller = world.client(SELLER)
    _post(seller, _sale(world, programme), "sale-1")

    again = _post(seller, _sale(world, programme, quantity=3), "sale-1")

    assert again.status_code == 409
    assert "Idempotency-Key" in again.json()["detail"]
    assert _sold(programme) == 2


def test_keys_belong_to_their_caller(world, programme):
    _post(world.client(SELLER), _sale(world, programme), "sale-1")

    other = _post(world.client(ADMIN), _sale(world, programme), "sale-1")

    assert other.status_code == 201
    assert "Idempotent-Replayed" not in other
    assert _sold(programme) == 4


def test_a_bad_key_is_a_field_error(world, programme):
    answer = _post(world.client(SELLER), _sale(world, programme), "x" * 256)

    assert answer.status_code == 400
    assert "Idempotency-Key" in answer.json()
    assert _sold(programme) == 0


def test_without_a_key_every_request_sells(world, programme):
    seller = world.client(SELLER)
    seller.post("/api/v1/orders/", _sale(world, programme), format="json")
    seller.post("/api/v1/orders/", _sale(world, programme), format="json")

    assert _sold(programme) == 4


@pytest.fixture
def race_organization(fresh_organization):
    return fresh_organization(name="Retries", slug="sales-retries")


def test_twenty_sends_of_one_key_at_once_make_one_order(race_organization):
    with schema_context(race_organization.schema_name):
        shop = shop_build(capacity=100)
        clerk = user_create(email="clerk@example.com", password=None, is_operator=True)
    orders = []

    def send(i):
        order, _replayed = order_create_once(
            caller=clerk,
            idempotency_key="flaky-network-42",
            fingerprint="same body",
            distribution=shop.box_office,
            lines=[OrderLine(ticket_type=shop.day_ticket, quantity=3)],
            email="",
            payment_method=Order.PaymentMethod.CASH,
        )
        orders.append(order.pk)

    outcomes = _race(race_organization, send, buyers=20)

    assert outcomes == ["ok"] * 20
    assert len(set(orders)) == 1
    with schema_context(race_organization.schema_name):
        assert Order.objects.count() == OrderRequest.objects.count() == 1
        assert DateStock.objects.get(event_date=shop.dates[0]).sold == 3
        with pytest.raises(IdempotencyKeyReused):
            order_create_once(
                caller=clerk,
                idempotency_key="flaky-network-42",
                fingerprint="another body",
                distribution=shop.box_office,
                lines=[OrderLine(ticket_type=shop.day_ticket, quantity=1)],
                email="",
                payment_method=Order.PaymentMethod.CASH,
            )
