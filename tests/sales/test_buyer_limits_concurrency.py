"""Two checkouts of one buyer at once must not together pass the event's limit per buyer
(apps.sales.services.buyer_limits locks the buyer per event until COMMIT).

Ten carts already holding a ticket each are checked out at the same moment with the same
e-mail address (in different cases), on their own threads and connections, against a limit
of 3 tickets per buyer: exactly 3 may go through. The same for ten counter sales at once,
and for one account's ten carts at once."""

import pytest
from django.db.models import Q
from django_tenants.utils import schema_context

from apps.events import services as events
from apps.sales.exceptions import BuyerLimitReached
from apps.sales.models import Order, Ticket
from apps.sales.services.cart import order_checkout
from apps.sales.services.orders import OrderLine, order_create
from tests.factories import UserFactory
from tests.sales.helpers import shop_build
from tests.sales.races import race

BUYERS = 10
LIMIT = 3
REFUSALS = {BuyerLimitReached: "limit"}


@pytest.fixture
def limited(fresh_organization):
    organization = fresh_organization(name="Limit race", slug="sales-limit-race")
    with schema_context(organization.schema_name):
        shop = shop_build(capacity=100)
        events.event_update(event=shop.event, max_tickets_per_buyer=LIMIT)
    return organization, shop


def _valid_tickets(email="", customer=None):
    whose = Q(order__email__iexact=email) if email else Q(order__customer=customer)
    return Ticket.objects.filter(whose, status=Ticket.Status.VALID).count()


def test_ten_checkouts_of_one_e_mail_at_once_let_exactly_three_through(limited):
    organization, shop = limited
    with schema_context(organization.schema_name):
        carts = [
            order_create(
                distribution=shop.online,
                lines=[OrderLine(ticket_type=shop.day_ticket, quantity=1)],
                email="",
                payment_method=Order.PaymentMethod.STRIPE,
                hold=True,
            ).pk
            for _i in range(BUYERS)
        ]

    def check_out(i):
        email = "same.buyer@example.com" if i % 2 else "Same.Buyer@Example.com"
        order_checkout(order_id=carts[i], email=email)

    outcomes = race(organization, check_out, BUYERS, REFUSALS)

    assert outcomes.count("ok") == LIMIT, outcomes
    assert outcomes.count("limit") == BUYERS - LIMIT, outcomes
    with schema_context(organization.schema_name):
        assert _valid_tickets("same.buyer@example.com") == LIMIT


def test_ten_counter_sales_to_one_e_mail_at_once_let_exactly_three_through(limited):
    organization, shop = limited

    def sell(i):
        order_create(
            distribution=shop.box_office,
            lines=[OrderLine(ticket_type=shop.day_ticket if i % 2 else shop.pass_ticket, quantity=1)],
            email="walk.in@example.com",
            payment_method=Order.PaymentMethod.CASH,
        )

    outcomes = race(organization, sell, BUYERS, REFUSALS)

    assert outcomes.count("ok") == LIMIT, outcomes
    assert outcomes.count("limit") == BUYERS - LIMIT, outcomes
    with schema_context(organization.schema_name):
        assert _valid_tickets("walk.in@example.com") == LIMIT


def test_one_accounts_ten_carts_at_once_hold_at_most_three(limited):
    organization, shop = limited
    with schema_context(organization.schema_name):
        jeanne = UserFactory(email="jeanne@example.com")

    def reserve(i):
        order_create(
            distribution=shop.online,
            lines=[OrderLine(ticket_type=shop.day_ticket, quantity=1)],
            email=jeanne.email,
            customer=jeanne,
            payment_method=Order.PaymentMethod.STRIPE,
            hold=True,
        )

    outcomes = race(organization, reserve, BUYERS, REFUSALS)

    assert outcomes.count("ok") == LIMIT, outcomes
    with schema_context(organization.schema_name):
        assert _valid_tickets(customer=jeanne) == LIMIT
