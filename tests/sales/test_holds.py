"""Seat holding by bots: what one shop visitor may hold at a time (per browser session and
per client network), each ticket type's maximum per order counted over the whole cart, and
a rate limit on reservations. The per-network count stays exact when reservations arrive
together (threads on their own connections against PostgreSQL)."""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.core.exceptions import RateLimited
from apps.sales.exceptions import OrderRejected
from apps.sales.holds import Holder
from apps.sales.models import DateStock, Order, Ticket
from apps.sales.services.orders import OrderLine, order_create
from apps.tenancy import services as tenancy
from tests.sales.helpers import payments_connect, shop_build
from tests.tenants import ALPHA

HOST = "holder.localhost"


@pytest.fixture
def shop(alpha):
    with schema_context(ALPHA.schema_name):
        shop = shop_build(capacity=500, slug="holder")
        payments_connect(shop.organizer)
        shop.second = shop.date_ticket(0)  # "Day 1", for the same date
    tenancy.domain_add(organization=alpha, domain=HOST, organizer_slug="holder")
    return shop


def _visitor(address="203.0.113.7"):
    return Client(HTTP_HOST=HOST, REMOTE_ADDR=address)


def _reserve(visitor, shop, quantity, ticket_type=None):
    ticket_type = ticket_type or shop.day_ticket
    return visitor.post(
        f"/events/{shop.event.pk}/", {f"qty-{ticket_type.pk}-{shop.dates[0].pk}": str(quantity)}
    )


def _held(shop) -> int:
    with schema_context(ALPHA.schema_name):
        return DateStock.objects.get(event_date=shop.dates[0]).held


