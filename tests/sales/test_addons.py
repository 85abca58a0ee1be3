"""Add-ons (apps.sales.services.addons): products sold with tickets or orders, priced and
taxed like tickets, with a stock held in carts, sold when paid and given back exactly once on
expiry, cancellation and refund; offered in the shop's cart, at the box office and through
the API; managed on the control panel per role; counted in reports, exports and invoices."""

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.core.exceptions import Conflict
from apps.core.models import AuditLogEntry, OutgoingEmail
from apps.events import services as events
from apps.organizers.services import organizer_update
from apps.sales.exceptions import AddOnSoldOut, OrderRejected
from apps.sales.models import AddOn, AddOnStock, Order, OrderAddOn
from apps.sales.selectors.addon_figures import with_add_on_refunds
from apps.sales.selectors.exports import orders_table
from apps.sales.selectors.fee_basis import fee_basis
from apps.sales.selectors.figures import figures_scope, period_of_last, sales_totals
from apps.sales.selectors.ledger import ledger, sales_report
from apps.sales.services.addon_cart import cart_add_ons_add
from apps.sales.services.addons import AddOnChoice, AddOnRequest, add_on_delete, add_on_save
from apps.sales.services.confirmations import order_confirmation_send
from apps.sales.services.invoices import invoice_issue
from apps.sales.services.orders import OrderLine, order_cancel, order_create, order_mark_paid, orders_expire
from apps.sales.services.payments import order_refund
from apps.sales.services.taxes import tax_rule_delete, tax_rule_save
from apps.sales.tickets import tickets_pdf
from apps.tenancy import services as tenancy
from tests.factories import (
    ADMIN,
    CONFIGURER,
    OTHER,
    SELLER,
    OperatorFactory,
    denied_to_outsiders,
    programme_build,
    role_matrix,
    twin_sequences,
)
from tests.pdfs import pdf_text
from tests.sales.helpers import in_alpha, payments_connect, shop_build
from tests.sales.roles import OUTSIDERS, client_for, expect
from tests.tenants import ALPHA, BETA


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
    assert _counter(parking) == (0, 2)
    assert _counter(tshirt) == (0, 2)


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

    assert _counter(parking) == (0, 1)
    assert _counter(tshirt) == (0, 1)
    assert set(first.add_ons.values_list("status", flat=True)) == {"refunded"}
    order_refund(order_id=order.pk, ticket_ids=[second.pk], notify_buyer=False)

    assert _counter(parking) == (0, 0)
    assert _counter(tshirt) == (0, 0)
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


# --- the shop's cart and order page ---------------------------------------------------------

SHOP_HOST = "addons-shop.localhost"


@pytest.fixture
def shop_online(alpha):
    with schema_context(ALPHA.schema_name):
        shop = shop_build(capacity=12, slug="addons-shop")
        payments_connect(shop.organizer)
        parking = _parking(shop, stock=5, max_quantity=2, ticket_types=[shop.day_ticket])
        _parking(shop, name="Festival T-shirt", price=Decimal("15.00"), per=AddOn.Per.ORDER, max_quantity=3)
        _parking(shop, name="Pass lounge", ticket_types=[shop.pass_ticket])
    tenancy.domain_add(organization=alpha, domain=SHOP_HOST, organizer_slug="addons-shop")
    return shop, parking


