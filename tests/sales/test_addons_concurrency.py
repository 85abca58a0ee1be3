"""An add-on's stock is never oversold, whatever the interleaving (apps.sales.addon_stock).

Thirty buyers on their own threads and database connections start together (a barrier) for
an add-on with 8 units left: at the box office with their tickets, or into carts already
holding a ticket, two add-ons at a time (so rows are locked in order or they deadlock);
PostgreSQL must let exactly 8 units through, and the counters match the lines sold."""

from decimal import Decimal

import pytest
from django.db.models import Sum
from django_tenants.utils import schema_context

from apps.sales.exceptions import AddOnSoldOut
from apps.sales.models import AddOn, AddOnStock, Order, OrderAddOn
from apps.sales.services.addon_cart import cart_add_ons_add
from apps.sales.services.addons import AddOnChoice, AddOnRequest, add_on_save
from apps.sales.services.orders import OrderLine, order_create
from tests.sales.helpers import shop_build
from tests.sales.races import race

BUYERS = 30
LEFT = 8


@pytest.fixture
def race_shop(fresh_organization):
    organization = fresh_organization(name="Add-on race", slug="sales-addon-race")
    with schema_context(organization.schema_name):
        shop = shop_build(capacity=200)
        parking = add_on_save(
            organizer=shop.organizer, event=shop.event, name="Parking", price=Decimal("5"), stock=LEFT + 2
        )
        locker = add_on_save(
            organizer=shop.organizer, name="Locker", price=Decimal("2"), per=AddOn.Per.ORDER, max_quantity=5
        )
        order_create(  # two units sold already
            distribution=shop.box_office,
            lines=[OrderLine(ticket_type=shop.day_ticket, quantity=2)],
            email="early@example.com",
            payment_method=Order.PaymentMethod.CASH,
            add_ons=[AddOnRequest(parking, 1, line=0)],
        )
    return organization, shop, parking, locker


def _sold_lines(add_on):
    return OrderAddOn.objects.filter(add_on=add_on, status=OrderAddOn.Status.VALID).aggregate(
        n=Sum("quantity")
    )["n"]


def test_thirty_buyers_for_the_last_eight_parking_spaces_get_exactly_eight(race_shop):
    organization, shop, parking, locker = race_shop
    with schema_context(organization.schema_name):
        carts = [
            order_create(
                distribution=shop.online,
                lines=[OrderLine(ticket_type=shop.day_ticket, quantity=1)],
                email="",
                payment_method=Order.PaymentMethod.STRIPE,
                hold=True,
            )
            for _i in range(BUYERS // 2)
        ]
        cart_tickets = [cart.tickets.get() for cart in carts]

    def buy(i):
        if i % 2:  # a cart, adding the parking and a locker at once (the locker first: any order)
            cart = carts[i // 2]
            cart_add_ons_add(
                order_id=cart.pk,
                choices=[AddOnChoice(locker, 1), AddOnChoice(parking, 1, cart_tickets[i // 2])],
            )
        else:  # at the counter, a ticket with its parking, and a locker
            order_create(
                distribution=shop.box_office,
                lines=[OrderLine(ticket_type=shop.day_ticket, quantity=1)],
                email=f"buyer{i}@example.com",
                payment_method=Order.PaymentMethod.CASH,
                add_ons=[AddOnRequest(locker, 1), AddOnRequest(parking, 1, line=0)],
            )

    outcomes = race(organization, buy, BUYERS, {AddOnSoldOut: "sold out"})

    assert outcomes.count("ok") == LEFT, outcomes
    assert outcomes.count("sold out") == BUYERS - LEFT, outcomes
    with schema_context(organization.schema_name):
        stock = AddOnStock.objects.get(add_on=parking)
        assert stock.held + stock.sold == LEFT + 2 == _sold_lines(parking)
        lockers = AddOnStock.objects.get(add_on=locker)
        assert lockers.held + lockers.sold == LEFT == _sold_lines(locker)  # refused buyers took none
