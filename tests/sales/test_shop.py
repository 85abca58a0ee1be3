"""The shop on an organizer's host: event page with what is left, a cart that holds the
tickets for a while, checkout, card payment step and the return page."""

import datetime as dt
from decimal import Decimal

import pytest
import responses
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.events import services as events
from apps.events.models import TicketType
from apps.sales.models import DateStock, Order
from apps.sales.services.orders import OrderLine, order_create
from apps.tenancy import services as tenancy
from tests.payments import stripe_fake
from tests.sales.helpers import payments_connect, shop_build
from tests.tenants import ALPHA

HOST = "shopper.localhost"


@pytest.fixture
def shop(alpha):
    with schema_context(ALPHA.schema_name):
        shop = shop_build(capacity=12, slug="shopper")
        payments_connect(shop.organizer)
    tenancy.domain_add(organization=alpha, domain=HOST, organizer_slug="shopper")
    return shop


@pytest.fixture
def buyer():
    return Client(HTTP_HOST=HOST)


def _reserve(buyer, shop, quantity=2):
    return buyer.post(
        f"/events/{shop.event.pk}/", {f"qty-{shop.day_ticket.pk}-{shop.dates[0].pk}": str(quantity)}
    )


def test_the_event_page_lists_dates_tickets_and_what_is_left(buyer, shop):
    with schema_context(ALPHA.schema_name):
        DateStock.objects.create(event_date=shop.dates[0], sold=5)
        DateStock.objects.create(event_date=shop.dates[1], sold=12)

    page = buyer.get(f"/events/{shop.event.pk}/")

    body = page.content.decode()
    assert page.status_code == 200
    assert "Standard" in body
    assert "Pass" in body
    assert "7 tickets left" in body
    assert "Sold out" in body  # day 2, and so the pass
    assert f'name="qty-{shop.day_ticket.pk}-{shop.dates[0].pk}"' in body
    assert f'name="qty-{shop.pass_ticket.pk}-pass"' not in body  # a sold-out pass has no field


def test_the_home_page_links_to_the_event(buyer, shop):
    assert f'href="/events/{shop.event.pk}/"' in buyer.get("/").content.decode()


def test_an_event_not_in_the_online_shop_is_not_found(buyer, shop):
    with schema_context(ALPHA.schema_name):
        shop.event.distributions.set([shop.box_office])

    assert buyer.get(f"/events/{shop.event.pk}/").status_code == 404


def test_reserving_holds_the_tickets_and_shows_the_countdown(buyer, shop):
    answer = _reserve(buyer, shop, 3)
    cart = buyer.get("/cart/")

    assert answer.status_code == 302
    assert answer["Location"] == "/cart/"
    body = cart.content.decode()
    assert "Reserved for you until" in body
    assert 'data-expires="' in body
    assert "€30.00" in body
    with schema_context(ALPHA.schema_name):
        assert DateStock.objects.get(event_date=shop.dates[0]).held == 3
        order = Order.objects.get()
        assert order.status == Order.Status.PENDING
        assert order.expires_at > timezone.now() + dt.timedelta(minutes=14)


def test_reserving_again_adds_to_the_same_cart(buyer, shop):
    _reserve(buyer, shop, 1)
    _reserve(buyer, shop, 2)

    with schema_context(ALPHA.schema_name):
        order = Order.objects.get()
        assert order.tickets.count() == 3
        assert order.total == Decimal("30.00")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("11", "order between 1 and 10"),
        ("x", "is not a number"),
        ("²", "is not a number"),  # a digit to str.isdigit, not to int
        ("0", "Choose how many"),
    ],
)
def test_what_cannot_be_reserved_says_why_and_holds_nothing(buyer, shop, value, message):
    answer = _reserve(buyer, shop, value)

    assert answer.status_code == 400
    assert message in answer.content.decode()
    with schema_context(ALPHA.schema_name):
        assert not Order.objects.exists()


def test_what_is_sold_out_meanwhile_is_refused(buyer, shop):
    _reserve(Client(HTTP_HOST=HOST), shop, 10)

    answer = _reserve(buyer, shop, 3)

    assert answer.status_code == 400
    assert "Sold out" in answer.content.decode()


def test_an_expired_cart_is_gone_and_its_seats_free_again(buyer, shop):
    _reserve(buyer, shop, 10)
    with schema_context(ALPHA.schema_name):
        Order.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    cart = buyer.get("/cart/")
    other = _reserve(Client(HTTP_HOST=HOST), shop, 10)

    assert "run out" in cart.content.decode()
    assert other.status_code == 302


def test_emptying_the_cart_releases_the_tickets(buyer, shop):
    _reserve(buyer, shop, 2)

    buyer.post("/cart/empty/")

    with schema_context(ALPHA.schema_name):
        assert DateStock.objects.get(event_date=shop.dates[0]).held == 0


def test_a_free_cart_is_paid_at_checkout_and_lands_on_the_order(buyer, shop):
    with schema_context(ALPHA.schema_name):
        events.ticket_type_update(ticket_type=shop.day_ticket, price=Decimal("0"))
    _reserve(buyer, shop, 1)

    answer = buyer.post("/cart/", {"email": "guest@example.com", "buyer_name": "Guest"})

    with schema_context(ALPHA.schema_name):
        order = Order.objects.get()
    assert order.status == Order.Status.PAID
    assert order.email == "guest@example.com"
    assert answer["Location"] == f"/orders/{order.code}/{order.secret}/"