def _messages(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


# --- the maximum per order counts the whole cart ----------------------------------------------


def test_the_maximum_per_order_counts_what_the_cart_already_has(shop):
    visitor = _visitor()
    assert _reserve(visitor, shop, 8).status_code == 302

    again = _reserve(visitor, shop, 5)  # 13 > the ticket type's 10

    assert again.status_code == 400
    assert "at most 10 tickets per order, and your cart already has 8" in _messages(again)
    assert _held(shop) == 8
    assert _reserve(visitor, shop, 2).status_code == 302  # 10 is still fine


def test_lines_of_one_ticket_type_add_up_to_its_maximum(shop):
    with schema_context(ALPHA.schema_name), pytest.raises(OrderRejected, match="between 1 and 10"):
        order_create(
            distribution=shop.online,
            lines=[OrderLine(ticket_type=shop.day_ticket, quantity=6)] * 2,
            email="",
            payment_method=Order.PaymentMethod.STRIPE,
            hold=True,
        )


# --- per session and per network ------------------------------------------------------------


def test_one_session_holds_at_most_its_limit(shop, settings):
    settings.SALES_HOLD_LIMIT_PER_SESSION = 12
    visitor = _visitor()
    assert _reserve(visitor, shop, 10).status_code == 302

    refused = _reserve(visitor, shop, 5, shop.second)

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "You already hold 10 tickets; at most 12 can be reserved at a time" in _messages(refused)
    assert _held(shop) == 10
    assert _reserve(visitor, shop, 2, shop.second).status_code == 302


def test_a_session_cannot_renew_its_hold_by_dropping_its_cart(shop, settings):
    """A session's cart is replaced once it runs out; while it holds, a second one counts with it."""
    settings.SALES_HOLD_LIMIT_PER_SESSION = 12
    visitor = _visitor()
    _reserve(visitor, shop, 10)
    session = visitor.session
    session.pop("cart_order_id")
    session.save()

    refused = _reserve(visitor, shop, 10)

    assert refused.status_code == 429
    assert _held(shop) == 10


def test_many_sessions_of_one_network_hold_at_most_its_limit(shop, settings):
    settings.SALES_HOLD_LIMIT_PER_NETWORK = 25
    bots = [_visitor("198.51.100.9") for _ in range(3)]
    answers = [_reserve(bot, shop, 10).status_code for bot in bots]
    elsewhere = _reserve(_visitor("192.0.2.44"), shop, 10)

    assert answers == [302, 302, 429]
    assert "Too many tickets are reserved from your network" in _messages(_reserve(bots[2], shop, 10))
    assert elsewhere.status_code == 302
    assert _held(shop) == 30


def test_holds_that_ran_out_or_were_paid_no_longer_count(shop, settings):
    settings.SALES_HOLD_LIMIT_PER_NETWORK = 10
    first = _visitor()
    _reserve(first, shop, 10)
    with schema_context(ALPHA.schema_name):
        Order.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    assert _reserve(_visitor(), shop, 10).status_code == 302


def test_behind_a_proxy_the_network_is_the_forwarded_address(shop, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.SALES_HOLD_LIMIT_PER_NETWORK = 10

    def via_proxy(forwarded):
        return Client(HTTP_HOST=HOST, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    assert _reserve(via_proxy("203.0.113.7"), shop, 10).status_code == 302
    assert _reserve(via_proxy("192.0.2.1, 203.0.113.7"), shop, 1).status_code == 429  # forged first entry
    assert _reserve(via_proxy("192.0.2.1"), shop, 10).status_code == 302


def test_a_request_without_a_client_address_is_held_to_the_session_limit(shop, settings):
    settings.SALES_HOLD_LIMIT_PER_SESSION = 3
    visitor = _visitor(address="")

    assert _reserve(visitor, shop, 3).status_code == 302
    assert _reserve(visitor, shop, 1).status_code == 429


def test_box_office_and_api_orders_are_not_held_to_the_shop_limits(shop, settings):
    settings.SALES_HOLD_LIMIT_PER_NETWORK = 1
    settings.SALES_HOLD_LIMIT_PER_SESSION = 1
    with schema_context(ALPHA.schema_name):
        order = order_create(
            distribution=shop.box_office,
            lines=[OrderLine(ticket_type=shop.day_ticket, quantity=10)],
            email="buyer@example.com",
            payment_method=Order.PaymentMethod.CASH,
        )

    assert order.status == Order.Status.PAID


# --- reservations are rate-limited ------------------------------------------------------------


def test_reservations_are_rate_limited_per_address(shop, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "reservation": "3/10m"}
    visitor = _visitor()
    answers = [_reserve(visitor, shop, 1).status_code for _ in range(3)]

    refused = _reserve(visitor, shop, 1)

    assert answers == [302, 302, 302]
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 600
    assert "Too many attempts" in _messages(refused)
    assert _held(shop) == 3
    assert _reserve(_visitor("192.0.2.44"), shop, 1).status_code == 302


# --- concurrency: the count per network is exact -------------------------------------------------

BOTS = 30


@pytest.fixture
def race_shop(fresh_organization):
    organization = fresh_organization(name="Holders", slug="sales-holders")
    with schema_context(organization.schema_name):
        shop = shop_build(capacity=1000)
    return organization, shop


def _reserve_together(organization, shop, holders, quantity):
    """Every holder reserves `quantity` at the same instant, each on its own thread and
    connection; returns the outcomes ("held", "refused", or the error)."""
    barrier = threading.Barrier(len(holders))

    def reserve(holder):
        try:
            connection.set_tenant(organization)
            barrier.wait(timeout=30)
            order_create(
                distribution=shop.online,
                lines=[OrderLine(ticket_type=shop.day_ticket, quantity=quantity)],
                email="",
                payment_method=Order.PaymentMethod.STRIPE,
                hold=True,
                holder=holder,
            )
            return "held"
        except RateLimited:
            return "refused"
        except Exception as exc:  # noqa: BLE001 - any other outcome fails the test, with its reason
            return repr(exc)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(holders)) as pool:
        return list(pool.map(reserve, holders))


def test_reservations_of_one_network_arriving_together_never_pass_its_limit(race_shop, settings):
    """Thirty sessions of one network reserve 2 tickets each at the same instant against a
    limit of 20: exactly 10 get them."""
    settings.SALES_HOLD_LIMIT_PER_NETWORK = 20
    organization, shop = race_shop
    holders = [Holder(session=f"bot-{i}", network="198.51.100.9") for i in range(BOTS)]

    outcomes = _reserve_together(organization, shop, holders, 2)

    assert outcomes.count("held") == 10, outcomes
    assert outcomes.count("refused") == BOTS - 10, outcomes
    with schema_context(organization.schema_name):
        assert Ticket.objects.filter(order__hold_network="198.51.100.9").count() == 20
        assert DateStock.objects.get(event_date=shop.dates[0]).held == 20


def test_one_sessions_reservations_arriving_together_never_pass_its_limit(race_shop, settings):
    """The same session from ten addresses at once (a bot spreading one cookie): 20 at most."""
    settings.SALES_HOLD_LIMIT_PER_SESSION = 20
    organization, shop = race_shop
    holders = [Holder(session="one-cookie", network=f"192.0.2.{i + 1}") for i in range(10)]

    outcomes = _reserve_together(organization, shop, holders, 5)

    assert outcomes.count("held") == 4, outcomes
    assert outcomes.count("refused") == 6, outcomes
    with schema_context(organization.schema_name):
        assert Ticket.objects.filter(order__hold_session="one-cookie").count() == 20
