"""The limit per buyer (Event.max_tickets_per_buyer): at most so many tickets of an event for
one account or one e-mail address over all their orders, in the shop (at adding to the cart
when logged in, at checkout always), at the box office and through the API (where the
seller may sell beyond it, audited)."""

from decimal import Decimal

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from apps.core.models import AuditLogEntry
from apps.events import services as events
from apps.sales.exceptions import BuyerLimitReached
from apps.sales.models import Order
from apps.sales.services.cart import cart_lines_add, order_checkout
from apps.sales.services.orders import OrderLine, order_cancel, order_create
from apps.sales.services.payments import order_refund
from tests.factories import ADMIN, SELLER, UserFactory, clients_open, programme_build, world_build
from tests.sales.helpers import payments_connect, shop_build
from tests.tenants import ALPHA

HOST = "limited.localhost"


def _limit(event, limit):
    return events.event_update(event=event, max_tickets_per_buyer=limit)


def _sell(shop, quantity, *, email="fan@example.com", customer=None, ticket_type=None, **more):
    return order_create(
        distribution=shop.box_office,
        lines=[OrderLine(ticket_type=ticket_type or shop.day_ticket, quantity=quantity)],
        email=email,
        customer=customer,
        payment_method=Order.PaymentMethod.CASH,
        **more,
    )


def _cart(shop, quantity, *, customer=None):
    return order_create(
        distribution=shop.online,
        lines=[OrderLine(ticket_type=shop.day_ticket, quantity=quantity)],
        email=customer.email if customer else "",
        customer=customer,
        payment_method=Order.PaymentMethod.STRIPE,
        hold=True,
    )


@pytest.fixture
def shop(in_alpha):
    shop = shop_build(capacity=50, slug="limited")
    _limit(shop.event, 4)
    shop.event.refresh_from_db()
    return shop


# --- the service ---------------------------------------------------------------------------


def test_a_guest_e_mail_is_counted_whatever_its_case(shop):
    _sell(shop, 3, email="Fan@Example.com")

    with pytest.raises(BuyerLimitReached) as refused:
        _sell(shop, 2, email="fan@example.COM ")

    assert str(refused.value) == (
        "You can buy at most 4 tickets for “Show”. You already have 3: you may still buy 1."
    )
    assert refused.value.field == "email"
    _sell(shop, 1, email="FAN@example.com")  # up to the limit, it sells
    assert Order.objects.count() == 2


def test_a_full_share_says_no_more_may_be_bought(shop):
    _sell(shop, 4)

    with pytest.raises(BuyerLimitReached, match="You already have 4: you cannot buy any more."):
        _sell(shop, 1)


def test_one_order_past_the_limit_is_refused_alone(shop):
    with pytest.raises(BuyerLimitReached) as refused:
        _sell(shop, 5)

    assert str(refused.value) == "You can buy at most 4 tickets for “Show”."
    assert not Order.objects.exists()


def test_an_account_is_counted_whatever_e_mail_its_orders_give(shop):
    jeanne = UserFactory(email="jeanne@example.com")
    _sell(shop, 2, email="jeanne.work@example.com", customer=jeanne)
    _sell(shop, 1, email="jeanne.home@example.com", customer=jeanne)

    with pytest.raises(BuyerLimitReached, match="you may still buy 1"):
        _sell(shop, 2, email="jeanne.third@example.com", customer=jeanne)


def test_passes_and_day_tickets_of_the_event_count_together(shop):
    _sell(shop, 2, ticket_type=shop.pass_ticket)
    _sell(shop, 2)

    with pytest.raises(BuyerLimitReached):
        _sell(shop, 1, ticket_type=shop.pass_ticket)


