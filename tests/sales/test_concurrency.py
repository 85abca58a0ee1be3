"""What must never happen: more tickets sold than capacity, whatever the interleaving.

Fifty buyers on their own threads and database connections start together (a barrier)
against a date with 20 seats left; PostgreSQL must let exactly 20 through."""

import pytest
from django.db.models import Sum
from django_tenants.utils import schema_context

from apps.sales.models import DateStock, Order, Ticket
from apps.sales.services.orders import OrderLine, order_create
from tests.sales.helpers import shop_build
from tests.sales.races import race

BUYERS = 50


@pytest.fixture
def race_organization(fresh_organization):
    return fresh_organization(name="Race", slug="sales-race")


def _race(organization, buy, buyers=BUYERS):
    return race(organization, buy, buyers)


def test_fifty_buyers_for_twenty_seats_buy_exactly_twenty(race_organization):
    with schema_context(race_organization.schema_name):
        shop = shop_build(capacity=25)
        order_create(
            distribution=shop.box_office,
            lines=[OrderLine(ticket_type=shop.day_ticket, quantity=5)],
            email="early@example.com",
            payment_method=Order.PaymentMethod.CASH,
        )

    def buy(i):
        order_create(
            distribution=shop.online,
            lines=[OrderLine(ticket_type=shop.day_ticket, quantity=1)],
            email=f"buyer{i}@example.com",
            payment_method=Order.PaymentMethod.CASH if i % 2 else Order.PaymentMethod.STRIPE,
        )

    outcomes = _race(race_organization, buy)

    assert outcomes.count("ok") == 20, outcomes
    assert outcomes.count("sold out") == BUYERS - 20, outcomes
    with schema_context(race_organization.schema_name):
        stock = DateStock.objects.get(event_date=shop.dates[0])
        assert stock.held + stock.sold == 25
        assert Ticket.objects.filter(event_date=shop.dates[0]).count() == 25


def test_passes_and_day_tickets_racing_on_several_dates_never_oversell_nor_deadlock(race_organization):
    with schema_context(race_organization.schema_name):
        shop = shop_build(capacity=20, days=3)
        day_tickets = [shop.day_ticket, shop.date_ticket(1), shop.date_ticket(2)]

    def buy(i):
        ticket_type = shop.pass_ticket if i % 2 else day_tickets[i % 3]
        order_create(
            distribution=shop.box_office,
            lines=[OrderLine(ticket_type=ticket_type, quantity=2)],
            email=f"buyer{i}@example.com",
            payment_method=Order.PaymentMethod.CASH,
        )

    outcomes = _race(race_organization, buy)

    assert set(outcomes) <= {"ok", "sold out"}, outcomes
    with schema_context(race_organization.schema_name):
        for event_date in shop.dates:
            sold = DateStock.objects.get(event_date=event_date).sold
            tickets = Ticket.objects.filter(event_date=event_date).count()
            passes = Ticket.objects.filter(event_date=None).count()
            assert sold == tickets + passes <= 20
        assert Order.objects.aggregate(n=Sum("total"))["n"] is not None
        assert outcomes.count("ok") == Order.objects.count()