def test_a_buyer_adds_parking_to_a_ticket_in_the_cart_and_sees_it_on_the_order(shop_online):
    shop, parking = shop_online
    buyer = Client(HTTP_HOST=SHOP_HOST)
    buyer.post(f"/events/{shop.event.pk}/", {f"qty-{shop.day_ticket.pk}-{shop.dates[0].pk}": "1"})
    with schema_context(ALPHA.schema_name):
        order = Order.objects.get()
        ticket = order.tickets.get()

    cart = buyer.get("/cart/").content.decode()
    assert f'name="addon-{parking.pk}-{ticket.pk}"' in cart
    assert "Festival T-shirt" in cart
    assert "Pass lounge" not in cart  # not offered with this ticket type
    answer = buyer.post("/cart/add-ons/", {f"addon-{parking.pk}-{ticket.pk}": "2"})
    cart = buyer.get("/cart/").content.decode()

    assert answer.status_code == 302
    assert "Parking" in cart
    assert "€20.00" in cart or "20.00 €" in cart or "20,00" in cart  # 10.00 + 2 × 5.00
    with schema_context(ALPHA.schema_name):
        order.refresh_from_db()
        assert order.total == Decimal("20.00")
        assert _counter(parking) == (2, 0)
        order_mark_paid(order_id=order.pk)
    page = buyer.get(f"/orders/{order.code}/{order.secret}/").content.decode()
    assert "Parking" in page
    assert "Add-ons" in page


def test_the_cart_refuses_more_than_the_maximum_and_bad_numbers_with_a_message(shop_online):
    shop, parking = shop_online
    buyer = Client(HTTP_HOST=SHOP_HOST)
    buyer.post(f"/events/{shop.event.pk}/", {f"qty-{shop.day_ticket.pk}-{shop.dates[0].pk}": "1"})
    with schema_context(ALPHA.schema_name):
        ticket = Order.objects.get().tickets.get()

    for value, message in (
        ("3", "at most 2"),
        ("x", "is not a number"),
        ("²", "is not a number"),
        ("0", "Choose how many"),
    ):
        answer = buyer.post("/cart/add-ons/", {f"addon-{parking.pk}-{ticket.pk}": value}, follow=True)
        assert message in answer.content.decode()
    with schema_context(ALPHA.schema_name):
        assert _counter(parking) == (0, 0)


def test_adding_add_ons_without_a_cart_says_the_reservation_ran_out(shop_online):
    answer = Client(HTTP_HOST=SHOP_HOST).post("/cart/add-ons/", {"addon-1-1": "1"}, follow=True)

    assert "Your reservation has expired" in answer.content.decode()


# --- the control panel: roles, twin organizations ------------------------------------------


@pytest.fixture
def catalogue(world):
    """alpha's add-ons (A's parking, sold once at A's box office; B's locker, never sold) and
    beta's twins with the same ids, named BETA."""
    twin_sequences(ALPHA.schema_name, BETA.schema_name, tables=("sales_addon",))
    made = {}
    for schema_name, team in ((ALPHA.schema_name, world.team), (BETA.schema_name, world.beta_twin())):
        with schema_context(schema_name):
            programme = programme_build(team)
            events.event_publish(event=programme.concert)
            parking = add_on_save(
                organizer=team.a, event=programme.concert, name=f"{team.marker}-A Parking", price=Decimal(8)
            )
            locker = add_on_save(
                organizer=team.b,
                name=f"{team.marker}-B Locker",
                price=Decimal(2),
                per=AddOn.Per.ORDER,
                stock=9,
            )
            order_create(
                distribution=team.a_box,
                lines=[OrderLine(ticket_type=programme.day1_ticket, quantity=1)],
                email="fan@example.com",
                payment_method=Order.PaymentMethod.CASH,
                add_ons=[AddOnRequest(parking, 1, line=0)],
            )
            made[schema_name] = {"parking": parking, "locker": locker, "programme": programme}
    assert made[ALPHA.schema_name]["parking"].pk == made[BETA.schema_name]["parking"].pk
    return made[ALPHA.schema_name]


LIST = {ADMIN: 200, CONFIGURER: 200, SELLER: 403, OTHER: 200, **OUTSIDERS}


@role_matrix(LIST)
def test_the_add_ons_page_lists_the_add_ons_one_configures_with_stock_and_sold(
    world, catalogue, role, expected
):
    response = client_for(world, role).get("/control/add-ons/")

    expect(response, expected)
    body = response.content.decode()
    assert "BETA" not in body
    assert ("ALPHA-A Parking" in body) == (role in (ADMIN, CONFIGURER))
    assert ("ALPHA-B Locker" in body) == (role in (ADMIN, OTHER))


