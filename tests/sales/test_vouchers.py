"""Vouchers and access codes: pricing (amount off, percent off, set price; tax and fees on
the discounted price), scope, validity, uses counted and given back (expiry, cancellation,
refund), the limit per buyer, hidden ticket types, batches; isolation and roles of the
control pages; the shop, the box office and the API."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.core.exceptions import Conflict
from apps.core.money import quantize
from apps.events import services as events
from apps.events.exceptions import HasDependants
from apps.sales.exceptions import OrderRejected, VoucherRefused
from apps.sales.models import Order, Ticket, Voucher
from apps.sales.selectors.exports import orders_table, tickets_table
from apps.sales.selectors.fee_basis import fee_basis
from apps.sales.selectors.vouchers import voucher_by_code, vouchers_visible_to, with_figures
from apps.sales.services.cart import cart_lines_add, order_checkout
from apps.sales.services.fees import fee_rule_save
from apps.sales.services.orders import OrderLine, order_cancel, order_create, orders_expire
from apps.sales.services.payments import order_refund
from apps.sales.services.taxes import tax_rule_save
from apps.sales.services.vouchers import voucher_delete, voucher_save, vouchers_batch_create
from apps.sales.tickets import tickets_pdf
from apps.tenancy import services as tenancy
from tests.factories import (
    ADMIN,
    CONFIGURER,
    OTHER,
    SELLER,
    UserFactory,
    denied_to_outsiders,
    programme_build,
    role_matrix,
    twin_sequences,
)
from tests.pdfs import pdf_text
from tests.sales.helpers import payments_connect, shop_build
from tests.sales.roles import OUTSIDERS, client_for, expect
from tests.tenants import ALPHA, BETA

Mode = Voucher.PriceMode


@pytest.fixture
def shop(in_alpha):
    return shop_build(capacity=50, slug="vouchers")


def _sell(shop, quantity=1, *, voucher=None, email="fan@example.com", ticket_type=None, **more):
    return order_create(
        distribution=shop.box_office,
        lines=[OrderLine(ticket_type=ticket_type or shop.day_ticket, quantity=quantity)],
        email=email,
        payment_method=Order.PaymentMethod.CASH,
        voucher=voucher,
        **more,
    )


def _cart(shop, quantity=1, *, voucher=None, ticket_type=None):
    return order_create(
        distribution=shop.online,
        lines=[OrderLine(ticket_type=ticket_type or shop.day_ticket, quantity=quantity)],
        email="",
        payment_method=Order.PaymentMethod.STRIPE,
        hold=True,
        voucher=voucher,
    )


def _voucher(shop, **fields):
    fields.setdefault("price_mode", Mode.SUBTRACT)
    fields.setdefault("value", Decimal("3.00"))
    fields.setdefault("max_uses", 10)
    return voucher_save(organizer=shop.organizer, **fields)


def _used(voucher):
    voucher.refresh_from_db()
    return voucher.used


# --- pricing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "value", "price"),
    [
        (Mode.SUBTRACT, "3.00", "7.00"),
        (Mode.SUBTRACT, "15.00", "0.00"),  # never below zero
        (Mode.PERCENT, "25", "7.50"),
        (Mode.SET, "4.00", "4.00"),
        (Mode.SET, "40.00", "10.00"),  # never above the price without it
    ],
)
def test_a_voucher_prices_the_tickets_it_applies_to(shop, mode, value, price):
    voucher = _voucher(shop, code="SAVE", price_mode=mode, value=Decimal(value))

    order = _sell(shop, 2, voucher=voucher)

    tickets = list(order.tickets.all())
    assert [t.price for t in tickets] == [Decimal(price)] * 2
    assert all(t.voucher_id == voucher.pk for t in tickets)
    assert tickets[0].discount == Decimal("10.00") - Decimal(price)
    assert order.subtotal == 2 * Decimal(price)
    assert order.discount_total == 2 * (Decimal("10.00") - Decimal(price))
    assert _used(voucher) == 2


def test_tax_and_fee_are_reckoned_on_the_discounted_price(shop):
    tax_rule_save(
        organizer=shop.organizer,
        name="VAT",
        rate=Decimal("20"),
        price_includes_tax=False,
        ticket_types=[shop.day_ticket],
    )
    fee_rule_save(organizer=shop.organizer, fixed=Decimal("0"), percent=Decimal("10"))
    voucher = _voucher(shop, code="HALF", price_mode=Mode.PERCENT, value=Decimal("50"))

    order = _sell(shop, voucher=voucher)

    ticket = order.tickets.get()
    # 10.00 listed, half: 5.00 + 20 % tax = 6.00 paid (12.00 without it); a fee of 10 % of 6.00.
    assert (ticket.price, ticket.tax, ticket.discount, ticket.fee) == (
        Decimal("6.00"),
        Decimal("1.00"),
        Decimal("6.00"),
        Decimal("0.60"),
    )
    assert order.total == Decimal("6.60")
    basis = fee_basis(shop.organizer.pk, timezone.now() - dt.timedelta(hours=1), timezone.now())
    assert basis.revenue == Decimal("6.00")  # the platform's fees are on what was paid


def test_a_voucher_applies_only_within_its_scope(shop):
    other_day = shop.date_ticket(1)
    voucher = _voucher(shop, code="DAY1", event_dates=[shop.dates[0]])

    order = order_create(
        distribution=shop.box_office,
        lines=[
            OrderLine(ticket_type=shop.day_ticket, quantity=1),
            OrderLine(ticket_type=other_day, quantity=1),
            OrderLine(ticket_type=shop.pass_ticket, quantity=1),
        ],
        email="fan@example.com",
        payment_method=Order.PaymentMethod.CASH,
        voucher=voucher,
    )

    prices = {t.ticket_type_id: (t.price, t.voucher_id) for t in order.tickets.all()}
    assert prices[shop.day_ticket.pk] == (Decimal("7.00"), voucher.pk)
    assert prices[other_day.pk] == (Decimal("10.00"), None)
    assert prices[shop.pass_ticket.pk] == (Decimal("25.00"), None)  # dates chosen: no pass
    assert _used(voucher) == 1


def test_a_voucher_for_none_of_the_tickets_is_refused(shop):
    voucher = _voucher(shop, code="PASSONLY", ticket_types=[shop.pass_ticket])

    with pytest.raises(VoucherRefused, match="not valid for these tickets"):
        _sell(shop, voucher=voucher)
    assert _used(voucher) == 0


def test_a_voucher_outside_its_window_is_refused(shop):
    now = timezone.now()
    later = _voucher(shop, code="LATER", valid_from=now + dt.timedelta(days=1))
    over = _voucher(shop, code="OVER", valid_until=now - dt.timedelta(minutes=1))

    with pytest.raises(VoucherRefused, match="not valid yet"):
        _sell(shop, voucher=later)
    with pytest.raises(VoucherRefused, match="has expired"):
        _sell(shop, voucher=over)
    assert Order.objects.count() == 0


# --- uses ------------------------------------------------------------------------------------


def test_uses_are_counted_per_ticket_up_to_the_maximum(shop):
    voucher = _voucher(shop, code="THREE", max_uses=3)
    _sell(shop, 2, voucher=voucher)

    with pytest.raises(VoucherRefused, match="1 more ticket only"):
        _sell(shop, 2, voucher=voucher)
    _sell(shop, 1, voucher=voucher)
    with pytest.raises(VoucherRefused, match="used up"):
        _sell(shop, 1, voucher=voucher)
    assert _used(voucher) == 3


def test_an_expired_cart_gives_its_uses_back_once(shop):
    voucher = _voucher(shop, code="ONCE", max_uses=2)
    cart = _cart(shop, 2, voucher=voucher)
    assert _used(voucher) == 2

    later = timezone.now() + dt.timedelta(hours=1)
    assert orders_expire(now=later) == 1
    assert orders_expire(now=later) == 0
    order_cancel(order_id=cart.pk)  # an expired order holds nothing more to give back

    assert _used(voucher) == 0


def test_a_cancelled_order_gives_its_uses_back(shop):
    voucher = _voucher(shop, code="CANCEL", max_uses=1)
    order = _sell(shop, voucher=voucher)

    order_cancel(order_id=order.pk)
    order_cancel(order_id=order.pk)

    assert _used(voucher) == 0
    _sell(shop, voucher=voucher)  # usable again
    assert _used(voucher) == 1


def test_a_refunded_ticket_gives_its_use_back(shop):
    voucher = _voucher(shop, code="REFUND", max_uses=5)
    order = _sell(shop, 3, voucher=voucher)
    first, *_rest = order.tickets.all()

    order_refund(order_id=order.pk, ticket_ids=[first.pk], notify_buyer=False)
    assert _used(voucher) == 2
    order_refund(order_id=order.pk, notify_buyer=False)
    assert _used(voucher) == 0


def test_a_cart_adds_tickets_with_the_code_and_counts_them(shop):
    voucher = _voucher(shop, code="CARTCODE", max_uses=3)
    cart = _cart(shop, 1)

    cart = cart_lines_add(
        order_id=cart.pk, lines=[OrderLine(ticket_type=shop.day_ticket, quantity=2)], voucher=voucher
    )

    assert sorted(t.price for t in cart.tickets.all()) == [Decimal("7.00"), Decimal("7.00"), Decimal("10.00")]
    assert cart.discount_total == Decimal("6.00")
    assert cart.total == Decimal("24.00")
    assert _used(voucher) == 2


# --- the limit per buyer ---------------------------------------------------------------------------


def test_the_limit_per_buyer_counts_their_other_orders_case_aside(shop):
    voucher = _voucher(shop, code="TWOEACH", max_uses=None, max_uses_per_buyer=2)
    _sell(shop, 1, voucher=voucher, email="Fan@Example.com")

    with pytest.raises(VoucherRefused, match="2 tickets per buyer"):
        _sell(shop, 2, voucher=voucher, email="fan@example.com")
    _sell(shop, 1, voucher=voucher, email="fan@example.com")
    _sell(shop, 2, voucher=voucher, email="other@example.com")
    assert _used(voucher) == 4


def test_the_limit_per_buyer_holds_at_checkout_of_a_guest_cart(shop):
    voucher = _voucher(shop, code="ONEEACH", max_uses=None, max_uses_per_buyer=1)
    _sell(shop, 1, voucher=voucher, email="fan@example.com")
    cart = _cart(shop, 1, voucher=voucher)

    with pytest.raises(VoucherRefused, match="1 ticket per buyer"):
        order_checkout(order_id=cart.pk, email="FAN@example.com")
    order_checkout(order_id=cart.pk, email="friend@example.com")


def test_a_refund_gives_the_buyer_their_use_back(shop):
    voucher = _voucher(shop, code="AGAIN", max_uses=None, max_uses_per_buyer=1)
    order = _sell(shop, voucher=voucher)
    order_refund(order_id=order.pk, notify_buyer=False)

    _sell(shop, voucher=voucher)


# --- hidden ticket types and access codes --------------------------------------------------------------


def test_a_hidden_ticket_type_is_sold_only_with_an_access_code_that_shows_it(shop):
    members = events.ticket_type_create(
        event=shop.event, event_date=shop.dates[0], name="Members", price=Decimal("8.00"), hidden=True
    )
    access = _voucher(
        shop, code="MEMBERS", price_mode=Mode.NONE, value=0, unlocks_hidden=True, ticket_types=[members]
    )
    discount_only = _voucher(shop, code="PROMO")

    with pytest.raises(OrderRejected, match="not on sale"):
        _cart(shop, ticket_type=members)
    with pytest.raises(OrderRejected, match="not on sale"):
        _cart(shop, ticket_type=members, voucher=discount_only)
    cart = _cart(shop, 2, ticket_type=members, voucher=access)

    assert [t.price for t in cart.tickets.all()] == [Decimal("8.00")] * 2
    assert _used(access) == 2
    # A seller at the box office sells it without a code.
    sold = _sell(shop, ticket_type=members, sold_by=UserFactory(is_operator=True))
    assert sold.tickets.get().price == Decimal("8.00")


def test_an_access_code_without_discount_is_not_spent_on_public_tickets(shop):
    members = events.ticket_type_create(
        event=shop.event, event_date=shop.dates[0], name="Members", price=Decimal("8.00"), hidden=True
    )
    access = _voucher(shop, code="CLUB", price_mode=Mode.NONE, value=0, unlocks_hidden=True, max_uses=1)

    order = order_create(
        distribution=shop.online,
        lines=[
            OrderLine(ticket_type=members, quantity=1),
            OrderLine(ticket_type=shop.day_ticket, quantity=3),
        ],
        email="",
        payment_method=Order.PaymentMethod.STRIPE,
        hold=True,
        voucher=access,
    )

    assert sorted((t.ticket_type_id, t.voucher_id) for t in order.tickets.all()) == sorted(
        [(members.pk, access.pk)] + [(shop.day_ticket.pk, None)] * 3
    )
    assert _used(access) == 1


# --- making, changing, deleting -------------------------------------------------------------------------


def test_codes_are_unique_per_organizer_case_aside(shop):
    _voucher(shop, code="Summer")

    with pytest.raises(ValidationError, match="already has the code"):
        _voucher(shop, code="SUMMER")
    other = shop_build(slug="vouchers-other")
    assert voucher_save(organizer=other.organizer, code="summer", price_mode=Mode.NONE).code == "summer"
    assert voucher_by_code(shop.organizer, " summer ").organizer_id == shop.organizer.pk


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"code": "two words"}, "code"),
        ({"price_mode": Mode.PERCENT, "value": Decimal("120")}, "value"),
        ({"price_mode": Mode.SUBTRACT, "value": Decimal("1.005")}, "value"),
        ({"valid_from": timezone.now(), "valid_until": timezone.now() - dt.timedelta(days=1)}, "valid_until"),
    ],
)
def test_a_bad_voucher_is_refused_with_the_field(shop, fields, field):
    fields.setdefault("code", "BAD")
    with pytest.raises(ValidationError) as refused:
        _voucher(shop, **fields)
    assert field in refused.value.message_dict


def test_a_voucher_of_another_organizers_event_is_refused(shop):
    other = shop_build(slug="vouchers-else")
    with pytest.raises(ValidationError, match="Not an event of"):
        _voucher(shop, code="ELSE", event=other.event)
    with pytest.raises(ValidationError, match="ticket types of the voucher"):
        _voucher(shop, code="ELSE", ticket_types=[other.day_ticket])


def test_max_uses_cannot_go_below_the_uses_made(shop):
    voucher = _voucher(shop, code="LOWER", max_uses=5)
    _sell(shop, 3, voucher=voucher)

    with pytest.raises(ValidationError, match="used 3 times"):
        voucher_save(organizer=shop.organizer, voucher=voucher, max_uses=2)


def test_a_used_voucher_cannot_be_deleted(shop):
    used = _voucher(shop, code="USED")
    order = _sell(shop, voucher=used)
    order_cancel(order_id=order.pk)
    unused = _voucher(shop, code="UNUSED")

    with pytest.raises(Conflict, match="cannot be deleted"):
        voucher_delete(voucher=used)
    voucher_delete(voucher=unused)
    assert list(Voucher.objects.values_list("code", flat=True)) == ["USED"]


def test_a_batch_makes_unique_random_codes_with_the_prefix(shop):
    made = vouchers_batch_create(
        organizer=shop.organizer,
        quantity=200,
        prefix="CLUB-",
        price_mode=Mode.PERCENT,
        value=Decimal("10"),
        max_uses=1,
        ticket_types=[shop.day_ticket],
    )

    codes = [v.code for v in made]
    assert len(set(codes)) == 200
    assert all(code.startswith("CLUB-") and len(code) == 15 for code in codes)
    assert Voucher.objects.filter(tag="CLUB-", ticket_types=shop.day_ticket).count() == 200
    order = _sell(shop, voucher=voucher_by_code(shop.organizer, codes[0].lower()))
    assert order.tickets.get().price == Decimal("9.00")


def test_the_list_counts_paid_uses_and_revenue_per_code(shop):
    voucher = _voucher(shop, code="FIGURES", max_uses=None)
    _sell(shop, 2, voucher=voucher)
    _cart(shop, 1, voucher=voucher)  # holds a use, not paid
    refunded = _sell(shop, 1, voucher=voucher)
    order_refund(order_id=refunded.pk, notify_buyer=False)
    _voucher(shop, code="NOBODY")

    rows = {v.code: v for v in with_figures(Voucher.objects.all())}

    assert (rows["FIGURES"].used, rows["FIGURES"].paid_uses, rows["FIGURES"].revenue) == (
        3,
        2,
        Decimal("14.00"),
    )
    assert (rows["NOBODY"].used, rows["NOBODY"].paid_uses, rows["NOBODY"].revenue) == (0, 0, Decimal(0))


# --- isolation ---------------------------------------------------------------------------------------


def test_twin_organizations_keep_their_codes_apart(alpha, beta):
    shops = {}
    for tenant in (alpha, beta):
        with schema_context(tenant.schema_name):
            shops[tenant.schema_name] = shop = shop_build(slug="twin-vouchers")
            _voucher(shop, code="TWIN", max_uses=1)
    with schema_context(alpha.schema_name):
        shop = shops[alpha.schema_name]
        _sell(shop, voucher=voucher_by_code(shop.organizer.pk, "twin"))
        assert Voucher.objects.get(code="TWIN").used == 1
    with schema_context(beta.schema_name):
        assert voucher_by_code(shops[beta.schema_name].organizer.pk, "twin").used == 0


def test_the_list_shows_only_the_vouchers_of_organizers_one_configures(world):
    with schema_context(ALPHA.schema_name):
        team = world.team
        voucher_save(organizer=team.a, code="OFA", price_mode=Mode.NONE)
        voucher_save(organizer=team.b, code="OFB", price_mode=Mode.NONE)
        assert set(vouchers_visible_to(team.admin).values_list("code", flat=True)) == {"OFA", "OFB"}
        assert set(vouchers_visible_to(team.configurer).values_list("code", flat=True)) == {"OFA"}
        assert not vouchers_visible_to(team.seller).exists()


# --- the control panel's pages, per role -----------------------------------------------------------

PAGE = {ADMIN: 200, CONFIGURER: 200, SELLER: 403, OTHER: 200, **OUTSIDERS}
CREATE_FOR_A = {ADMIN: 302, CONFIGURER: 302, SELLER: 403, OTHER: 400, **OUTSIDERS}
CHANGE_A = {ADMIN: 302, CONFIGURER: 302, SELLER: 403, OTHER: 404, **OUTSIDERS}


@pytest.fixture
def codes(world):
    """A's code in alpha, used by a paid order, B's unused; beta's twins with the same ids."""
    twin_sequences(ALPHA.schema_name, BETA.schema_name, tables=("sales_voucher",))
    made = {}
    for schema_name, team in ((ALPHA.schema_name, world.team), (BETA.schema_name, world.beta_twin())):
        with schema_context(schema_name):
            programme = programme_build(team)
            events.event_publish(event=programme.concert)
            a = voucher_save(
                organizer=team.a, code=f"{team.marker}-A10", price_mode=Mode.PERCENT, value=10, max_uses=None
            )
            voucher_save(organizer=team.b, code=f"{team.marker}-B5", price_mode=Mode.SUBTRACT, value=5)
            order_create(
                distribution=team.a_box,
                lines=[OrderLine(ticket_type=programme.day1_ticket, quantity=1)],
                email="fan@example.com",
                payment_method=Order.PaymentMethod.CASH,
                voucher=a,
            )
            made[schema_name] = {"a": a, "programme": programme}
    assert made[ALPHA.schema_name]["a"].pk == made[BETA.schema_name]["a"].pk
    return made[ALPHA.schema_name]


