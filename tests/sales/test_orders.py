"""Orders take capacity, are priced from the ticket types, and give capacity back."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.events import services as events
from apps.sales.exceptions import OrderRejected, SoldOut
from apps.sales.models import DateStock, Order, Ticket, TicketTypeStock
from apps.sales.services.orders import OrderLine, order_cancel, order_create, order_mark_paid, orders_expire
from tests.sales.helpers import shop_build

pytestmark = pytest.mark.usefixtures("in_alpha")


def _sell(shop, ticket_type, quantity=1, method=Order.PaymentMethod.CASH, distribution=None, **kw):
    return order_create(
        distribution=distribution or shop.box_office,
        lines=[OrderLine(ticket_type=ticket_type, quantity=quantity, **kw)],
        email="buyer@example.com",
        payment_method=method,
    )


def _stock(event_date):
    stock = DateStock.objects.filter(event_date=event_date).first()
    return (stock.held, stock.sold) if stock else (0, 0)


def test_a_counter_sale_is_paid_at_once_and_sells_capacity():
    shop = shop_build(capacity=5)

    order = _sell(shop, shop.day_ticket, quantity=3)

    assert order.status == Order.Status.PAID
    assert order.paid_at is not None
    assert order.total == Decimal("30.00")
    assert order.tickets.count() == 3
    assert len({t.code for t in order.tickets.all()}) == 3
    assert _stock(shop.dates[0]) == (0, 3)
    shop.organizer.refresh_from_db()
    assert shop.organizer.currency_locked


def test_capacity_is_never_exceeded_and_a_refused_order_takes_nothing():
    shop = shop_build(capacity=5)
    _sell(shop, shop.day_ticket, quantity=4)

    with pytest.raises(SoldOut):
        _sell(shop, shop.day_ticket, quantity=2)

    assert _stock(shop.dates[0]) == (0, 4)
    assert Order.objects.count() == 1
    assert _sell(shop, shop.day_ticket, quantity=1).status == Order.Status.PAID
    with pytest.raises(SoldOut):
        _sell(shop, shop.day_ticket)


def test_a_pass_uses_capacity_on_every_date_and_fails_whole_when_one_is_full():
    shop = shop_build(capacity=3, days=2)
    second_day = shop.date_ticket(1)
    _sell(shop, second_day, quantity=3)  # day 2 is full

    with pytest.raises(SoldOut):
        _sell(shop, shop.pass_ticket)

    assert _stock(shop.dates[0]) == (0, 0)  # day 1 was not left holding a seat
    assert not TicketTypeStock.objects.filter(ticket_type=shop.pass_ticket, sold__gt=0).exists()


def test_a_pass_sells_one_seat_on_each_date():
    shop = shop_build(capacity=3, days=2)

    order = _sell(shop, shop.pass_ticket, quantity=2)

    assert order.total == Decimal("50.00")
    assert [_stock(d) for d in shop.dates] == [(0, 2), (0, 2)]
    assert all(t.event_date_id is None for t in order.tickets.all())


def test_the_location_capacity_counts_when_the_date_has_none():
    shop = shop_build(capacity=None)
    events.location_update(location=shop.location, capacity=2)

    _sell(shop, shop.day_ticket, quantity=2)

    with pytest.raises(SoldOut):
        _sell(shop, shop.day_ticket)


def test_no_capacity_anywhere_means_no_limit():
    shop = shop_build(capacity=None)

    order = _sell(shop, shop.day_ticket, quantity=10)

    assert order.tickets.count() == 10


def test_a_ticket_type_limit_holds_across_orders():
    shop = shop_build(capacity=100)
    limited = shop.date_ticket(0, limit=3, price=Decimal("5.00"))
    _sell(shop, limited, quantity=3)

    with pytest.raises(SoldOut) as refused:
        _sell(shop, limited)

    assert refused.value.part == "ticket_types"
    assert _stock(shop.dates[0]) == (0, 3)  # the date's counter was put back too


def test_an_online_order_is_pending_and_holds_capacity_until_paid():
    shop = shop_build(capacity=2)

    order = _sell(
        shop, shop.day_ticket, quantity=2, method=Order.PaymentMethod.STRIPE, distribution=shop.online
    )

    assert order.status == Order.Status.PENDING
    assert order.expires_at > timezone.now() + dt.timedelta(minutes=14)
    assert _stock(shop.dates[0]) == (2, 0)
    with pytest.raises(SoldOut):
        _sell(shop, shop.day_ticket)

    order_mark_paid(order_id=order.pk)
    order_mark_paid(order_id=order.pk)  # a second notice changes nothing

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert _stock(shop.dates[0]) == (0, 2)


def test_an_expired_hold_frees_its_seats_lazily_for_the_next_buyer():
    shop = shop_build(capacity=1)
    pending = _sell(shop, shop.day_ticket, method=Order.PaymentMethod.STRIPE, distribution=shop.online)
    Order.objects.filter(pk=pending.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    order = _sell(shop, shop.day_ticket)

    pending.refresh_from_db()
    assert pending.status == Order.Status.EXPIRED
    assert order.status == Order.Status.PAID
    assert _stock(shop.dates[0]) == (0, 1)


def test_a_payment_after_expiry_sells_if_seats_remain_else_says_sold_out():
    shop = shop_build(capacity=1)
    late = _sell(shop, shop.day_ticket, method=Order.PaymentMethod.STRIPE, distribution=shop.online)
    Order.objects.filter(pk=late.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert orders_expire() == 1

    assert _stock(shop.dates[0]) == (0, 0)

    assert order_mark_paid(order_id=late.pk).status == Order.Status.PAID
    assert _stock(shop.dates[0]) == (0, 1)


def test_a_late_payment_with_no_seat_left_is_refused_for_refund():
    shop = shop_build(capacity=1)
    late = _sell(shop, shop.day_ticket, method=Order.PaymentMethod.STRIPE, distribution=shop.online)
    Order.objects.filter(pk=late.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    _sell(shop, shop.day_ticket)  # expires the hold lazily and takes the seat

    with pytest.raises(SoldOut):
        order_mark_paid(order_id=late.pk)

    late.refresh_from_db()
    assert late.status == Order.Status.EXPIRED


def test_cancelling_gives_the_capacity_back_once():
    shop = shop_build(capacity=2)
    order = _sell(shop, shop.pass_ticket, quantity=2)

    order_cancel(order_id=order.pk)
    order_cancel(order_id=order.pk)

    assert [_stock(d) for d in shop.dates] == [(0, 0), (0, 0)]
    assert set(order.tickets.values_list("status", flat=True)) == {Ticket.Status.CANCELLED}


def test_a_free_order_skips_payment():
    shop = shop_build(capacity=5)
    free = shop.date_ticket(0, price=Decimal("0"))

    order = _sell(shop, free, method=Order.PaymentMethod.STRIPE, distribution=shop.online)

    assert order.status == Order.Status.PAID
    assert order.payment_method == Order.PaymentMethod.FREE


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("draft", "is not on sale"),
        ("other_channel", "is not sold through"),
        ("too_many", "order between"),
        ("not_yet", "is not on sale now"),
        ("pass_with_date", "is a pass"),
        ("wrong_date", "is not valid on that date"),
    ],
)
def test_orders_that_cannot_be_sold_are_refused_with_a_reason(case, message):
    shop = shop_build(capacity=5)
    ticket, distribution, extra = shop.day_ticket, shop.box_office, {}
    if case == "draft":
        events.event_unpublish(event=shop.event)
    elif case == "other_channel":
        shop.event.distributions.set([shop.online])
    elif case == "too_many":
        extra["quantity"] = 11
    elif case == "not_yet":
        ticket = shop.date_ticket(0, sale_start=timezone.now() + dt.timedelta(days=1))
    elif case == "pass_with_date":
        ticket, extra["event_date"] = shop.pass_ticket, shop.dates[0]
    elif case == "wrong_date":
        extra["event_date"] = shop.dates[1]

    with pytest.raises(OrderRejected, match=message):
        _sell(shop, ticket, distribution=distribution, **extra)

    assert not Order.objects.exists()
    assert _stock(shop.dates[0]) == (0, 0)


def test_prices_are_rounded_to_the_currency():
    shop = shop_build(capacity=5, currency="JPY", slug="yen-shop")
    yen = shop.date_ticket(0, price=Decimal("1500"))

    order = _sell(shop, yen, quantity=2)

    assert order.total == Decimal("3000")
    assert order.currency == "JPY"