NAV = {ADMIN: True, CONFIGURER: True, SELLER: False, OTHER: True}


@pytest.mark.parametrize(("role", "shown"), list(NAV.items()))
def test_the_menu_links_the_add_ons_page_for_whoever_may_open_it(world, role, shown):
    response = client_for(world, role).get("/control/check-in/")

    assert ('href="/control/add-ons/"' in response.content.decode()) == shown


CREATE_FOR_A = {ADMIN: 302, CONFIGURER: 302, SELLER: 403, OTHER: 400, **OUTSIDERS}


@role_matrix(CREATE_FOR_A)
def test_creating_an_add_on_for_organizer_a(world, catalogue, role, expected):
    programme = catalogue["programme"]
    response = client_for(world, role).post(
        "/control/add-ons/new/",
        {
            "organizer": world.team.a.pk,
            "name": "Locker XL",
            "price": "4.50",
            "stock": "30",
            "per": "ticket",
            "max_quantity": "2",
            "event": programme.concert.pk,
            "ticket_types": [programme.day1_ticket.pk],
            "on_sale": "on",
        },
    )

    expect(response, expected)
    made = in_alpha(lambda: list(AddOn.objects.filter(name="Locker XL")))
    assert len(made) == (1 if expected == 302 else 0)
    if made:
        assert (made[0].price, made[0].stock, made[0].max_quantity) == (Decimal("4.50"), 30, 2)
        assert in_alpha(lambda: list(made[0].ticket_types.all())) == [programme.day1_ticket]
        assert in_alpha(lambda: _counter(made[0])) == (0, 0)