def test_cancelled_refunded_and_expired_tickets_are_not_counted(shop):
    cancelled = _sell(shop, 1)
    order_cancel(order_id=cancelled.pk)
    refunded = _sell(shop, 2)
    order_refund(order_id=refunded.pk, ticket_ids=[refunded.tickets.first().pk])  # 1 left valid
    expired = order_create(
        distribution=shop.online,
        lines=[OrderLine(ticket_type=shop.day_ticket, quantity=2)],
        email="fan@example.com",
        payment_method=Order.PaymentMethod.STRIPE,
    )
    Order.objects.filter(pk=expired.pk).update(expires_at=expired.created_at)  # its time is up

    _sell(shop, 3)  # 1 + 3 = 4

    with pytest.raises(BuyerLimitReached, match="You already have 4"):
        _sell(shop, 1)


def test_an_unpaid_order_still_holding_its_seats_counts(shop):
    order_create(
        distribution=shop.online,
        lines=[OrderLine(ticket_type=shop.day_ticket, quantity=3)],
        email="fan@example.com",
        payment_method=Order.PaymentMethod.STRIPE,
    )

    with pytest.raises(BuyerLimitReached, match="You already have 3"):
        _sell(shop, 2)


def test_other_events_and_other_buyers_are_not_counted(shop):
    other = events.event_create(
        organizer=shop.organizer, location=shop.location, name="Other", distributions=[shop.box_office]
    )
    other_date = events.event_date_create(event=other, start=shop.dates[0].start, end=shop.dates[0].end)
    events.event_publish(event=other)
    other_ticket = events.ticket_type_create(
        event=other, event_date=other_date, name="Other ticket", price=Decimal("5.00")
    )
    _sell(shop, 10, ticket_type=other_ticket)  # no limit there
    _sell(shop, 4, email="someone.else@example.com")

    _sell(shop, 4)

    assert Order.objects.count() == 3


def test_no_limit_sells_as_before(shop):
    _limit(shop.event, None)
    shop.day_ticket.event.refresh_from_db()

    for _i in range(3):
        _sell(shop, 5)

    assert Order.objects.count() == 3


def test_a_logged_in_buyer_is_held_to_it_when_adding_to_the_cart(shop):
    jeanne = UserFactory(email="jeanne@example.com")
    _sell(shop, 2, email="jeanne@example.com")

    with pytest.raises(BuyerLimitReached, match="you may still buy 2"):
        _cart(shop, 3, customer=jeanne)
    cart = _cart(shop, 1, customer=jeanne)
    with pytest.raises(BuyerLimitReached, match="You already have 3: you may still buy 1"):
        cart_lines_add(order_id=cart.pk, lines=[OrderLine(ticket_type=shop.day_ticket, quantity=2)])
    cart_lines_add(order_id=cart.pk, lines=[OrderLine(ticket_type=shop.day_ticket, quantity=1)])


def test_a_guest_cart_is_held_to_it_at_checkout(shop):
    _sell(shop, 3)
    cart = _cart(shop, 2)  # no e-mail address yet: not counted, not refused

    with pytest.raises(BuyerLimitReached, match="You already have 3: you may still buy 1"):
        order_checkout(order_id=cart.pk, email="FAN@example.com")

    cart.refresh_from_db()
    assert cart.email == ""  # refused: nothing changed
    assert order_checkout(order_id=cart.pk, email="another@example.com").email == "another@example.com"


def test_checking_out_again_does_not_count_the_cart_twice(shop):
    cart = _cart(shop, 4)
    order_checkout(order_id=cart.pk, email="fan@example.com")

    order_checkout(order_id=cart.pk, email="fan@example.com")  # back from the payment page


def test_the_seller_may_sell_beyond_it_and_the_audit_log_says_who(shop):
    seller = UserFactory(email="seller@example.com")
    _sell(shop, 4)

    from apps.core.audit import Actor

    order = _sell(shop, 2, sell_beyond_buyer_limit=True, sold_by=seller, actor=Actor(user=seller))

    entry = AuditLogEntry.objects.get(action="order.buyer_limit_overridden")
    assert (entry.actor, entry.target_id) == (seller, str(order.pk))
    assert entry.data == {
        "email": "fan@example.com",
        "events": [{"event": shop.event.pk, "limit": 4, "had": 4, "adding": 2}],
    }