def test_checkout_needs_an_email(buyer, shop):
    _reserve(buyer, shop, 1)

    answer = buyer.post("/cart/", {"email": "not an email"})

    assert answer.status_code == 400
    assert "valid email" in answer.content.decode()


def test_checkout_pays_by_card_on_the_organizers_account_and_the_return_page_confirms(
    buyer, shop, alpha, stripe_platform, stripe_api
):
    with schema_context(alpha.schema_name):
        payments_connect(shop.organizer, account_id="acct_1Shopper")
    intent = stripe_fake.payment_intent(amount=2000)
    stripe_api.add(responses.POST, f"{stripe_fake.API}/v1/payment_intents", json=intent)
    stripe_api.add(
        responses.GET,
        f"{stripe_fake.API}/v1/payment_intents/{intent['id']}",
        json={**intent, "status": "succeeded", "amount_received": 2000},
    )
    _reserve(buyer, shop, 2)

    to_pay = buyer.post("/cart/", {"email": "card@example.com"})
    pay_page = buyer.get("/checkout/pay/")
    landed = buyer.get("/checkout/return/")

    assert to_pay["Location"] == "/checkout/pay/"
    body = pay_page.content.decode()
    assert intent["client_secret"] in body
    assert 'data-account="acct_1Shopper"' in body
    with schema_context(ALPHA.schema_name):
        order = Order.objects.get()
    assert order.status == Order.Status.PAID
    assert landed["Location"] == f"/orders/{order.code}/{order.secret}/"
    assert buyer.get("/cart/").context["order"] is None


def test_checkout_when_payments_stopped_since_the_reservation_says_online_payment_is_unavailable(
    buyer, shop, alpha, stripe_platform
):
    _reserve(buyer, shop, 1)
    with schema_context(alpha.schema_name):
        payments_connect(shop.organizer, charges_enabled=False)

    answer = buyer.post("/cart/", {"email": "card@example.com"})

    assert answer.status_code == 400
    assert "cannot take online payments yet" in answer.content.decode()


def test_until_payments_are_connected_the_shop_says_online_sales_open_soon(buyer, shop, alpha):
    with schema_context(alpha.schema_name):
        payments_connect(shop.organizer, charges_enabled=False)

    home = buyer.get("/").content.decode()
    page = buyer.get(f"/events/{shop.event.pk}/")
    refused = _reserve(buyer, shop, 1)

    assert "Online sales open soon" in home
    assert "Online sales open soon" in page.content.decode()
    assert f'name="qty-{shop.day_ticket.pk}-{shop.dates[0].pk}"' not in page.content.decode()
    assert "cannot take online payments" not in page.content.decode()
    assert refused.status_code == 409
    assert "Online sales open soon" in refused.content.decode()
    with schema_context(alpha.schema_name):
        assert not Order.objects.exists()


def test_a_free_event_is_open_without_payments(buyer, shop, alpha):
    with schema_context(alpha.schema_name):
        payments_connect(shop.organizer, charges_enabled=False)
        TicketType.objects.filter(event=shop.event).update(price=Decimal("0"))

    assert _reserve(buyer, shop, 1).status_code == 302


def test_a_customer_sees_their_orders_and_no_one_elses(shop):
    from tests.factories import UserFactory

    with schema_context(ALPHA.schema_name):
        jeanne = UserFactory(email="jeanne@example.com")
        for email in ("jeanne@example.com", "someone@example.com"):
            sales_order = order_create(
                distribution=shop.box_office,
                lines=[OrderLine(ticket_type=shop.day_ticket, quantity=1)],
                email=email,
                payment_method=Order.PaymentMethod.CASH,
            )
            if email == "jeanne@example.com":
                mine = sales_order
        client = Client(HTTP_HOST=HOST)
        client.force_login(jeanne)

    page = client.get("/account/orders/")

    body = page.content.decode()
    assert page.status_code == 200
    assert f"/orders/{mine.code}/{mine.secret}/" in body
    assert body.count('href="/orders/') == 1
    assert Client(HTTP_HOST=HOST).get("/account/orders/").status_code == 302


def test_reloading_the_return_page_asks_stripe_once_per_interval(
    buyer, shop, alpha, stripe_platform, stripe_api, settings
):
    from apps.payments.models import Payment

    settings.PAYMENTS_RECONCILE_SECONDS = 60
    with schema_context(alpha.schema_name):
        payments_connect(shop.organizer, account_id="acct_1Reloader")
    intent = stripe_fake.payment_intent(amount=1000)
    stripe_api.add(responses.POST, f"{stripe_fake.API}/v1/payment_intents", json=intent)
    retrieve = stripe_api.add(
        responses.GET, f"{stripe_fake.API}/v1/payment_intents/{intent['id']}", json=intent
    )
    _reserve(buyer, shop, 1)
    buyer.post("/cart/", {"email": "reloader@example.com"})

    pages = [buyer.get("/checkout/return/") for _i in range(5)]

    assert [page.status_code for page in pages] == [200] * 5
    assert retrieve.call_count == 1
    with schema_context(ALPHA.schema_name):
        Payment.objects.update(checked_at=timezone.now() - dt.timedelta(seconds=61))
    buyer.get("/checkout/return/")
    assert retrieve.call_count == 2