@role_matrix(PAGE)
def test_the_vouchers_page(world, codes, role, expected):
    response = client_for(world, role).get("/control/vouchers/")

    expect(response, expected)
    body = response.content.decode()
    assert "BETA" not in body
    assert ("ALPHA-A10" in body) == (role in (ADMIN, CONFIGURER))
    assert ("ALPHA-B5" in body) == (role in (ADMIN, OTHER))


@role_matrix(CREATE_FOR_A)
def test_making_a_voucher_for_organizer_a(world, codes, role, expected):
    response = client_for(world, role).post(
        "/control/vouchers/new/",
        {
            "organizer": world.team.a.pk,
            "code": "newcode",
            "quantity": 1,
            "price_mode": Mode.SET,
            "value": "4",
            "valid_until": "2027-05-01T12:00",
            "max_uses": 5,
            "event": codes["programme"].concert.pk,
        },
    )

    expect(response, expected)
    with schema_context(ALPHA.schema_name):
        made = list(Voucher.objects.filter(code="newcode"))
        assert len(made) == (1 if expected == 302 else 0)
        if made:
            assert (made[0].organizer_id, made[0].price_mode, made[0].value, made[0].max_uses) == (
                world.team.a.pk,
                Mode.SET,
                Decimal("4"),
                5,
            )
            # Typed in A's zone (Amsterdam, summer time): 10:00 UTC.
            assert made[0].valid_until == dt.datetime(2027, 5, 1, 10, tzinfo=dt.UTC)