def test_an_override_not_needed_is_not_logged(shop):
    _sell(shop, 1, sell_beyond_buyer_limit=True)

    assert not AuditLogEntry.objects.filter(action="order.buyer_limit_overridden").exists()


def test_a_sale_without_any_e_mail_is_not_limited(shop):
    _sell(shop, 4, email="")

    _sell(shop, 4, email="")  # an anonymous walk-in at the counter


# --- the shop --------------------------------------------------------------------------------


@pytest.fixture
def storefront(alpha):
    from apps.tenancy import services as tenancy

    with schema_context(ALPHA.schema_name):
        shop = shop_build(capacity=50, slug="limited")
        _limit(shop.event, 4)
        payments_connect(shop.organizer)
        events.ticket_type_update(ticket_type=shop.day_ticket, price=Decimal("0"))
    tenancy.domain_add(organization=alpha, domain=HOST, organizer_slug="limited")
    return shop


def _reserve(client, shop, quantity):
    return client.post(
        f"/events/{shop.event.pk}/", {f"qty-{shop.day_ticket.pk}-{shop.dates[0].pk}": str(quantity)}
    )


def test_the_event_page_shows_the_limit(storefront):
    page = Client(HTTP_HOST=HOST).get(f"/events/{storefront.event.pk}/")

    assert "At most 4 tickets per buyer" in page.content.decode()


def test_the_checkout_form_says_how_many_the_guest_may_still_buy(storefront):
    with schema_context(ALPHA.schema_name):
        _sell(storefront, 3)
    guest = Client(HTTP_HOST=HOST)
    _reserve(guest, storefront, 2)

    answer = guest.post("/cart/", {"email": "Fan@example.com"})

    assert answer.status_code == 400
    assert answer.context["form"].errors["email"] == [
        "You can buy at most 4 tickets for “Show”. You already have 3: you may still buy 1."
    ]
    assert "you may still buy 1" in answer.content.decode()
    with schema_context(ALPHA.schema_name):
        assert Order.objects.filter(status=Order.Status.PAID).count() == 1


def test_a_logged_in_buyer_is_refused_on_the_event_page(storefront):
    with schema_context(ALPHA.schema_name):
        jeanne = UserFactory(email="jeanne@example.com")
        _sell(storefront, 4, email="jeanne@example.com")
        client = Client(HTTP_HOST=HOST)
        client.force_login(jeanne)

    answer = _reserve(client, storefront, 1)

    assert answer.status_code == 400
    assert "You already have 4: you cannot buy any more." in answer.content.decode()


def test_the_event_page_in_french_says_the_limit(storefront):
    page = Client(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="fr").get(f"/events/{storefront.event.pk}/")

    assert "Au plus 4 billets par acheteur" in page.content.decode()


# --- box office and API ------------------------------------------------------------------------


@pytest.fixture
def world(alpha, beta):
    world = world_build(alpha, beta)
    clients_open(world.team.a, world.team.b, organization=alpha)
    with schema_context(ALPHA.schema_name):
        world.programme = programme_build(world.team)
        events.event_publish(event=world.programme.concert)
        _limit(world.programme.concert, 2)
        _sell_concert(world, 2)
    return world


def _sell_concert(world, quantity):
    return order_create(
        distribution=world.team.a_box,
        lines=[OrderLine(ticket_type=world.programme.day1_ticket, quantity=quantity)],
        email="regular@example.com",
        payment_method=Order.PaymentMethod.CASH,
    )


def _box_office_post(world, **more):
    client = Client(HTTP_HOST=ALPHA.host)
    with schema_context(ALPHA.schema_name):
        client.force_login(world.team.seller)
    programme = world.programme
    return client.post(
        f"/control/box-office/events/{programme.concert.pk}/",
        {
            f"qty-{programme.day1_ticket.pk}-{programme.day1.pk}": "1",
            "payment_method": "cash",
            "email": "Regular@example.com",
            "distribution": world.team.a_box.pk,
            **more,
        },
    )


