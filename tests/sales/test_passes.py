"""Season passes (apps.sales.models.passes): bought like a ticket, bound to a holder, then
used to enter on every covered date (check-in) or to book a ticket for a chosen date (which
counts the date's capacity), within their validity and their maximum of uses."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.events import services as events
from apps.sales.exceptions import CheckInRefused, PassRejected, SoldOut
from apps.sales.models import DateStock, Order, Pass, PassBooking, PassType, Ticket
from apps.sales.services.check_in import ticket_check_in
from apps.sales.services.orders import OrderLine, order_cancel, order_create, order_mark_paid, orders_expire
from apps.sales.services.pass_bookings import pass_book
from tests.factories import UserFactory
from tests.sales.helpers import shop_build
from tests.sales.passes_data import pass_bought, season_build


@pytest.fixture
def shop(in_alpha):
    return shop_build(capacity=3, days=3, slug="park")


def _scan(season_pass, event_date, **more):
    return ticket_check_in(
        code=season_pass.code,
        tickets=Ticket.objects.all(),
        event_date_id=event_date.pk,
        now=event_date.start + dt.timedelta(minutes=5),
        **more,
    )


def _book(season_pass, ticket_type, shop, customer=None):
    return pass_book(
        season_pass=Pass.objects.select_related("pass_type", "ticket__order").get(pk=season_pass.pk),
        ticket_type=ticket_type,
        distribution=shop.online,
        customer=customer,
        email="camille@example.com",
    )


# --- buying ----------------------------------------------------------------------------------


def test_a_paid_pass_ticket_issues_its_pass_to_the_buyer_once(shop):
    season = season_build(shop)
    customer = UserFactory(email="camille@example.com")

    season_pass = pass_bought(season, customer=customer)

    assert season_pass.holder_name == "Camille Martin"
    assert season_pass.customer == customer
    assert season_pass.code == season_pass.ticket.code
    assert season_pass.uses == 0


def test_an_online_pass_is_issued_when_its_order_is_paid_not_before(shop):
    season = season_build(shop)
    order = order_create(
        distribution=shop.online,
        lines=[OrderLine(ticket_type=season.ticket_type, quantity=2)],
        email="fan@example.com",
        buyer_name="Sam",
        payment_method=Order.PaymentMethod.STRIPE,
    )
    assert not Pass.objects.exists()

    order_mark_paid(order_id=order.pk)
    order_mark_paid(order_id=order.pk)  # a payment told twice

    assert Pass.objects.filter(ticket__order=order, holder_name="Sam").count() == 2


# --- entry mode ------------------------------------------------------------------------------


def test_an_entry_pass_enters_once_on_every_covered_date_and_the_gate_names_its_holder(shop):
    season_pass = pass_bought(season_build(shop))

    first = _scan(season_pass, shop.dates[0])
    second = _scan(season_pass, shop.dates[1])

    assert first.season_pass.holder_name == "Camille Martin"
    assert first.event_date == shop.dates[0]
    assert second.event_date == shop.dates[1]
    with pytest.raises(CheckInRefused) as again:
        _scan(season_pass, shop.dates[0])
    assert again.value.reason == "already"
    season_pass.refresh_from_db()
    assert season_pass.uses == 2


def test_an_entry_pass_is_refused_when_its_uses_run_out(shop):
    season_pass = pass_bought(season_build(shop, max_uses=1))
    _scan(season_pass, shop.dates[0])

    with pytest.raises(CheckInRefused) as refused:
        _scan(season_pass, shop.dates[1])

    assert refused.value.reason == "no_uses_left"
    assert str(refused.value) == "No uses left: this pass was used 1 times, its limit."
    assert season_pass.ticket.check_ins.count() == 1


def test_an_entry_pass_is_refused_outside_its_validity_and_for_events_it_does_not_cover(shop):
    season = season_build(shop, days=10)  # the shop's dates are 30 days away
    season_pass = pass_bought(season)

    with pytest.raises(CheckInRefused) as late:
        _scan(season_pass, shop.dates[0])
    assert late.value.reason == "not_covered"
    assert "the pass is valid from" in str(late.value)

    other = events.event_create(organizer=shop.organizer, location=shop.location, name="Other")
    other_date = events.event_date_create(
        event=other,
        start=timezone.now() + dt.timedelta(days=2),
        end=timezone.now() + dt.timedelta(days=2, hours=1),
    )
    with pytest.raises(CheckInRefused) as elsewhere:
        _scan(season_pass, other_date)
    assert elsewhere.value.reason == "wrong_date"


def test_a_cancelled_pass_no_longer_enters(shop):
    season_pass = pass_bought(season_build(shop))
    order_cancel(order_id=season_pass.ticket.order_id)

    with pytest.raises(CheckInRefused) as refused:
        _scan(season_pass, shop.dates[0])

    assert refused.value.reason == Ticket.Status.CANCELLED


def test_a_booking_pass_is_not_an_entry_ticket(shop):
    season_pass = pass_bought(season_build(shop, mode=PassType.Mode.BOOKING))

    with pytest.raises(CheckInRefused) as refused:
        _scan(season_pass, shop.dates[0])

    assert refused.value.reason == "booking_pass"


# --- booking mode ----------------------------------------------------------------------------


def test_a_free_booking_is_a_paid_ticket_for_the_date_counting_capacity_and_a_use(shop):
    season_pass = pass_bought(season_build(shop, mode=PassType.Mode.BOOKING, max_uses=2))

    booking = _book(season_pass, shop.day_ticket, shop)

    ticket = booking.ticket
    assert ticket.event_date == shop.dates[0]
    assert ticket.price == 0
    assert ticket.attendee_name == "Camille Martin"
    assert ticket.order.status == Order.Status.PAID
    assert DateStock.objects.get(event_date=shop.dates[0]).sold == 1
    season_pass.refresh_from_db()
    assert season_pass.uses == 1
    admitted = ticket_check_in(
        code=ticket.code, tickets=Ticket.objects.all(), now=shop.dates[0].start + dt.timedelta(minutes=1)
    )
    assert admitted.ticket == ticket


def test_a_pass_books_a_date_once_and_no_more_than_its_uses(shop):
    season_pass = pass_bought(season_build(shop, mode=PassType.Mode.BOOKING, max_uses=2))
    _book(season_pass, shop.day_ticket, shop)

    with pytest.raises(PassRejected, match="already booked that date"):
        _book(season_pass, shop.day_ticket, shop)
    _book(season_pass, shop.date_ticket(1), shop)
    with pytest.raises(PassRejected, match="No uses left"):
        _book(season_pass, shop.date_ticket(2), shop)

    season_pass.refresh_from_db()
    assert season_pass.uses == 2
    assert PassBooking.objects.filter(season_pass=season_pass).count() == 2


def test_a_sold_out_date_books_nothing_and_uses_nothing(shop):
    season_pass = pass_bought(season_build(shop, mode=PassType.Mode.BOOKING))
    order_create(
        distribution=shop.box_office,
        lines=[OrderLine(ticket_type=shop.day_ticket, quantity=3)],
        email="crowd@example.com",
        payment_method=Order.PaymentMethod.CASH,
    )

    with pytest.raises(SoldOut):
        _book(season_pass, shop.day_ticket, shop)

    season_pass.refresh_from_db()
    assert season_pass.uses == 0
    assert not PassBooking.objects.exists()


def test_a_discounted_booking_awaits_payment_and_its_expiry_gives_the_use_back(shop):
    season_pass = pass_bought(season_build(shop, mode=PassType.Mode.BOOKING, booking_price=Decimal("4.50")))

    booking = _book(season_pass, shop.day_ticket, shop)

    order = booking.ticket.order
    assert order.status == Order.Status.PENDING
    assert order.subtotal == Decimal("4.50")
    orders_expire(now=order.expires_at + dt.timedelta(seconds=1))
    booking.refresh_from_db()
    season_pass.refresh_from_db()
    assert booking.status == PassBooking.Status.RELEASED
    assert season_pass.uses == 0
    _book(season_pass, shop.day_ticket, shop)  # the date may be booked again


def test_a_cancelled_booking_gives_its_use_back(shop):
    season_pass = pass_bought(season_build(shop, mode=PassType.Mode.BOOKING, max_uses=1))
    booking = _book(season_pass, shop.day_ticket, shop)

    order_cancel(order_id=booking.ticket.order_id)

    season_pass.refresh_from_db()
    assert season_pass.uses == 0
    _book(season_pass, shop.date_ticket(1), shop)


def test_a_pass_books_only_dates_it_covers_within_its_validity(shop):
    season_pass = pass_bought(season_build(shop, mode=PassType.Mode.BOOKING, days=10))

    with pytest.raises(PassRejected, match="the pass is valid from"):
        _book(season_pass, shop.day_ticket, shop)
    entry = pass_bought(season_build(shop, mode=PassType.Mode.ENTRY), email="e@example.com")
    with pytest.raises(PassRejected, match="no booking is needed"):
        _book(entry, shop.day_ticket, shop)
