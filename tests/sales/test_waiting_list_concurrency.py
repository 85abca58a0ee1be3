"""What must never happen to a waiting list: an offer for seats that are not free, or two
offers holding one seat, whatever runs at once (apps.sales.services.waiting_list takes an
offer's seats with inventory.take, the conditional UPDATE every sale uses).

Buyers on their own threads and connections start together (tests.sales.races): serving runs,
offers sent by hand, orders cancelled (each freeing a seat and serving the line in its own
transaction) and public buyers trying to grab the freed seats. Afterwards the counters, the
offers' carts and the entries must all agree."""

import pytest
from django.db.models import Sum
from django_tenants.utils import schema_context

from apps.core.audit import Actor
from apps.events.models import EventDate
from apps.sales.exceptions import SoldOut, WaitingListConflict, WaitingListRejected
from apps.sales.models import DateStock, Order, Ticket, WaitingListEntry
from apps.sales.services.orders import OrderLine, order_cancel, order_create
from apps.sales.services.waiting_list import waiting_list_join, waiting_list_offer_now, waiting_list_serve
from tests.sales.helpers import paid_order, shop_build
from tests.sales.races import race

CAPACITY = 10
Status = WaitingListEntry.Status
REFUSALS = {SoldOut: "sold out", WaitingListRejected: "refused", WaitingListConflict: "refused"}


@pytest.fixture
def line_organization(fresh_organization):
    return fresh_organization(name="Line race", slug="sales-line-race")


def _sold_out_with_a_line(entries: int, quantities=(1, 2, 1)):
    shop = shop_build(capacity=CAPACITY)
    sold = [paid_order(shop.box_office, shop.day_ticket, 1).pk for _i in range(CAPACITY)]
    line = [
        waiting_list_join(
            ticket_type=shop.day_ticket, email=f"fan{i}@example.com", quantity=quantities[i % len(quantities)]
        ).pk
        for i in range(entries)
    ]
    return shop, sold, line


def _offers_agree_with_the_counters(shop, capacity=CAPACITY) -> int:
    """Every offer holds exactly its entry's seats, in a cart of its own, and the date's held
    and sold counters are the tickets that exist: so no seat is in two offers, nor beyond
    capacity. Returns the seats offered."""
    stock = DateStock.objects.get(event_date=shop.dates[0])
    assert stock.held + stock.sold <= capacity
    offered = list(WaitingListEntry.objects.filter(status=Status.OFFERED).select_related("order"))
    assert len({entry.order_id for entry in offered}) == len(offered)
    for entry in offered:
        assert entry.order.status == Order.Status.PENDING
        assert entry.order.tickets.filter(status=Ticket.Status.VALID).count() == entry.quantity
    valid = Ticket.objects.filter(event_date=shop.dates[0], status=Ticket.Status.VALID)
    held = valid.filter(order__status=Order.Status.PENDING).count()
    sold = valid.filter(order__status=Order.Status.PAID).count()
    assert (stock.held, stock.sold) == (held, sold)
    seats_offered = sum(entry.quantity for entry in offered)
    assert seats_offered == held  # only offers hold seats here: each held seat is one offer's
    return seats_offered


def test_freed_seats_racing_serving_runs_and_public_buyers_are_offered_once_each(line_organization):
    with schema_context(line_organization.schema_name):
        shop, sold, line = _sold_out_with_a_line(entries=30)

    def act(i):
        kind = i % 3
        if kind == 0:  # a seat comes back: its cancellation serves the line in its transaction
            order_cancel(order_id=sold[i // 3])
        elif kind == 1:
            waiting_list_serve(event_date_id=shop.dates[0].pk)
        else:  # someone in the shop wants the freed seat
            order_create(
                distribution=shop.online,
                lines=[OrderLine(ticket_type=shop.day_ticket, quantity=1)],
                email=f"public{i}@example.com",
                payment_method=Order.PaymentMethod.CASH,  # sold at once: only offers hold seats
            )

    outcomes = race(line_organization, act, 30, REFUSALS)

    assert set(outcomes) <= {"ok", "sold out"}, outcomes
    with schema_context(line_organization.schema_name):
        seats_offered = _offers_agree_with_the_counters(shop)
        public = Order.objects.filter(email__startswith="public").count()
        assert seats_offered + public <= 10  # ten seats came back, no more
        assert outcomes.count("ok") - 20 == public  # every grab that went through made its order
        assert seats_offered >= 1


def test_many_serving_runs_at_once_offer_exactly_the_free_seats(line_organization):
    with schema_context(line_organization.schema_name):
        shop, _sold, line = _sold_out_with_a_line(entries=40, quantities=(1,))
        # Seven seats more at once, no trigger (not through the events service): only the
        # serving runs will find them.
        EventDate.objects.filter(pk=shop.dates[0].pk).update(capacity=CAPACITY + 7)

    def serve(i):
        if i % 4 == 0:  # the organizer sending offers by hand, out of turn, at the same time
            waiting_list_offer_now(entry_id=line[-1 - i], actor=Actor(user=None))
        else:
            waiting_list_serve(event_date_id=shop.dates[0].pk)

    outcomes = race(line_organization, serve, 24, REFUSALS)

    assert set(outcomes) <= {"ok", "refused"}, outcomes
    with schema_context(line_organization.schema_name):
        assert _offers_agree_with_the_counters(shop, CAPACITY + 7) == 7
        assert WaitingListEntry.objects.filter(status=Status.OFFERED).count() == 7
        stock = DateStock.objects.get(event_date=shop.dates[0])
        assert stock.held + stock.sold == CAPACITY + 7
        total = WaitingListEntry.objects.filter(status=Status.OFFERED).aggregate(n=Sum("quantity"))["n"]
        assert total == 7