def test_a_bad_add_on_is_a_form_error_not_a_500(world, catalogue):
    response = client_for(world, ADMIN).post(
        "/control/add-ons/new/",
        {"organizer": world.team.a.pk, "name": "", "price": "-1", "per": "nope", "max_quantity": "0"},
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "The add-on was not saved" in body


EDIT_A = {ADMIN: 302, CONFIGURER: 302, SELLER: 403, OTHER: 404, **OUTSIDERS}


@role_matrix(EDIT_A)
def test_changing_as_parking(world, catalogue, role, expected):
    parking = catalogue["parking"]
    response = client_for(world, role).post(
        f"/control/add-ons/{parking.pk}/edit/",
        {"name": "ALPHA-A Parking", "price": "9.00", "stock": "40", "per": "ticket", "max_quantity": "1"},
    )

    expect(response, expected)
    parking = in_alpha(lambda: AddOn.objects.get(pk=parking.pk))
    assert parking.stock == (40 if expected == 302 else None)


def test_a_sold_add_on_cannot_be_deleted_from_the_page_and_says_why(world, catalogue):
    client = client_for(world, ADMIN)

    sold = client.post(f"/control/add-ons/{catalogue['parking'].pk}/delete/")
    unsold = client.post(f"/control/add-ons/{catalogue['locker'].pk}/delete/")

    assert sold.status_code == 409
    assert "cannot be deleted" in sold.content.decode()
    assert unsold.status_code == 302
    assert in_alpha(lambda: list(AddOn.objects.values_list("name", flat=True))) == ["ALPHA-A Parking"]
    with schema_context(BETA.schema_name):
        assert AddOn.objects.count() == 2  # the twin's untouched


# --- what shows and counts them: invoice, PDF, e-mail, report, ledger, fee basis ----------


def _sold_with_add_ons(shop):
    """A counter sale of 2 day tickets (10.00 each) with a parking each (5.00, VAT 20 %
    included) and a T-shirt for the order (12.00)."""
    vat = tax_rule_save(organizer=shop.organizer, name="TVA", rate=Decimal("20"), price_includes_tax=True)
    parking = _parking(shop, tax_rule=vat)
    tshirt = _parking(shop, name="T-shirt", price=Decimal("12.00"), per=AddOn.Per.ORDER)
    order = _sell(shop, [AddOnRequest(parking, 1, line=0), AddOnRequest(tshirt, 1)])
    return order, parking, tshirt


def test_the_invoice_has_a_line_per_add_on_with_its_tax(shop):
    organizer_update(organizer=shop.organizer, address="1 quai du Rhône\n69002 Lyon")
    order, _parking_, _tshirt = _sold_with_add_ons(shop)

    invoice = invoice_issue(order_id=order.pk, address="3 rue de la Paix", country="FR")

    lines = {line.description: line for line in invoice.lines.all()}
    assert (lines["Parking"].quantity, lines["Parking"].gross, lines["Parking"].tax) == (
        2,
        Decimal("10.00"),
        Decimal("1.66"),
    )
    assert (lines["T-shirt"].quantity, lines["T-shirt"].gross, lines["T-shirt"].tax) == (
        1,
        Decimal("12.00"),
        0,
    )
    assert invoice.total == Decimal("42.00") == Order.objects.get(pk=order.pk).total


def test_the_tickets_pdf_and_the_e_mail_list_the_add_ons(shop, mailoutbox):
    order, _parking_, _tshirt = _sold_with_add_ons(shop)

    text = pdf_text(tickets_pdf(order))
    order_confirmation_send(order_id=order.pk)

    assert text.count("+ Parking × 1") == 2  # on each ticket's page
    assert text.count("+ T-shirt × 1") == 1  # on the first
    body = mail.outbox[-1].body
    assert "+ Parking × 1" in body
    assert "+ T-shirt × 1" in body
    assert "42.00" in body


def test_the_report_and_ledger_count_add_ons_sold_and_refunded_and_still_reconcile(shop):
    order, parking, tshirt = _sold_with_add_ons(shop)
    first = order.tickets.order_by("pk").first()
    order_refund(order_id=order.pk, ticket_ids=[first.pk], notify_buyer=False)
    admin = OperatorFactory(email="boss@example.com", is_admin=True)
    scope = figures_scope(admin, shop.organizer)
    period = period_of_last(7, ZoneInfo("Europe/Paris"))

    report = sales_report(scope, period, "EUR")
    book = ledger(scope, period, "EUR")
    totals = with_add_on_refunds(sales_totals(scope, [period]), scope, [period])

    assert report.total.revenue == Decimal("42.00")
    assert report.total.refunds == Decimal("15.00")  # the ticket and its parking
    assert report.reconciled
    rows = {row.label: row for row in report.ticket_types}
    assert (rows["Add-on – Parking"].revenue, rows["Add-on – Parking"].refunds) == (
        Decimal("10.00"),
        Decimal("5.00"),
    )
    assert rows["Add-on – T-shirt"].revenue == Decimal("12.00")
    assert sum(row.refunds for row in report.channels) == report.total.refunds
    assert book.closing.refunds == report.total.refunds
    assert book.closing.payments == Decimal("42.00")
    assert totals[0].periods[0].refunds == Decimal("15.00")


def test_add_on_revenue_counts_in_the_fee_basis_but_not_as_tickets(shop):
    order, _parking_, _tshirt = _sold_with_add_ons(shop)
    span = (timezone.now() - dt.timedelta(hours=1), timezone.now() + dt.timedelta(hours=1))

    basis = fee_basis(shop.organizer.pk, *span)
    order_refund(order_id=order.pk, notify_buyer=False)
    later = fee_basis(shop.organizer.pk, span[1], span[1] + dt.timedelta(hours=1))
    after = fee_basis(shop.organizer.pk, *span)

    assert (basis.tickets, basis.revenue) == (2, Decimal("42.00"))
    assert (later.refunded_earlier_tickets, later.refunded_earlier_revenue) == (
        0,
        0,
    )  # refunded within its span
    assert (after.tickets, after.revenue) == (0, Decimal("0"))


def test_the_box_office_sells_add_ons_and_the_receipt_and_order_page_show_them(world, catalogue):
    programme, parking = catalogue["programme"], catalogue["parking"]
    client = client_for(world, SELLER)

    page = client.get(f"/control/box-office/events/{programme.concert.pk}/")
    sold = client.post(
        f"/control/box-office/events/{programme.concert.pk}/",
        {
            f"qty-{programme.day1_ticket.pk}-{programme.day1.pk}": "2",
            f"addon-{parking.pk}": "1",
            "payment_method": "cash",
            "email": "walk.in@example.com",
            "distribution": world.team.a_box.pk,
        },
    )

    assert f'name="addon-{parking.pk}"' in page.content.decode()
    assert sold.status_code == 302, sold.content.decode()[:2000]
    order = in_alpha(lambda: Order.objects.filter(add_ons__isnull=False).distinct().latest("pk"))
    assert order.total == Decimal("106.00")  # 2 × 45.00 + 2 × 8.00
    assert "ALPHA-A Parking" in client.get(sold["Location"]).content.decode()
    detail = client_for(world, ADMIN).get(f"/control/orders/{order.code}/")
    assert "ALPHA-A Parking" in detail.content.decode()
    refund = client_for(world, ADMIN).post(
        f"/control/orders/{order.code}/refund/", {"tickets": [in_alpha(lambda: order.tickets.first().pk)]}
    )
    assert "53.00" in refund.content.decode()  # the ticket and its parking


def test_a_bad_add_on_quantity_at_the_box_office_is_a_form_error(world, catalogue):
    programme, parking = catalogue["programme"], catalogue["parking"]

    response = client_for(world, SELLER).post(
        f"/control/box-office/events/{programme.concert.pk}/",
        {
            f"qty-{programme.day1_ticket.pk}-{programme.day1.pk}": "1",
            f"addon-{parking.pk}": "x",
            "payment_method": "cash",
            "distribution": world.team.a_box.pk,
        },
    )

    assert response.status_code == 400
    assert "is not a number of add-ons" in response.content.decode()


# --- the API ---------------------------------------------------------------------------------

API_LIST = denied_to_outsiders(**{ADMIN: 200, CONFIGURER: 200, SELLER: 200, OTHER: 200})


@role_matrix(API_LIST)
def test_the_api_lists_the_add_ons_one_configures(world, catalogue, role, expected):
    response = world.client(role).get("/api/v1/add-ons/")

    world.check(role, response, expected)
    if expected == 200:
        names = {row["name"] for row in response.json()["results"]}
        assert (
            names
            == {
                ADMIN: {"ALPHA-A Parking", "ALPHA-B Locker"},
                CONFIGURER: {"ALPHA-A Parking"},
                SELLER: set(),
                OTHER: {"ALPHA-B Locker"},
            }[role]
        )
        if role == ADMIN:
            parking = next(row for row in response.json()["results"] if row["name"] == "ALPHA-A Parking")
            assert (parking["sold"], parking["held"], parking["per"], parking["price"]) == (
                1,
                0,
                "ticket",
                "8.000",
            )


API_CREATE = denied_to_outsiders(**{ADMIN: 201, CONFIGURER: 201, SELLER: 400, OTHER: 400})


def test_creating_an_add_on_through_the_api_per_role(world, catalogue):
    # One world for every role (each builds the twin organizations: a second apiece).
    for number, (role, expected) in enumerate(API_CREATE.items()):
        name = f"Locker {number}"
        response = world.client(role).post(
            "/api/v1/add-ons/",
            {"organizer": world.team.a.pk, "name": name, "price": "3.00", "stock": 5, "per": "order"},
            format="json",
        )

        assert response.status_code == expected, (role, response.content.decode()[:500])
        assert in_alpha(lambda name=name: AddOn.objects.filter(name=name).count()) == (
            1 if expected == 201 else 0
        ), role


def test_the_api_refuses_bad_add_ons_with_field_errors_and_a_sold_ones_deletion(world, catalogue):
    client = world.client(ADMIN)
    parking = catalogue["parking"]

    bad = client.post(
        "/api/v1/add-ons/",
        {"organizer": world.team.a.pk, "name": "X", "price": "1.005", "per": "week", "event": 999999},
        format="json",
    )
    foreign_event = client.post(
        "/api/v1/add-ons/",
        {"organizer": world.team.b.pk, "name": "X", "price": "1", "event": catalogue["programme"].concert.pk},
        format="json",
    )
    stock_too_low = client.patch(f"/api/v1/add-ons/{parking.pk}/", {"stock": 0}, format="json")
    deleted = client.delete(f"/api/v1/add-ons/{parking.pk}/")

    assert bad.status_code == 400
    assert {"per", "event"} <= set(bad.json())
    assert foreign_event.status_code == 400
    assert "event" in foreign_event.json()
    assert stock_too_low.status_code == 400
    assert "stock" in stock_too_low.json()
    assert deleted.status_code == 409
    assert "cannot be deleted" in deleted.json()["detail"]


def test_a_counter_sale_through_the_api_carries_add_ons_per_ticket_and_per_order(world, catalogue):
    programme, parking = catalogue["programme"], catalogue["parking"]
    tshirt = in_alpha(
        lambda: add_on_save(
            organizer=world.team.a, name="ALPHA-A T-shirt", price=Decimal(20), per=AddOn.Per.ORDER
        )
    )

    response = world.client(SELLER).post(
        "/api/v1/orders/",
        {
            "distribution": world.team.a_box.pk,
            "email": "api@example.com",
            "payment_method": "cash",
            "positions": [
                {"ticket_type": programme.day1_ticket.pk, "quantity": 2, "add_ons": [{"add_on": parking.pk}]}
            ],
            "add_ons": [{"add_on": tshirt.pk, "quantity": 1}],
        },
        format="json",
    )
    unknown = world.client(SELLER).post(
        "/api/v1/orders/",
        {
            "distribution": world.team.a_box.pk,
            "email": "api@example.com",
            "payment_method": "cash",
            "positions": [{"ticket_type": programme.day1_ticket.pk}],
            "add_ons": [{"add_on": 999999}],
        },
        format="json",
    )

    assert response.status_code == 201, response.content.decode()[:500]
    data = response.json()
    assert data["total"] == "126.000"  # 2 × 45.00 + 2 × 8.00 + 20.00
    assert sorted((line["name"], line["ticket"] is not None) for line in data["add_ons"]) == [
        ("ALPHA-A Parking", True),
        ("ALPHA-A Parking", True),
        ("ALPHA-A T-shirt", False),
    ]
    detail = world.client(ADMIN).get(f"/api/v1/orders/{data['id']}/").json()
    assert len(detail["add_ons"]) == 3
    assert unknown.status_code == 400
    assert "add_ons" in unknown.json()


def test_the_orders_export_names_each_orders_add_ons_and_their_total(shop):
    order, _parking_, _tshirt = _sold_with_add_ons(shop)
    plain = _sell(shop, [], quantity=1)
    admin = OperatorFactory(email="boss@example.com", is_admin=True)

    table = orders_table(admin)
    rows = {row[0]: dict(zip(table.header, row, strict=True)) for row in table.rows}

    assert rows[order.code]["Add-ons"] == "Parking × 1, Parking × 1, T-shirt × 1"
    assert rows[order.code]["Of which add-ons"] == Decimal("22.00")
    assert rows[order.code]["Tickets"] == 2  # not multiplied by the add-on lines
    assert rows[order.code]["Total"] == Decimal("42.00")
    assert (rows[plain.code]["Add-ons"], rows[plain.code]["Of which add-ons"]) == ("", Decimal("0.00"))


def test_deleting_a_tax_rule_leaves_its_add_ons_untaxed_and_their_sold_lines_as_sold(shop):
    order, parking, _tshirt = _sold_with_add_ons(shop)

    tax_rule_delete(rule=parking.tax_rule)

    parking.refresh_from_db()
    assert parking.tax_rule is None
    assert set(order.add_ons.filter(add_on=parking).values_list("tax", flat=True)) == {Decimal("0.83")}
    later = _sell(shop, [AddOnRequest(parking, 1, line=0)], quantity=1)
    assert later.add_ons.get().tax == 0


DELETE = {ADMIN: 302, CONFIGURER: 404, SELLER: 403, OTHER: 302, **OUTSIDERS}


@role_matrix(DELETE)
def test_deleting_bs_unsold_locker(world, catalogue, role, expected):
    response = client_for(world, role).post(f"/control/add-ons/{catalogue['locker'].pk}/delete/")

    expect(response, expected)
    assert in_alpha(lambda: AddOn.objects.filter(pk=catalogue["locker"].pk).exists()) == (expected != 302)


def test_twin_organizations_add_ons_with_the_same_ids_keep_their_own_stock(world, catalogue):
    parking = catalogue["parking"]

    response = world.client(ADMIN).post(
        "/api/v1/orders/",
        {
            "distribution": world.team.a_box.pk,
            "email": "twin@example.com",
            "payment_method": "cash",
            "positions": [
                {
                    "ticket_type": catalogue["programme"].day1_ticket.pk,
                    "add_ons": [{"add_on": parking.pk, "quantity": 1}],
                }
            ],
        },
        format="json",
    )

    assert response.status_code == 201, response.content.decode()[:300]
    assert in_alpha(lambda: _counter(parking)) == (0, 2)
    with schema_context(BETA.schema_name):
        twin = AddOn.objects.get(pk=parking.pk)
        assert twin.name == "BETA-A Parking"
        assert _counter(twin) == (0, 1)
    beta_page = client_for(world, ADMIN).get("/control/add-ons/").content.decode()
    assert "BETA-A Parking" not in beta_page


def test_a_buyer_takes_an_add_on_out_of_the_cart_and_its_stock_goes_back_once(shop_online):
    shop, parking = shop_online
    buyer = Client(HTTP_HOST=SHOP_HOST)
    buyer.post(f"/events/{shop.event.pk}/", {f"qty-{shop.day_ticket.pk}-{shop.dates[0].pk}": "1"})
    with schema_context(ALPHA.schema_name):
        order = Order.objects.get()
        ticket = order.tickets.get()
    buyer.post("/cart/add-ons/", {f"addon-{parking.pk}-{ticket.pk}": "2"})
    with schema_context(ALPHA.schema_name):
        line = order.add_ons.get()

    assert f'action="/cart/add-ons/{line.pk}/remove/"' in buyer.get("/cart/").content.decode()
    removed = buyer.post(f"/cart/add-ons/{line.pk}/remove/")
    again = buyer.post(f"/cart/add-ons/{line.pk}/remove/", follow=True)

    assert removed.status_code == 302
    assert "no longer in your cart" in again.content.decode()
    with schema_context(ALPHA.schema_name):
        order.refresh_from_db()
        assert (order.total, order.subtotal) == (Decimal("10.00"), Decimal("10.00"))
        assert _counter(parking) == (0, 0)
    other = Client(HTTP_HOST=SHOP_HOST).post(f"/cart/add-ons/{line.pk}/remove/", follow=True)
    assert "Your reservation has expired" in other.content.decode()  # another session: not its cart


def test_the_event_page_announces_the_add_ons_offered_with_its_tickets(shop_online):
    shop, _parking_ = shop_online
    with schema_context(ALPHA.schema_name):
        _parking(shop, name="Old stock", on_sale=False)

    body = Client(HTTP_HOST=SHOP_HOST).get(f"/events/{shop.event.pk}/").content.decode()

    assert "Extras" in body
    assert "Parking" in body
    assert "(Standard)" in body  # the ticket type it goes with
    assert "Festival T-shirt" in body
    assert "Old stock" not in body


def test_the_events_sales_page_counts_its_add_ons_sold_refunded_and_held(world, catalogue):
    programme, parking = catalogue["programme"], catalogue["parking"]
    with schema_context(ALPHA.schema_name):
        order_create(
            distribution=world.team.a_shop,
            lines=[OrderLine(ticket_type=programme.day1_ticket, quantity=2)],
            email="cart@example.com",
            payment_method=Order.PaymentMethod.STRIPE,
            add_ons=[AddOnRequest(parking, 1, line=0)],
        )

    page = client_for(world, CONFIGURER).get(f"/control/events/{programme.concert.pk}/sales/")

    assert page.status_code == 200
    row = re.search(r"<th scope=\"row\">ALPHA-A Parking</th>(.*?)</tr>", page.content.decode(), re.S)
    assert row is not None
    cells = re.findall(r'<td class="number">([^<]*)</td>', row.group(1))
    assert cells[:3] == ["1", "0", "2"]  # sold (the counter sale), refunded, held (the cart)
    assert "8.00" in cells[3]


def test_an_add_on_alone_is_refunded_and_the_order_stays_paid(shop):
    order, parking, tshirt = _sold_with_add_ons(shop)
    line = order.add_ons.get(add_on=tshirt)

    order_refund(order_id=order.pk, add_on_ids=[line.pk])

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert set(order.tickets.values_list("status", flat=True)) == {"valid"}
    assert _counter(tshirt) == (0, 0)
    assert _counter(parking) == (0, 2)
    entry = AuditLogEntry.objects.filter(action="order.refunded").get()
    assert entry.data["amount"] == "12.00"
    notice = OutgoingEmail.objects.latest("pk").body  # sent on commit
    assert "has refunded add-ons of your order" in notice
    assert "+ T-shirt × 1" in notice
    with pytest.raises(OrderRejected, match="valid add-ons"):
        order_refund(order_id=order.pk, add_on_ids=[line.pk])  # once


def test_the_api_refunds_an_add_on_alone(world, catalogue):
    parking = catalogue["parking"]
    order = in_alpha(lambda: Order.objects.filter(add_ons__add_on=parking).get())
    line = in_alpha(lambda: order.add_ons.get())

    refunded = world.client(ADMIN).post(
        f"/api/v1/orders/{order.pk}/refund/", {"add_ons": [line.pk]}, format="json"
    )
    again = world.client(ADMIN).post(
        f"/api/v1/orders/{order.pk}/refund/", {"add_ons": [line.pk]}, format="json"
    )

    assert refunded.status_code == 200, refunded.content.decode()[:300]
    assert refunded.json()["status"] == "paid"
    assert [a["status"] for a in refunded.json()["add_ons"]] == ["refunded"]
    assert again.status_code == 400
    assert in_alpha(lambda: _counter(parking)) == (0, 0)


def test_an_add_on_names_its_ticket_by_its_number_in_the_order_not_its_id(shop_online, mailoutbox):
    shop, parking = shop_online
    with schema_context(ALPHA.schema_name):
        _sell(shop, [])  # an earlier order: this order's tickets are not ids 1 and 2
        order = order_create(
            distribution=shop.box_office,
            lines=[OrderLine(ticket_type=shop.day_ticket, quantity=1)] * 2,
            email="fan@example.com",
            payment_method=Order.PaymentMethod.CASH,
            add_ons=[AddOnRequest(parking, 1, line=1)],
        )
        second = order.tickets.order_by("pk")[1]
        assert OrderAddOn.objects.get(order=order).ticket_id == second.pk != 2
        order_confirmation_send(order_id=order.pk)

    page = Client(HTTP_HOST=SHOP_HOST).get(f"/orders/{order.code}/{order.secret}/").content.decode()

    assert "Ticket Standard no. 2" in page
    assert f"no. {second.pk}" not in page
    assert "(Ticket Standard no. 2)" in mail.outbox[-1].body