@role_matrix(CHANGE_A)
def test_changing_and_deleting_a_voucher_of_a(world, codes, role, expected):
    with schema_context(ALPHA.schema_name):
        unused = voucher_save(organizer=world.team.a, code="SPARE", price_mode=Mode.NONE)
    client = client_for(world, role)

    page = client.get(f"/control/vouchers/{unused.pk}/edit/")
    response = client.post(
        f"/control/vouchers/{unused.pk}/edit/", {"code": "SPARE2", "price_mode": Mode.PERCENT, "value": "20"}
    )
    deleted = client.post(f"/control/vouchers/{unused.pk}/delete/")

    expect(page, 200 if expected == 302 else expected)
    expect(response, expected)
    expect(deleted, expected)
    with schema_context(ALPHA.schema_name):
        assert Voucher.objects.filter(pk=unused.pk).exists() == (expected != 302)


def test_a_used_voucher_is_not_deleted_and_the_page_says_why(world, codes):
    response = client_for(world, ADMIN).post(f"/control/vouchers/{codes['a'].pk}/delete/")

    assert response.status_code == 409
    assert "was used in orders" in response.content.decode()


def test_the_list_shows_uses_and_revenue(world, codes):
    body = client_for(world, ADMIN).get("/control/vouchers/?q=ALPHA-A10").content.decode()

    assert "ALPHA-A10" in body
    assert "ALPHA-B5" not in body
    assert "<td>1</td>" in body  # used once, no maximum
    assert "10 % off" in body


