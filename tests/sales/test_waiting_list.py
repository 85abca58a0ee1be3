"""The waiting list of sold-out tickets (apps.sales.services.waiting_list): who may join, the
offers each trigger makes (an order expiring, cancelled or refunded, capacity raised, by hand,
the sweep), an unused offer passing to the next in line, conversion, removal; the shop's
pages; the control panel's page per role; isolation between the twin organizations."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.core.audit import Actor
from apps.core.tokens import token_unsign
from apps.events import services as events
from apps.sales import tasks
from apps.sales.exceptions import WaitingListRejected
from apps.sales.models import DateStock, Order, WaitingListEntry
from apps.sales.services.cart import order_checkout
from apps.sales.services.orders import OrderLine, order_cancel, order_create, order_mark_paid, orders_expire
from apps.sales.services.payments import order_refund
from apps.sales.services.waiting_list import (
    OFFER_PURPOSE,
    offer_url,
    waiting_list_join,
    waiting_list_offer_now,
    waiting_list_remove,
    waiting_list_serve,
    waiting_lists_serve_all,
)
from tests.factories import (
    ADMIN,
    ANONYMOUS,
    CONFIGURER,
    CUSTOMER,
    OTHER,
    OTHER_ORGANIZATION,
    SELLER,
    role_matrix,
)
from tests.sales.helpers import paid_order, payments_connect, shop_build
from tests.sales.roles import TO_LOGIN, client_for, expect
from tests.tenants import ALPHA, BETA

Status = WaitingListEntry.Status
HOST = "waiting.localhost"


@pytest.fixture
def shop(in_alpha):
    """Date 0 holds 3 seats, all sold at the counter (one order of 2, one of 1)."""
    shop = shop_build(capacity=3, slug="waiting")
    shop.sold = [
        paid_order(shop.box_office, shop.day_ticket, 2),
        paid_order(shop.box_office, shop.day_ticket, 1),
    ]
    return shop


def _join(shop, email="ann@example.com", quantity=1, ticket_type=None):
    return waiting_list_join(ticket_type=ticket_type or shop.day_ticket, email=email, quantity=quantity)


def _held(shop, index=0):
    stock = DateStock.objects.get(event_date=shop.dates[index])
    return stock.held, stock.sold


def _cart(shop, quantity):
    return order_create(
        distribution=shop.online,
        lines=[OrderLine(ticket_type=shop.day_ticket, quantity=quantity)],
        email="",
        payment_method=Order.PaymentMethod.STRIPE,
        hold=True,
    )


# --- joining -----------------------------------------------------------------------------------


def test_a_buyer_joins_the_list_of_a_sold_out_ticket(shop):
    entry = _join(shop, "Ann@Example.com ", 2)

    assert (entry.status, entry.email, entry.quantity, entry.event_date) == (
        Status.WAITING,
        "Ann@Example.com",
        2,
        shop.dates[0],
    )


def test_tickets_still_on_sale_cannot_be_waited_for(in_alpha):
    shop = shop_build(capacity=3, slug="waiting")
    paid_order(shop.box_office, shop.day_ticket, 2)  # 1 left

    with pytest.raises(WaitingListRejected, match="These tickets are on sale"):
        _join(shop, quantity=1)
    assert _join(shop, quantity=2).status == Status.WAITING  # more than are left: it may wait


def test_one_e_mail_waits_once_per_ticket_type(shop):
    _join(shop, "ann@example.com")

    with pytest.raises(WaitingListRejected, match="already on the waiting list") as refused:
        _join(shop, "ANN@example.com", 2)

    assert refused.value.field == "email"
    assert WaitingListEntry.objects.count() == 1


def test_the_quantity_keeps_to_the_tickets_limits_per_order(shop):
    events.ticket_type_update(ticket_type=shop.day_ticket, max_per_order=4)
    shop.day_ticket.refresh_from_db()

    with pytest.raises(WaitingListRejected, match="between 1 and 4") as refused:
        _join(shop, quantity=5)
    assert refused.value.field == "quantity"
    with pytest.raises(WaitingListRejected):
        _join(shop, quantity=0)


def test_an_organizer_may_have_no_waiting_list_for_an_event(shop):
    events.event_update(event=shop.event, waiting_list=False)
    shop.day_ticket.refresh_from_db()

    with pytest.raises(WaitingListRejected, match="“Show” has no waiting list."):
        _join(shop)


def test_passes_and_dates_over_have_no_waiting_list(shop):
    with pytest.raises(WaitingListRejected, match="Passes have no waiting list"):
        _join(shop, ticket_type=shop.pass_ticket)
    events.event_date_update(
        event_date=shop.dates[0],
        start=timezone.now() - dt.timedelta(hours=3),
        end=timezone.now() - dt.timedelta(hours=1),
    )
    shop.day_ticket.refresh_from_db()
    with pytest.raises(WaitingListRejected, match="no longer on sale"):
        _join(shop)


# --- offers on each trigger --------------------------------------------------------------------


def test_a_cancelled_order_is_offered_to_the_first_in_line_who_fit(shop, django_capture_on_commit_callbacks):
    first = _join(shop, "first@example.com", 2)
    second = _join(shop, "second@example.com", 1)

    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order_id=shop.sold[1].pk)  # 1 seat back: the first wants 2, the second fits

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Status.WAITING, Status.OFFERED)
    offer = second.order
    assert (offer.status, offer.holds_capacity, offer.tickets.count()) == (Order.Status.PENDING, True, 1)
    assert offer.expires_at == second.offer_expires_at
    assert abs(offer.expires_at - (timezone.now() + dt.timedelta(hours=24))) < dt.timedelta(minutes=1)
    assert _held(shop) == (1, 2)  # the freed seat is held for the offer, never back on sale
    [email] = mail.outbox
    assert email.to == ["second@example.com"]
    assert email.subject == "Tickets are free for you: Show"
    # The link is the offer's own (its token is signed with the time, so it is read, not remade).
    [link] = re.findall(r"https?://\S+/waiting-list/offers/([^/\s]+)/", email.body)
    assert token_unsign(link, purpose=OFFER_PURPOSE, max_age=60) == {"entry": second.pk, "order": offer.pk}
    assert "1 × Standard" in email.body
    assert "(Europe/Paris)" in email.body  # times in the event's zone, labelled


def test_the_offer_is_written_in_the_language_the_buyer_joined_in(shop, django_capture_on_commit_callbacks):
    waiting_list_join(ticket_type=shop.day_ticket, email="zoe@example.fr", quantity=1, language="fr")

    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order_id=shop.sold[1].pk)

    [email] = mail.outbox
    assert email.subject == "Des billets se sont libérés pour vous : Show"
    assert "Finalisez l’achat ici" in email.body
    assert "(Europe/Paris)" in email.body


def test_a_cart_expiring_passes_its_seats_to_the_line(in_alpha):
    shop = shop_build(capacity=2, slug="waiting")
    cart = _cart(shop, 2)
    entry = _join(shop, quantity=2)
    Order.objects.filter(pk=cart.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    assert orders_expire() == 1

    entry.refresh_from_db()
    assert entry.status == Status.OFFERED
    assert _held(shop) == (2, 0)


def test_a_refund_is_offered_to_the_line(shop):
    entry = _join(shop, quantity=2)

    order_refund(order_id=shop.sold[0].pk, notify_buyer=False)

    entry.refresh_from_db()
    assert entry.status == Status.OFFERED
    assert _held(shop) == (2, 1)


def test_raising_the_capacity_serves_the_line_once_committed(shop, django_capture_on_commit_callbacks):
    entries = [_join(shop, f"fan{i}@example.com") for i in range(3)]

    with django_capture_on_commit_callbacks(execute=True):
        events.event_date_update(event_date=shop.dates[0], capacity=5)

    statuses = [WaitingListEntry.objects.get(pk=e.pk).status for e in entries]
    assert statuses == [Status.OFFERED, Status.OFFERED, Status.WAITING]
    assert _held(shop) == (2, 3)


def test_raising_a_ticket_types_limit_serves_its_line(in_alpha, django_capture_on_commit_callbacks):
    shop = shop_build(capacity=None, slug="waiting")
    events.ticket_type_update(ticket_type=shop.day_ticket, limit=1)
    paid_order(shop.box_office, shop.day_ticket, 1)
    entry = _join(shop)

    with django_capture_on_commit_callbacks(execute=True):
        events.ticket_type_update(ticket_type=shop.day_ticket, limit=2)

    entry.refresh_from_db()
    assert entry.status == Status.OFFERED


def test_raising_the_locations_capacity_serves_its_dates_lines(in_alpha, django_capture_on_commit_callbacks):
    shop = shop_build(capacity=None, slug="waiting")
    events.location_update(location=shop.location, capacity=1)
    paid_order(shop.box_office, shop.day_ticket, 1)
    entry = _join(shop)

    with django_capture_on_commit_callbacks(execute=True):
        events.location_update(location=shop.location, capacity=2)

    entry.refresh_from_db()
    assert entry.status == Status.OFFERED


def test_a_cancelled_pass_frees_a_seat_on_every_date_and_each_dates_line_gets_it(in_alpha):
    shop = shop_build(capacity=1, slug="waiting")
    second_day = shop.date_ticket(1)
    a_pass = paid_order(shop.box_office, shop.pass_ticket, 1)  # the only seat of both dates
    first = _join(shop, "first@example.com")
    second = waiting_list_join(ticket_type=second_day, email="second@example.com", quantity=1)

    order_cancel(order_id=a_pass.pk)

    assert [WaitingListEntry.objects.get(pk=e.pk).status for e in (first, second)] == [Status.OFFERED] * 2
    assert [_held(shop, 0), _held(shop, 1)] == [(1, 0), (1, 0)]


def test_no_offer_is_made_for_seats_that_are_not_free(shop):
    entry = _join(shop)

    assert waiting_list_serve(event_date_id=shop.dates[0].pk) == []
    assert waiting_lists_serve_all() == 0

    entry.refresh_from_db()
    assert entry.status == Status.WAITING
    assert mail.outbox == []


def test_the_sweep_serves_seats_freed_without_a_trigger(shop):
    entry = _join(shop)
    DateStock.objects.filter(event_date=shop.dates[0]).update(sold=2)  # (as if a seat came back unseen)

    assert tasks.serve_waiting_lists(schema_name=ALPHA.schema_name) == 1

    entry.refresh_from_db()
    assert entry.status == Status.OFFERED


def test_beat_sweeps_every_organizations_waiting_lists(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["serve-waiting-lists"]

    assert entry["task"] == tasks.serve_waiting_lists_everywhere.name
    assert entry["kwargs"] == {"schema_name": "public"}


def test_an_unused_offer_expires_and_passes_to_the_next_in_line(shop, django_capture_on_commit_callbacks):
    first = _join(shop, "first@example.com")
    second = _join(shop, "second@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order_id=shop.sold[1].pk)
    first.refresh_from_db()
    assert first.status == Status.OFFERED
    Order.objects.filter(pk=first.order_id).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    with django_capture_on_commit_callbacks(execute=True):
        orders_expire()

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Status.EXPIRED, Status.OFFERED)
    assert first.order.status == Order.Status.EXPIRED
    assert _held(shop) == (1, 2)
    assert [m.to for m in mail.outbox] == [["first@example.com"], ["second@example.com"]]


def test_a_paid_offer_converts_its_entry(shop):
    entry = _join(shop)
    order_cancel(order_id=shop.sold[1].pk)
    entry.refresh_from_db()

    order_checkout(order_id=entry.order_id, email="ann@example.com")
    order_mark_paid(order_id=entry.order_id)

    entry.refresh_from_db()
    assert entry.status == Status.CONVERTED
    assert _held(shop) == (0, 3)


def test_a_free_offer_converts_at_checkout(in_alpha):
    shop = shop_build(capacity=1, slug="waiting")
    events.ticket_type_update(ticket_type=shop.day_ticket, price=Decimal("0"))
    sold = paid_order(shop.box_office, shop.day_ticket, 1)
    entry = _join(shop)
    order_cancel(order_id=sold.pk)
    entry.refresh_from_db()

    order = order_checkout(order_id=entry.order_id, email="ann@example.com")

    entry.refresh_from_db()
    assert (order.status, entry.status) == (Order.Status.PAID, Status.CONVERTED)


# --- the organizer's actions -----------------------------------------------------------------------


def test_an_offer_by_hand_needs_free_seats(shop):
    entry = _join(shop)
    admin = Actor(user=None)

    with pytest.raises(WaitingListRejected, match="Not enough seats are free for 1 tickets"):
        waiting_list_offer_now(entry_id=entry.pk, actor=admin)
    entry.refresh_from_db()
    assert (entry.status, entry.order) == (Status.WAITING, None)
    assert not Order.objects.filter(status=Order.Status.PENDING).exists()

    events.event_date_update(event_date=shop.dates[0], capacity=4)  # (no commit here: no task ran)
    assert waiting_list_offer_now(entry_id=entry.pk, actor=admin).status == Status.OFFERED
    with pytest.raises(WaitingListRejected, match="Only an entry still waiting"):
        waiting_list_offer_now(entry_id=entry.pk, actor=admin)


def test_an_offer_by_hand_may_skip_the_line(shop):
    first = _join(shop, "first@example.com")
    second = _join(shop, "second@example.com")
    events.event_date_update(event_date=shop.dates[0], capacity=4)

    waiting_list_offer_now(entry_id=second.pk, actor=Actor(user=None))

    first.refresh_from_db()
    assert first.status == Status.WAITING


def test_removing_an_offered_entry_cancels_its_cart_and_serves_the_next(shop):
    first = _join(shop, "first@example.com")
    second = _join(shop, "second@example.com")
    order_cancel(order_id=shop.sold[1].pk)
    first.refresh_from_db()

    waiting_list_remove(entry_id=first.pk, actor=Actor(user=None))

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.order.status, second.status) == (
        Status.REMOVED,
        Order.Status.CANCELLED,
        Status.OFFERED,
    )
    with pytest.raises(WaitingListRejected, match="no longer on the list"):
        waiting_list_remove(entry_id=first.pk, actor=Actor(user=None))


# --- the shop ---------------------------------------------------------------------------------------


@pytest.fixture
def storefront(alpha):
    from apps.tenancy import services as tenancy

    with schema_context(ALPHA.schema_name):
        shop = shop_build(capacity=1, slug="waiting")
        payments_connect(shop.organizer)
        paid_order(shop.box_office, shop.day_ticket, 1)
    tenancy.domain_add(organization=alpha, domain=HOST, organizer_slug="waiting")
    return shop


def test_the_event_page_offers_the_waiting_list_of_a_sold_out_ticket(storefront):
    page = Client(HTTP_HOST=HOST).get(f"/events/{storefront.event.pk}/").content.decode()

    assert f'href="/events/{storefront.event.pk}/waiting-list/{storefront.day_ticket.pk}/"' in page
    assert "Join the waiting list for “Standard”" in page


def test_an_event_without_a_waiting_list_offers_none_in_the_shop(storefront):
    with schema_context(ALPHA.schema_name):
        events.event_update(event=storefront.event, waiting_list=False)
    client = Client(HTTP_HOST=HOST)

    page = client.get(f"/events/{storefront.event.pk}/").content.decode()

    assert "Sold out" in page
    assert "Join the waiting list" not in page
    assert (
        client.get(f"/events/{storefront.event.pk}/waiting-list/{storefront.day_ticket.pk}/").status_code
        == 404
    )


def test_a_hidden_ticket_type_has_no_waiting_list_it_is_sold_with_an_access_code_only(storefront):
    with schema_context(ALPHA.schema_name):
        events.ticket_type_update(ticket_type=storefront.day_ticket, hidden=True)
        storefront.day_ticket.refresh_from_db()
        with pytest.raises(WaitingListRejected, match="is not on sale"):
            _join(storefront, ticket_type=storefront.day_ticket)
    url = f"/events/{storefront.event.pk}/waiting-list/{storefront.day_ticket.pk}/"

    assert Client(HTTP_HOST=HOST).get(url).status_code == 404  # its name not shown either


def test_joining_in_the_shop_confirms_and_keeps_the_language(storefront):
    client = Client(HTTP_HOST=HOST)
    url = f"/events/{storefront.event.pk}/waiting-list/{storefront.day_ticket.pk}/"

    assert client.get(url).status_code == 200
    answer = client.post(url, {"email": "ann@example.com", "quantity": "1"}, HTTP_ACCEPT_LANGUAGE="fr")

    assert answer.status_code == 302
    confirmation = client.get(answer["Location"])
    assert "ann@example.com" in confirmation.content.decode()
    with schema_context(ALPHA.schema_name):
        entry = WaitingListEntry.objects.get()
    assert (entry.email, entry.quantity, entry.language) == ("ann@example.com", 1, "fr")


def test_a_bad_join_is_a_form_error(storefront):
    client = Client(HTTP_HOST=HOST)
    url = f"/events/{storefront.event.pk}/waiting-list/{storefront.day_ticket.pk}/"

    assert client.post(url, {"email": "not an address", "quantity": "x"}).status_code == 400
    assert client.post(url, {"email": "ann@example.com", "quantity": "1000"}).status_code == 400
    assert (
        client.get(f"/events/{storefront.event.pk}/waiting-list/{storefront.pass_ticket.pk}/").status_code
        == 404
    )


def test_joining_is_rate_limited(storefront, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "waiting_list": "2/h"}
    client = Client(HTTP_HOST=HOST)
    url = f"/events/{storefront.event.pk}/waiting-list/{storefront.day_ticket.pk}/"

    for i in range(2):
        client.post(url, {"email": f"fan{i}@example.com", "quantity": "1"})
    refused = client.post(url, {"email": "fan9@example.com", "quantity": "1"})

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    with schema_context(ALPHA.schema_name):
        assert WaitingListEntry.objects.count() == 2


def test_the_offer_link_opens_the_held_cart_then_says_when_it_is_over(storefront):
    with schema_context(ALPHA.schema_name):
        entry = _join(storefront)
        order_cancel(order_id=Order.objects.get(status=Order.Status.PAID).pk)
        entry.refresh_from_db()
        link = offer_url(entry).split(HOST, 1)[1]
    buyer = Client(HTTP_HOST=HOST)

    assert buyer.get(link)["Location"] == "/cart/"
    assert "Reserved for you until" in buyer.get("/cart/").content.decode()

    with schema_context(ALPHA.schema_name):
        Order.objects.filter(pk=entry.order_id).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert buyer.get(link).status_code == 410
    assert buyer.get(link[:-5] + "xxxx/").status_code == 404


def test_an_offer_link_of_alpha_is_nothing_at_beta(storefront, beta):
    from apps.tenancy import services as tenancy

    with schema_context(ALPHA.schema_name):
        entry = _join(storefront)
        order_cancel(order_id=Order.objects.get(status=Order.Status.PAID).pk)
        entry.refresh_from_db()
        link = offer_url(entry).split(HOST, 1)[1]
    with schema_context(BETA.schema_name):
        shop_build(capacity=1, slug="waiting")
    tenancy.domain_add(organization=beta, domain="waiting-beta.localhost", organizer_slug="waiting")

    assert Client(HTTP_HOST="waiting-beta.localhost").get(link).status_code == 404


# --- the control panel ---------------------------------------------------------------------------------


@pytest.fixture
def waiting(world, programme):
    """alpha's concert day 1 sold out (capacity 1) with two entries in line."""
    with schema_context(ALPHA.schema_name):
        events.event_date_update(event_date=programme.day1, capacity=1)
        paid_order(world.team.a_box, programme.day1_ticket, 1)
        first = waiting_list_join(
            ticket_type=programme.day1_ticket, email="ALPHA-first@example.org", quantity=1
        )
        second = waiting_list_join(
            ticket_type=programme.day1_ticket, email="ALPHA-second@example.org", quantity=1
        )
    return programme.day1, first, second


