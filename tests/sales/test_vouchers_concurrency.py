"""A voucher is never used more than its maximum, however many buyers redeem it at once
(apps.sales.services.vouchers: one conditional UPDATE of its `used`, re-checked by
PostgreSQL under the row lock), nor more than its limit per buyer (an advisory lock per
voucher and buyer until COMMIT).

50 buyers, each on its own thread and connection, started together (tests.sales.races)."""

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from apps.sales.exceptions import VoucherRefused
from apps.sales.models import Order, Ticket, Voucher
from apps.sales.services.cart import order_checkout
from apps.sales.services.orders import OrderLine, order_cancel, order_create
from apps.sales.services.vouchers import voucher_save
from tests.sales.helpers import shop_build
from tests.sales.races import race

BUYERS = 50
MAX_USES = 10
PER_BUYER = 2
REFUSALS = {VoucherRefused: "refused"}


@pytest.fixture
def coded(fresh_organization):
    organization = fresh_organization(name="Voucher race", slug="sales-voucher-race")
    with schema_context(organization.schema_name):
        shop = shop_build(capacity=1000)
    return organization, shop


def _code(shop, **fields):
    return voucher_save(
        organizer=shop.organizer,
        code="RACE",
        price_mode=Voucher.PriceMode.SUBTRACT,
        value=Decimal("2"),
        **fields,
    )


def test_fifty_buyers_at_once_use_a_code_exactly_its_maximum_times(coded):
    organization, shop = coded
    with schema_context(organization.schema_name):
        voucher = _code(shop, max_uses=MAX_USES)

    def buy(i):
        order_create(
            distribution=shop.online if i % 2 else shop.box_office,
            lines=[OrderLine(ticket_type=shop.day_ticket, quantity=1)],
            email=f"buyer{i}@example.com" if i % 2 == 0 else "",
            payment_method=Order.PaymentMethod.CASH if i % 2 == 0 else Order.PaymentMethod.STRIPE,
            hold=bool(i % 2),
            voucher=voucher,
        )

    outcomes = race(organization, buy, BUYERS, REFUSALS)

    assert outcomes.count("ok") == MAX_USES, outcomes
    assert outcomes.count("refused") == BUYERS - MAX_USES, outcomes
    with schema_context(organization.schema_name):
        voucher.refresh_from_db()
        assert voucher.used == MAX_USES
        assert Ticket.objects.filter(voucher=voucher).count() == MAX_USES


def test_buyers_cancelling_while_others_redeem_never_pass_the_maximum(coded):
    organization, shop = coded
    with schema_context(organization.schema_name):
        voucher = _code(shop, max_uses=MAX_USES)
        first = [
            order_create(
                distribution=shop.box_office,
                lines=[OrderLine(ticket_type=shop.day_ticket, quantity=1)],
                email=f"early{i}@example.com",
                payment_method=Order.PaymentMethod.CASH,
                voucher=voucher,
            ).pk
            for i in range(MAX_USES)
        ]

    def buy_or_cancel(i):
        if i < MAX_USES:
            order_cancel(order_id=first[i])
            return
        order_create(
            distribution=shop.box_office,
            lines=[OrderLine(ticket_type=shop.day_ticket, quantity=1)],
            email=f"late{i}@example.com",
            payment_method=Order.PaymentMethod.CASH,
            voucher=voucher,
        )

    outcomes = race(organization, buy_or_cancel, BUYERS, REFUSALS)

    assert "ok" in outcomes, outcomes
    assert set(outcomes) <= {"ok", "refused"}, outcomes
    with schema_context(organization.schema_name):
        voucher.refresh_from_db()
        valid = Ticket.objects.filter(voucher=voucher, status=Ticket.Status.VALID).count()
        assert voucher.used == valid <= MAX_USES
        assert outcomes.count("ok") - MAX_USES == valid  # each sale after the cancellations


def test_fifty_checkouts_of_one_buyer_at_once_pass_the_limit_per_buyer_never(coded):
    organization, shop = coded
    with schema_context(organization.schema_name):
        voucher = _code(shop, max_uses=None, max_uses_per_buyer=PER_BUYER)
        carts = [
            order_create(
                distribution=shop.online,
                lines=[OrderLine(ticket_type=shop.day_ticket, quantity=1)],
                email="",
                payment_method=Order.PaymentMethod.STRIPE,
                hold=True,
                voucher=voucher,
            ).pk
            for _i in range(BUYERS)
        ]

    def check_out(i):
        order_checkout(order_id=carts[i], email="Same.Fan@example.com" if i % 2 else "same.fan@example.com")

    outcomes = race(organization, check_out, BUYERS, REFUSALS)

    assert outcomes.count("ok") == PER_BUYER, outcomes
    assert outcomes.count("refused") == BUYERS - PER_BUYER, outcomes
    with schema_context(organization.schema_name):
        assert Order.objects.filter(email__iexact="same.fan@example.com").count() == PER_BUYER