def test_a_batch_is_made_from_the_page_and_downloaded(world, codes):
    client = client_for(world, CONFIGURER)
    response = client.post(
        "/control/vouchers/new/",
        {
            "organizer": world.team.a.pk,
            "code": "PRE-",
            "quantity": 25,
            "price_mode": Mode.NONE,
            "max_uses": 1,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/control/vouchers/?q=PRE-"
    download = client.get("/control/vouchers/?q=PRE-&format=csv")
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert len(rows) == 26
    assert rows[0][0] == "Code"
    assert all(row[0].startswith("PRE-") for row in rows[1:])
    assert len({row[0] for row in rows[1:]}) == 25


def test_a_bad_form_is_a_400_with_the_field(world, codes):
    response = client_for(world, ADMIN).post(
        "/control/vouchers/new/",
        {
            "organizer": world.team.a.pk,
            "code": "bad code",
            "quantity": 1,
            "price_mode": Mode.PERCENT,
            "value": "150",
        },
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "Use letters, digits" in body or "at most 100" in body.lower()


# --- the shop ------------------------------------------------------------------------------------------

SHOP_HOST = "vouchers.localhost"


@pytest.fixture
def storefront(alpha):
    with schema_context(ALPHA.schema_name):
        shop = shop_build(capacity=50, slug="vouchers")
        payments_connect(shop.organizer)
        shop.members = events.ticket_type_create(
            event=shop.event,
            event_date=shop.dates[0],
            name="Members presale",
            price=Decimal("6.00"),
            hidden=True,
        )
        _voucher(shop, code="SAVE3", max_uses=5)
        _voucher(shop, code="MEMBERS", price_mode=Mode.NONE, value=0, unlocks_hidden=True, max_uses=2)
    tenancy.domain_add(organization=alpha, domain=SHOP_HOST, organizer_slug="vouchers")
    return shop


def _reserve(client, shop, ticket_type, quantity=1):
    return client.post(
        f"/events/{shop.event.pk}/", {f"qty-{ticket_type.pk}-{shop.dates[0].pk}": str(quantity)}
    )


def test_a_link_with_the_code_shows_the_discount_and_the_cart_and_order_keep_it(storefront):
    client = Client(HTTP_HOST=SHOP_HOST)

    page = client.get(f"/events/{storefront.event.pk}/?voucher=save3")
    body = page.content.decode()
    assert "Code SAVE3 applied" in body
    assert "<del>" in body
    assert "€7.00" in body
    assert "Members presale" not in body  # a discount code shows no hidden type

    assert _reserve(client, storefront, storefront.day_ticket, 2).status_code == 302
    cart = client.get("/cart/").content.decode()
    assert "code SAVE3: €3.00 off" in cart
    assert "Discount with codes" in cart
    assert "€14.00" in cart

    with schema_context(ALPHA.schema_name):
        order = Order.objects.get()
        assert (order.total, order.discount_total) == (Decimal("14.00"), Decimal("6.00"))
        assert Voucher.objects.get(code="SAVE3").used == 2
    detail = client.get(f"/orders/{order.code}/{order.secret}/").content.decode()
    assert "code SAVE3: €3.00 off" in detail


def test_a_junk_return_page_or_code_is_never_a_500(storefront):
    client = Client(HTTP_HOST=SHOP_HOST)

    for target in ("abc", "cart", "0", "//elsewhere.example/"):
        answer = client.post("/voucher/", {"voucher": "save3", "next": target})
        assert (answer.status_code, answer["Location"]) == (302, "/"), target
    assert client.get(f"/events/{storefront.event.pk}/", {"voucher": "SA\x00VE3"}).status_code == 200


def test_an_access_code_typed_in_shows_the_hidden_type(storefront):
    client = Client(HTTP_HOST=SHOP_HOST)
    assert "Members presale" not in client.get(f"/events/{storefront.event.pk}/").content.decode()
    # Without the code, a hidden type's field posted by hand sells nothing.
    assert _reserve(client, storefront, storefront.members).status_code == 400

    answer = client.post("/voucher/", {"voucher": "members", "next": f"/events/{storefront.event.pk}/"})
    assert answer.status_code == 302
    page = client.get(answer["Location"]).content.decode()
    assert "Members presale" in page
    assert "Code MEMBERS applied" in page

    assert _reserve(client, storefront, storefront.members, 2).status_code == 302
    with schema_context(ALPHA.schema_name):
        assert Voucher.objects.get(code="MEMBERS").used == 2
        assert Ticket.objects.filter(ticket_type=storefront.members).count() == 2


@pytest.mark.parametrize(
    ("code", "message"),
    [("NOPE", "is not known here"), ("GONE", "has expired"), ("EMPTY", "has been used up")],
)
def test_a_bad_code_is_refused_with_the_reason(storefront, code, message):
    with schema_context(ALPHA.schema_name):
        _voucher(storefront, code="GONE", valid_until=timezone.now() - dt.timedelta(hours=1))
        empty = _voucher(storefront, code="EMPTY", max_uses=1)
        _sell(storefront, voucher=empty)
    client = Client(HTTP_HOST=SHOP_HOST)

    page = client.get(f"/events/{storefront.event.pk}/?voucher={code}", follow=True)

    assert message in page.content.decode()
    assert "voucher_code" not in client.session


def test_a_cart_past_its_time_gives_the_code_back_to_the_next_buyer(storefront):
    with schema_context(ALPHA.schema_name):
        last = _voucher(storefront, code="LAST", max_uses=1)
        held = _cart(storefront, voucher=last)
        Order.objects.filter(pk=held.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))

    page = Client(HTTP_HOST=SHOP_HOST).get(f"/events/{storefront.event.pk}/?voucher=last")

    assert "Code LAST applied" in page.content.decode()
    with schema_context(ALPHA.schema_name):
        assert Voucher.objects.get(code="LAST").used == 0


# --- the box office and the API ---------------------------------------------------------------------------


def _box_office(world, codes, **more):
    client = client_for(world, SELLER)
    programme = codes["programme"]
    return client.post(
        f"/control/box-office/events/{programme.concert.pk}/",
        {
            f"qty-{programme.day1_ticket.pk}-{programme.day1.pk}": "2",
            "payment_method": "cash",
            "distribution": world.team.a_box.pk,
            **more,
        },
    )


def test_the_box_office_sells_with_a_code(world, codes):
    answer = _box_office(world, codes, voucher="alpha-a10")

    assert answer.status_code == 302
    with schema_context(ALPHA.schema_name):
        order = Order.objects.filter(sold_by=world.team.seller).get()
        price = codes["programme"].day1_ticket.price
        assert order.discount_total == quantize(2 * price / 10, "EUR")
        assert Voucher.objects.get(pk=codes["a"].pk).used == 3
    receipt = client_for(world, SELLER).get(answer["Location"]).content.decode()
    assert "code ALPHA-A10" in receipt


def test_the_box_office_says_what_is_wrong_with_a_code(world, codes):
    unknown = _box_office(world, codes, voucher="NOPE")
    other_organizer = _box_office(world, codes, voucher="ALPHA-B5")

    assert unknown.status_code == 400
    assert "The code NOPE is not known here." in unknown.content.decode()
    assert other_organizer.status_code == 400  # B's code is not known to A's box office
    with schema_context(ALPHA.schema_name):
        assert not Order.objects.filter(sold_by=world.team.seller).exists()


def test_the_box_office_lists_and_sells_hidden_types(world, codes):
    programme = codes["programme"]
    with schema_context(ALPHA.schema_name):
        hidden = events.ticket_type_create(
            event=programme.concert,
            event_date=programme.day1,
            name="Partner seats",
            price=Decimal("5"),
            hidden=True,
        )
    page = client_for(world, SELLER).get(
        f"/control/box-office/events/{programme.concert.pk}/?distribution={world.team.a_box.pk}"
    )
    assert "Partner seats" in page.content.decode()
    answer = _box_office(world, codes, **{f"qty-{hidden.pk}-{programme.day1.pk}": "1"})
    assert answer.status_code == 302


def _api_sale(world, codes, **more):
    programme = codes["programme"]
    return {
        "distribution": world.team.a_box.pk,
        "email": "buyer@example.com",
        "payment_method": "cash",
        "positions": [{"ticket_type": programme.day1_ticket.pk, "quantity": 1}],
        **more,
    }


def test_an_api_sale_with_a_code_shows_the_discount(world, codes):
    client = world.client(SELLER)

    sold = client.post("/api/v1/orders/", _api_sale(world, codes, voucher="Alpha-A10"), format="json")
    unknown = client.post("/api/v1/orders/", _api_sale(world, codes, voucher="NOPE"), format="json")

    assert sold.status_code == 201, sold.content
    body = sold.json()
    assert Decimal(body["discount_total"]) > 0
    assert body["tickets"][0]["voucher"] == codes["a"].pk
    assert Decimal(body["tickets"][0]["discount"]) == Decimal(body["discount_total"])
    assert unknown.status_code == 400
    assert "voucher" in unknown.json()


def test_an_api_sale_past_the_uses_is_a_400_under_voucher(world, codes):
    with schema_context(ALPHA.schema_name):
        voucher_save(
            organizer=world.team.a, code="ONE", price_mode=Mode.NONE, max_uses=1, unlocks_hidden=True
        )
        voucher_save(organizer=world.team.a, code="DISC", max_uses=1, value=Decimal("1"))
    client = world.client(SELLER)
    client.post("/api/v1/orders/", _api_sale(world, codes, voucher="DISC"), format="json")

    refused = client.post("/api/v1/orders/", _api_sale(world, codes, voucher="DISC"), format="json")

    assert refused.status_code == 400
    assert refused.json()["voucher"] == ["The code DISC has been used up."]


VOUCHER_API_WRITE = denied_to_outsiders(**{ADMIN: 201, CONFIGURER: 201, SELLER: 400, OTHER: 400})


@role_matrix(VOUCHER_API_WRITE)
def test_who_makes_vouchers_through_the_api(world, codes, role, expected):
    response = world.client(role).post(
        "/api/v1/vouchers/",
        {"organizer": world.team.a.pk, "code": "API1", "price_mode": "percent", "value": "15", "max_uses": 3},
        format="json",
    )

    assert response.status_code == expected, response.content
    listed = world.client(role).get("/api/v1/vouchers/")
    assert listed.status_code == (200 if expected in (201, 400) else expected)
    codes_seen = {row["code"] for row in listed.json()["results"]} if listed.status_code == 200 else set()
    assert ("API1" in codes_seen) == (expected == 201)
    assert not any(code.startswith("BETA") for code in codes_seen)


def test_the_api_changes_deletes_and_batches_vouchers(world, codes):
    client = world.client(CONFIGURER)
    made = client.post(
        "/api/v1/vouchers/",
        {"organizer": world.team.a.pk, "price_mode": "none", "unlocks_hidden": True},
        format="json",
    ).json()
    assert len(made["code"]) == 10  # random

    changed = client.patch(f"/api/v1/vouchers/{made['id']}/", {"max_uses_per_buyer": 2}, format="json")
    used = client.delete(f"/api/v1/vouchers/{codes['a'].pk}/")
    deleted = client.delete(f"/api/v1/vouchers/{made['id']}/")
    batch = client.post(
        "/api/v1/vouchers/batch/",
        {"organizer": world.team.a.pk, "quantity": 5, "prefix": "SEASON-", "unlocks_hidden": True},
        format="json",
    )

    assert changed.status_code == 200
    assert changed.json()["max_uses_per_buyer"] == 2
    assert used.status_code == 409
    assert deleted.status_code == 204
    assert batch.status_code == 201
    assert [row["tag"] for row in batch.json()] == ["SEASON-"] * 5
    assert all(row["code"].startswith("SEASON-") for row in batch.json())


def test_a_batch_with_more_uses_than_the_database_counts_is_a_400_not_a_500(world, codes):
    client = world.client(CONFIGURER)
    for field in ("max_uses", "max_uses_per_buyer"):
        response = client.post(
            "/api/v1/vouchers/batch/",
            {"organizer": world.team.a.pk, "quantity": 2, field: 2**31},
            format="json",
        )

        assert response.status_code == 400, response.content
        assert "At most 2147483647" in response.json()[field][0]


# --- what the buyer and the operator read: e-mail, PDF, exports -------------------------------------------


def test_the_e_mail_pdf_and_exports_show_the_code_and_the_discount(shop, django_capture_on_commit_callbacks):
    voucher = _voucher(shop, code="PAPER")
    with django_capture_on_commit_callbacks(execute=True):
        order = _sell(shop, 2, voucher=voucher)

    (message,) = mail.outbox
    assert "Standard · " in message.body
    assert "code PAPER: 3.00 EUR off" in message.body
    assert "Discount with codes: −6.00 EUR" in message.body
    assert "code PAPER: 3.00 EUR off" in message.alternatives[0][0]
    assert "Standard — 7.00 EUR (code PAPER: 3.00 EUR off)" in pdf_text(tickets_pdf(order))
    admin = UserFactory(is_operator=True, is_admin=True)
    orders = orders_table(admin)
    (row,) = [dict(zip(orders.header, row, strict=True)) for row in orders.rows]
    assert row["Discount with codes"] == Decimal("6.00")
    tickets = tickets_table(admin)
    rows = [dict(zip(tickets.header, row, strict=True)) for row in tickets.rows]
    assert [(r["Voucher"], r["Discount"], r["Price"]) for r in rows] == [
        ("PAPER", Decimal("3.00"), Decimal("7.00"))
    ] * 2


def test_the_sales_report_lists_the_codes_with_their_discount(world, codes):
    body = client_for(world, ADMIN).get(f"/control/reports/?organizer={world.team.a.pk}").content.decode()

    assert "By voucher" in body
    with schema_context(ALPHA.schema_name):
        ticket = Ticket.objects.get(voucher=codes["a"])
    section = body[body.index("By voucher") :]
    assert "ALPHA-A10" in section
    assert f"€{ticket.discount:.2f}" in section
    assert f"€{ticket.price:.2f}" in section
    assert "ALPHA-B5" not in section


def test_a_code_typed_at_the_cart_prices_the_tickets_already_in_it(storefront):
    client = Client(HTTP_HOST=SHOP_HOST)
    _reserve(client, storefront, storefront.day_ticket, 2)
    with schema_context(ALPHA.schema_name):
        cart = Order.objects.get()
        assert cart.total == Decimal("20.00")

    answer = client.post("/voucher/", {"voucher": "save3", "next": "/cart/"})
    page = client.get(answer["Location"]).content.decode()

    assert "It is applied to 2 tickets in your cart." in page
    assert "code SAVE3: €3.00 off" in page
    with schema_context(ALPHA.schema_name):
        cart.refresh_from_db()
        assert (cart.subtotal, cart.discount_total, cart.total) == (
            Decimal("14.00"),
            Decimal("6.00"),
            Decimal("14.00"),
        )
        assert Voucher.objects.get(code="SAVE3").used == 2
    # Again: nothing more to price, no use taken twice.
    client.post("/voucher/", {"voucher": "SAVE3", "next": "/cart/"})
    with schema_context(ALPHA.schema_name):
        assert Voucher.objects.get(code="SAVE3").used == 2


def test_a_code_with_too_few_uses_leaves_the_cart_as_it_was(storefront):
    with schema_context(ALPHA.schema_name):
        _voucher(storefront, code="SOLO", max_uses=1)
    client = Client(HTTP_HOST=SHOP_HOST)
    _reserve(client, storefront, storefront.day_ticket, 2)

    page = client.post("/voucher/", {"voucher": "solo", "next": "/cart/"}, follow=True).content.decode()

    assert "can be used for 1 more ticket only" in page
    with schema_context(ALPHA.schema_name):
        assert Order.objects.get().total == Decimal("20.00")
        assert Voucher.objects.get(code="SOLO").used == 0


def test_the_orders_list_finds_the_orders_of_a_code_any_case(world, codes):
    client = client_for(world, ADMIN)

    listed = client.get("/control/orders/?q=alpha-a10").content.decode()
    vouchers = client.get("/control/vouchers/").content.decode()

    with schema_context(ALPHA.schema_name):
        order = Ticket.objects.get(voucher=codes["a"]).order
    assert order.code in listed
    assert "/control/orders/?q=ALPHA-A10" in vouchers  # its paid uses link there
    api = world.client(ADMIN).get("/api/v1/orders/?q=ALPHA-a10").json()
    assert [row["code"] for row in api["results"]] == [order.code]


def test_a_ticket_type_or_date_a_voucher_is_for_cannot_be_deleted(shop):
    spare = shop.date_ticket(1)
    _voucher(shop, code="SCOPED", ticket_types=[spare], event_dates=[shop.dates[1]])

    with pytest.raises(HasDependants, match="the voucher SCOPED"):
        events.ticket_type_delete(ticket_type=spare)
    with pytest.raises(HasDependants, match="the voucher SCOPED"):
        events.event_date_delete(event_date=shop.dates[1])
    voucher = Voucher.objects.get(code="SCOPED")
    assert list(voucher.ticket_types.all()) == [spare]  # never widened to every ticket type
