"""The box office: a seller sells an event's tickets at the counter, paid at once, and prints them."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from apps.events import services as events
from apps.sales.models import Order
from tests.factories import clients_open, programme_build, world_build
from tests.tenants import ALPHA


@pytest.fixture
def world(alpha, beta):
    world = world_build(alpha, beta)
    clients_open(world.team.a, world.team.b, organization=alpha)
    with schema_context(ALPHA.schema_name):
        world.programme = programme_build(world.team)
        events.event_publish(event=world.programme.concert)
    return world


def _client(user):
    client = Client(HTTP_HOST=ALPHA.host)
    with schema_context(ALPHA.schema_name):
        client.force_login(user)
    return client


def test_a_seller_sells_two_tickets_for_cash_and_prints_them(world):
    seller, programme = world.team.seller, world.programme
    client = _client(seller)
    field = f"qty-{programme.day1_ticket.pk}-{programme.day1.pk}"

    start = client.get("/control/box-office/")
    page = client.get(f"/control/box-office/events/{programme.concert.pk}/")
    sold = client.post(
        f"/control/box-office/events/{programme.concert.pk}/",
        {field: "2", "payment_method": "cash", "buyer_name": "Walk-in", "distribution": world.team.a_box.pk},
    )

    assert programme.concert.name in start.content.decode()
    assert f'name="{field}"' in page.content.decode()
    assert sold.status_code == 302
    with schema_context(ALPHA.schema_name):
        order = Order.objects.get()
        assert (order.status, order.payment_method, order.distribution, order.sold_by) == (
            Order.Status.PAID,
            Order.PaymentMethod.CASH,
            world.team.a_box,
            seller,
        )
        assert order.tickets.count() == 2
    receipt = client.get(sold["Location"])
    assert f"/orders/{order.code}/{order.secret}/tickets.pdf" in receipt.content.decode()


def test_a_seller_cannot_sell_in_a_channel_they_do_not_sell_in(world):
    client = _client(world.team.seller)

    answer = client.get(
        f"/control/box-office/events/{world.programme.concert.pk}/?distribution={world.team.a_shop.pk}"
    )

    assert answer.status_code == 404


def test_an_operator_without_a_sale_channel_is_told_so(world):
    assert "no sale channel" in _client(world.team.configurer).get("/control/box-office/").content.decode()


def test_selling_more_than_is_left_says_so_and_sells_nothing(world):
    programme = world.programme
    with schema_context(ALPHA.schema_name):
        events.event_date_update(event_date=programme.day1, capacity=1)
    client = _client(world.team.seller)

    answer = client.post(
        f"/control/box-office/events/{programme.concert.pk}/",
        {f"qty-{programme.day1_ticket.pk}-{programme.day1.pk}": "2", "payment_method": "cash"},
    )

    assert answer.status_code == 400
    assert "Sold out" in answer.content.decode()
    with schema_context(ALPHA.schema_name):
        assert not Order.objects.exists()
