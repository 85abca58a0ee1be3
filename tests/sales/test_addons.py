"""Add-ons (apps.sales.services.addons): products sold with tickets or orders, priced and
taxed like tickets, with a stock held in carts, sold when paid and given back exactly once on
expiry, cancellation and refund; offered in the shop's cart, at the box office and through
the API; managed on the control panel per role; counted in reports, exports and invoices."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.core.exceptions import Conflict
from apps.core.models import AuditLogEntry
from apps.sales.exceptions import AddOnSoldOut, OrderRejected
from apps.sales.models import AddOn, AddOnStock, Order, OrderAddOn
from apps.sales.services.addon_cart import cart_add_ons_add
from apps.sales.services.addons import AddOnChoice, AddOnRequest, add_on_delete, add_on_save
from apps.sales.services.orders import OrderLine, order_cancel, order_create, order_mark_paid, orders_expire
from apps.sales.services.payments import order_refund
from apps.sales.services.taxes import tax_rule_save
from tests.sales.helpers import shop_build


@pytest.fixture
def shop(in_alpha):
    return shop_build(capacity=50, slug="addons")


def _parking(shop, **fields):
    return add_on_save(
        organizer=shop.organizer,
        event=fields.pop("event", shop.event),
        name=fields.pop("name", "Parking"),
        price=fields.pop("price", Decimal("5.00")),
        **fields,
    )


def _counter(add_on):
    stock = AddOnStock.objects.get(add_on=add_on)
    return stock.held, stock.sold


def _sell(shop, add_ons, *, quantity=2, method=Order.PaymentMethod.CASH, hold=False, ticket_type=None):
    return order_create(
        distribution=shop.box_office if method != Order.PaymentMethod.STRIPE else shop.online,
        lines=[OrderLine(ticket_type=ticket_type or shop.day_ticket, quantity=quantity)],
        email="fan@example.com",
        payment_method=method,
        hold=hold,
        add_ons=add_ons,
    )


# --- pricing, totals, tax ------------------------------------------------------------------


def test_an_order_with_add_ons_per_ticket_and_per_order_adds_them_to_its_total(shop):
    parking = _parking(shop, max_quantity=2)
    tshirt = _parking(shop, name="T-shirt", price=Decimal("12.50"), per=AddOn.Per.ORDER, max_quantity=3)

    order = _sell(shop, [AddOnRequest(parking, 1, line=0), AddOnRequest(tshirt, 2)])

    lines = list(order.add_ons.order_by("pk"))
    assert [(a.name, a.quantity, a.price, a.ticket_id is not None) for a in lines] == [
        ("Parking", 1, Decimal("5.00"), True),
        ("Parking", 1, Decimal("5.00"), True),
        ("T-shirt", 2, Decimal("25.00"), False),
    ]
    assert {a.ticket_id for a in lines[:2]} == set(order.tickets.values_list("pk", flat=True))
    order.refresh_from_db()
    assert order.subtotal == Decimal("20.00") + Decimal("10.00") + Decimal("25.00")
    assert order.total == order.subtotal + order.fee_total
    assert _counter(parking) == (0, 2) and _counter(tshirt) == (0, 2)


def test_an_add_ons_tax_is_in_its_price_or_added_to_it(shop):
    included = tax_rule_save(
        organizer=shop.organizer, name="TVA", rate=Decimal("20"), price_includes_tax=True
    )
    added = tax_rule_save(organizer=shop.organizer, name="TVA+", rate=Decimal("10"), price_includes_tax=False)
    meal = _parking(shop, name="Meal", price=Decimal("12.00"), tax_rule=included, per=AddOn.Per.ORDER)
    locker = _parking(shop, name="Locker", price=Decimal("3.00"), tax_rule=added, per=AddOn.Per.ORDER)

    order = _sell(shop, [AddOnRequest(meal, 1), AddOnRequest(locker, 1)], quantity=1)

    meal_line, locker_line = order.add_ons.order_by("pk")
    assert (meal_line.price, meal_line.tax, meal_line.tax_rate) == (Decimal("12.00"), Decimal("2.00"), 20)
    assert (locker_line.price, locker_line.tax, locker_line.tax_included) == (
        Decimal("3.30"),
        Decimal("0.30"),
        False,
    )
    order.refresh_from_db()
    assert order.tax_total == Decimal("2.30")
    assert order.subtotal == Decimal("10.00") + Decimal("12.00") + Decimal("3.30")


def test_free_tickets_with_a_paid_add_on_are_not_a_free_order(shop):
    free = shop.date_ticket(0, price=Decimal("0"))
    parking = _parking(shop)

    order = order_create(
        distribution=shop.online,
        lines=[OrderLine(ticket_type=free, quantity=1)],
        email="fan@example.com",
        payment_method=Order.PaymentMethod.STRIPE,
        add_ons=[AddOnRequest(parking, 1, line=0)],
    )

    assert (order.status, order.total, order.payment_method) == (
        Order.Status.PENDING,
        Decimal("5.00"),
        "stripe",
    )


def test_add_ons_are_refused_outside_what_they_are_offered_with(shop):
    only_pass = _parking(shop, ticket_types=[shop.pass_ticket])
    off_sale = _parking(shop, name="Old", on_sale=False, per=AddOn.Per.ORDER)
    other = shop_build(slug="other-addons")
    foreign = add_on_save(organizer=other.organizer, name="Theirs", price=Decimal("1"), per=AddOn.Per.ORDER)

    for requests, message in (
        ([AddOnRequest(only_pass, 1, line=0)], "not offered with this ticket"),
        ([AddOnRequest(only_pass, 2, line=0)], "not offered with this ticket"),
        ([AddOnRequest(off_sale, 1)], "not on sale"),
        ([AddOnRequest(foreign, 1)], "not on sale"),
        ([AddOnRequest(only_pass, 1)], "not offered with this ticket"),
        ([AddOnRequest(only_pass, 1, line=3)], "line of tickets"),
    ):
        with pytest.raises(OrderRejected, match=message):
            _sell(shop, requests)
    assert not Order.objects.exists()
    assert _counter(only_pass) == (0, 0)


def test_the_maximum_per_ticket_counts_what_the_cart_already_has(shop):
    parking = _parking(shop, max_quantity=2)
    cart = _sell(
        shop, [AddOnRequest(parking, 1, line=0)], quantity=1, method=Order.PaymentMethod.STRIPE, hold=True
    )
    ticket = cart.tickets.get()

    with pytest.raises(OrderRejected, match="at most 2"):
        cart_add_ons_add(order_id=cart.pk, choices=[AddOnChoice(parking, 2, ticket)])
    cart = cart_add_ons_add(order_id=cart.pk, choices=[AddOnChoice(parking, 1, ticket)])

    assert cart.total == Decimal("20.00")
    assert _counter(parking) == (2, 0)


def test_an_add_ons_price_and_stock_are_checked_when_saved(shop):
    with pytest.raises(ValidationError) as refused:
        _parking(shop, price=Decimal("1.005"))
    assert "price" in refused.value.message_dict
    parking = _parking(shop, stock=3)
    _sell(shop, [AddOnRequest(parking, 1, line=0)], quantity=2)

    with pytest.raises(ValidationError) as refused:
        add_on_save(organizer=shop.organizer, add_on=parking, name="Parking", price=Decimal(5), stock=1)
    assert "2 are already held or sold" in str(refused.value)


def test_a_sold_add_on_cannot_be_deleted_but_an_unsold_one_can(shop):
    sold = _parking(shop)
    unsold = _parking(shop, name="Locker")
    _sell(shop, [AddOnRequest(sold, 1, line=0)], quantity=1)

    with pytest.raises(Conflict, match="cannot be deleted"):
        add_on_delete(add_on=sold)
    add_on_delete(add_on=unsold)

    assert list(AddOn.objects.values_list("name", flat=True)) == ["Parking"]


# --- stock: held, sold, given back once ----------------------------------------------------


def test_the_last_units_sell_once_and_then_the_add_on_is_sold_out(shop):
    parking = _parking(shop, stock=3)
    _sell(shop, [AddOnRequest(parking, 1, line=0)], quantity=2)

    with pytest.raises(AddOnSoldOut):
        _sell(shop, [AddOnRequest(parking, 1, line=0)], quantity=2)

    assert Order.objects.count() == 1  # the refused order left nothing, its tickets neither
    assert _counter(parking) == (0, 2)
    _sell(shop, [AddOnRequest(parking, 1, line=0)], quantity=1)
    assert _counter(parking) == (0, 3)


def test_a_cart_holds_its_add_ons_until_paid_then_they_are_sold(shop):
    parking = _parking(shop)
    cart = _sell(shop, [AddOnRequest(parking, 1, line=0)], method=Order.PaymentMethod.STRIPE, hold=True)
    assert _counter(parking) == (2, 0)

    order_mark_paid(order_id=cart.pk)
    order_mark_paid(order_id=cart.pk)  # twice: once

    assert _counter(parking) == (0, 2)


def test_an_expired_cart_gives_its_add_ons_back_once(shop):
    parking = _parking(shop, stock=2)
    cart = _sell(shop, [AddOnRequest(parking, 1, line=0)], method=Order.PaymentMethod.STRIPE, hold=True)
    later = timezone.now() + dt.timedelta(hours=2)

    assert orders_expire(now=later) == 1
    assert orders_expire(now=later) == 0
    assert _counter(parking) == (0, 0)
    order_cancel(order_id=cart.pk)  # an expired order holds nothing to give back
    assert _counter(parking) == (0, 0)
    assert set(OrderAddOn.objects.values_list("status", flat=True)) == {"cancelled"}


def test_the_last_units_held_by_an_overdue_cart_go_to_the_next_buyer(shop):
    parking = _parking(shop, stock=1)
    cart = _sell(
        shop, [AddOnRequest(parking, 1, line=0)], quantity=1, method=Order.PaymentMethod.STRIPE, hold=True
    )
    Order.objects.filter(pk=cart.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    _sell(shop, [AddOnRequest(parking, 1, line=0)], quantity=1)

    assert Order.objects.get(pk=cart.pk).status == Order.Status.EXPIRED
    assert _counter(parking) == (0, 1)


def test_a_late_payment_after_the_last_units_went_elsewhere_is_sold_out(shop):
    parking = _parking(shop, stock=1)
    cart = _sell(
        shop, [AddOnRequest(parking, 1, line=0)], quantity=1, method=Order.PaymentMethod.STRIPE, hold=True
    )
    orders_expire(now=timezone.now() + dt.timedelta(hours=2))
    _sell(shop, [AddOnRequest(parking, 1, line=0)], quantity=1)

    with pytest.raises(AddOnSoldOut):
        order_mark_paid(order_id=cart.pk)

    assert Order.objects.get(pk=cart.pk).status == Order.Status.EXPIRED
    assert _counter(parking) == (0, 1)


def test_cancelling_gives_held_or_sold_units_back_once(shop):
    parking = _parking(shop)
    cart = _sell(shop, [AddOnRequest(parking, 1, line=0)], method=Order.PaymentMethod.STRIPE, hold=True)
    sold = _sell(shop, [AddOnRequest(parking, 1, line=0)])
    assert _counter(parking) == (2, 2)

    order_cancel(order_id=cart.pk)
    order_cancel(order_id=cart.pk)
    order_cancel(order_id=sold.pk)

    assert _counter(parking) == (0, 0)


def test_refunding_a_ticket_refunds_its_add_ons_and_the_last_one_the_orders(shop):
    parking = _parking(shop)
    tshirt = _parking(shop, name="T-shirt", price=Decimal("12.00"), per=AddOn.Per.ORDER)
    order = _sell(shop, [AddOnRequest(parking, 1, line=0), AddOnRequest(tshirt, 1)])
    first, second = order.tickets.order_by("pk")

    order_refund(order_id=order.pk, ticket_ids=[first.pk], notify_buyer=False)

    assert _counter(parking) == (0, 1) and _counter(tshirt) == (0, 1)
    assert set(first.add_ons.values_list("status", flat=True)) == {"refunded"}
    order_refund(order_id=order.pk, ticket_ids=[second.pk], notify_buyer=False)

    assert _counter(parking) == (0, 0) and _counter(tshirt) == (0, 0)
    assert set(OrderAddOn.objects.values_list("status", flat=True)) == {"refunded"}
    assert Order.objects.get(pk=order.pk).status == Order.Status.REFUNDED


def test_the_refund_amount_includes_the_add_ons(shop):
    parking = _parking(shop)
    tshirt = _parking(shop, name="T-shirt", price=Decimal("12.00"), per=AddOn.Per.ORDER)
    order = _sell(shop, [AddOnRequest(parking, 1, line=0), AddOnRequest(tshirt, 1)])
    first, _second = order.tickets.order_by("pk")

    order_refund(order_id=order.pk, ticket_ids=[first.pk], notify_buyer=False)
    order_refund(order_id=order.pk, notify_buyer=False)

    amounts = (
        AuditLogEntry.objects.filter(action="order.refunded").order_by("pk").values_list("data", flat=True)
    )
    assert [data["amount"] for data in amounts] == ["15.00", "27.00"]