PAGE = {ADMIN: 200, CONFIGURER: 200, SELLER: 404, OTHER: 404, CUSTOMER: 403, ANONYMOUS: TO_LOGIN}
PAGE[OTHER_ORGANIZATION] = TO_LOGIN


@role_matrix(PAGE)
def test_who_sees_a_dates_waiting_list(world, waiting, role, expected):
    day, _first, _second = waiting

    answer = client_for(world, role).get(f"/control/event-dates/{day.pk}/waiting-list/")

    expect(answer, expected)
    if expected == 200:
        page = answer.content.decode()
        assert page.index("ALPHA-first@example.org") < page.index("ALPHA-second@example.org")
        assert "Send offer now" in page


@role_matrix({**PAGE, CUSTOMER: 403})
def test_who_may_remove_an_entry(world, waiting, role, expected):
    _day, first, _second = waiting

    answer = client_for(world, role).post(f"/control/waiting-list/{first.pk}/remove/")

    removed = expected == 200
    expect(answer, 302 if removed else expected)
    with schema_context(ALPHA.schema_name):
        first.refresh_from_db()
    assert (first.status == Status.REMOVED) == removed


def test_an_offer_by_hand_without_free_seats_says_so_and_the_figures_count(world, waiting):
    day, first, second = waiting
    client = client_for(world, CONFIGURER)

    refused = client.post(f"/control/waiting-list/{first.pk}/offer/", follow=True)
    assert "Not enough seats are free" in refused.content.decode()

    with schema_context(ALPHA.schema_name):
        events.event_date_update(event_date=day, capacity=3)
    sent = client.post(f"/control/waiting-list/{first.pk}/offer/", follow=True).content.decode()
    assert "An offer was e-mailed to ALPHA-first@example.org." in sent
    with schema_context(ALPHA.schema_name):
        waiting_list_offer_now(entry_id=second.pk, actor=Actor(user=None))
        second.refresh_from_db()
        order_checkout(order_id=second.order_id, email="ALPHA-second@example.org")
        order_mark_paid(order_id=second.order_id)

    page = client.get(f"/control/event-dates/{day.pk}/waiting-list/").content.decode()
    assert "Offers sent</dt><dd>2</dd>" in page
    assert "Bought</dt><dd>1 (50 %)</dd>" in page


def test_beta_sees_nothing_of_alphas_waiting_list(world, waiting):
    day, first, _second = waiting
    twin = world.beta_twin()
    client = Client(HTTP_HOST=BETA.host)
    with schema_context(BETA.schema_name):
        client.force_login(twin.admin)

    answer = client.get(f"/control/event-dates/{day.pk}/waiting-list/")

    assert answer.status_code == 404 or "ALPHA-first" not in answer.content.decode()
    assert client.post(f"/control/waiting-list/{first.pk}/remove/").status_code == 404
    with schema_context(ALPHA.schema_name):
        first.refresh_from_db()
    assert first.status == Status.WAITING