def test_the_box_office_refuses_past_the_limit_on_the_e_mail_field(world):
    answer = _box_office_post(world)

    assert answer.status_code == 400
    assert answer.context["form"].errors["email"] == [
        f"You can buy at most 2 tickets for “{world.programme.concert.name}”. "
        "You already have 2: you cannot buy any more."
    ]
    assert "Sell beyond the buyer" in answer.content.decode()
    with schema_context(ALPHA.schema_name):
        assert Order.objects.count() == 1


def test_the_box_office_sells_beyond_it_when_the_seller_ticks_the_box_audited(world):
    answer = _box_office_post(world, sell_beyond_buyer_limit="on")

    assert answer.status_code == 302
    with schema_context(ALPHA.schema_name):
        order = Order.objects.get(email="Regular@example.com")
        entry = AuditLogEntry.objects.get(action="order.buyer_limit_overridden")
        assert (entry.actor, entry.actor_email, entry.target_id) == (
            world.team.seller,
            world.team.seller.email,
            str(order.pk),
        )
        assert entry.host == ALPHA.host


def _api_sale(world, **more):
    return {
        "distribution": world.team.a_box.pk,
        "email": "REGULAR@example.com",
        "payment_method": "cash",
        "positions": [{"ticket_type": world.programme.day1_ticket.pk, "quantity": 1}],
        **more,
    }


def test_the_api_answers_400_with_the_message_under_email(world):
    response = world.client(SELLER).post("/api/v1/orders/", _api_sale(world), format="json")

    assert response.status_code == 400
    assert response.json() == {
        "email": [
            f"You can buy at most 2 tickets for “{world.programme.concert.name}”. "
            "You already have 2: you cannot buy any more."
        ]
    }
    with schema_context(ALPHA.schema_name):
        assert Order.objects.count() == 1


def test_the_api_sells_beyond_it_when_asked_audited(world):
    response = world.client(ADMIN).post(
        "/api/v1/orders/", _api_sale(world, sell_beyond_buyer_limit=True), format="json"
    )

    assert response.status_code == 201, response.json()
    with schema_context(ALPHA.schema_name):
        entry = AuditLogEntry.objects.get(action="order.buyer_limit_overridden")
        assert entry.actor_email == world.team.admin.email
        assert entry.target_id == str(response.json()["id"])


def test_the_events_api_sets_and_checks_the_limit(world):
    client = world.client(ADMIN)
    url = f"/api/v1/events/{world.programme.concert.pk}/"

    refused = client.patch(url, {"max_tickets_per_buyer": 0}, format="json")
    changed = client.patch(url, {"max_tickets_per_buyer": 6}, format="json")
    cleared = client.patch(url, {"max_tickets_per_buyer": None}, format="json")

    assert refused.status_code == 400
    assert "max_tickets_per_buyer" in refused.json()
    assert changed.status_code == 200
    assert changed.json()["max_tickets_per_buyer"] == 6
    assert cleared.json()["max_tickets_per_buyer"] is None


def test_the_orders_history_says_it_was_sold_beyond_the_limit_and_by_whom(world):
    _box_office_post(world, sell_beyond_buyer_limit="on")
    with schema_context(ALPHA.schema_name):
        order = Order.objects.get(email="Regular@example.com")
    client = Client(HTTP_HOST=ALPHA.host)
    with schema_context(ALPHA.schema_name):
        client.force_login(world.team.admin)

    page = client.get(f"/control/orders/{order.code}/")

    history = {row["label"]: (row["by"], row["detail"]) for row in page.context["history"]}
    assert history["Sold beyond the buyer's limit"] == (world.team.seller.email, "limit 2, had 2, bought 1")
