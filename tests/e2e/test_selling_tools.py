"""One buyer's order using several selling tools at once: an access code link shows a hidden
ticket type, a percentage voucher typed in the cart, parking added to one ticket, a required
question per ticket and one per order, paid by card (Stripe.js and the SDK against
localstripe). The cart, the order page, the control panel's order, the exports and the
confirmation e-mail agree on the lines and the total (computed here from the prices); the
organizer's refund gives the voucher's use and the parking back. axe on the full cart at
375 px."""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.accounts.services import user_create
from apps.billing.services.accounts import billing_account_open
from apps.core.money import format_money
from apps.events import services as events
from apps.operators.services import operator_link
from apps.organizers.services import organizer_create
from apps.payments.models import ConnectedAccount
from apps.sales.models import AddOn, AddOnStock, Order, Question, Voucher
from apps.sales.selectors.exports import orders_table, tickets_table
from apps.sales.services.addons import add_on_save
from apps.sales.services.questions import OptionInput, question_save
from apps.sales.services.vouchers import voucher_save
from apps.tenancy import services
from tests.e2e.accessibility import assert_accessible
from tests.e2e.test_shop_card import fill_card
from tests.plans.factories import plan_build

pytestmark = pytest.mark.e2e
HOST = "xi-arena.localhost"
ACCOUNT = "acct_1XiArenaLille"
PASSWORD = "a long pass phrase"
PHONE = {"width": 375, "height": 812}
MEMBER, STANDARD, PARKING = Decimal("30.00"), Decimal("20.00"), Decimal("5.00")
PERCENT_OFF = Decimal("10")


@pytest.fixture
def xi_arena(fresh_organization, localstripe_webhooks):
    """Xi arena (EUR, card payments on localstripe): a concert with a public Standard ticket
    and a hidden Members ticket, the access code MEMBERS for it, the voucher SAVE10 (10 % off),
    parking per ticket (stock 10), a required attendee name per ticket and a choice per order."""
    organization = fresh_organization(name="Xi arena", slug="xiarena")
    with schema_context(organization.schema_name):
        arena = organizer_create(name="Xi arena", slug="xi-arena", currency="EUR", country="FR")
        manager = user_create(
            email="manager@xi.example", password=PASSWORD, full_name="Xi Manager", email_verified=True
        )
        operator_link(operator=manager, organizers=[arena])
        shop = arena.distributions.get(kind="online_shop")
        location = events.location_create(
            organizer=arena, name="Xi arena", address="1 quai", city="Lille", country="FR"
        )
        concert = events.event_create(
            organizer=arena, location=location, name="Concert", distributions=[shop]
        )
        start = timezone.now() + timezone.timedelta(days=20)
        day = events.event_date_create(
            event=concert, start=start, end=start + timezone.timedelta(hours=3), capacity=100
        )
        events.ticket_type_create(event=concert, event_date=day, name="Standard", price=STANDARD)
        members = events.ticket_type_create(
            event=concert, event_date=day, name="Members", price=MEMBER, hidden=True
        )
        events.event_publish(event=concert)
        voucher_save(
            organizer=arena,
            code="MEMBERS",
            price_mode=Voucher.PriceMode.NONE,
            unlocks_hidden=True,
            ticket_types=[members],
        )
        voucher_save(
            organizer=arena,
            code="SAVE10",
            price_mode=Voucher.PriceMode.PERCENT,
            value=PERCENT_OFF,
            max_uses=5,
        )
        add_on_save(organizer=arena, name="Parking", price=PARKING, event=concert, stock=10)
        question_save(
            organizer=arena,
            label="Attendee's full name",
            kind=Question.Kind.TEXT,
            asked_for=Question.AskedFor.TICKET,
            required=True,
        )
        question_save(
            organizer=arena,
            label="Dinner",
            kind=Question.Kind.CHOICE,
            asked_for=Question.AskedFor.ORDER,
            options=[OptionInput("Meat", "Viande"), OptionInput("Vegetarian", "Végétarien")],
        )
    services.domain_add(organization=organization, domain=HOST, organizer_slug="xi-arena")
    ConnectedAccount.objects.create(
        stripe_account_id=ACCOUNT,
        schema_name=organization.schema_name,
        organizer_id=arena.pk,
        charges_enabled=True,
    )
    billing_account_open(
        organization=organization,
        organizer_id=arena.pk,
        organizer_name=arena.name,
        organizer_slug=arena.slug,
        country="FR",
        plan=plan_build(slug="starter"),
        contact_email="billing@xi.example",
    )
    organization.manager, organization.concert_pk = manager, concert.pk
    return organization


def _url(live_server, path: str) -> str:
    return f"http://{HOST}:{live_server.url.rsplit(':', 1)[1]}{path}"


def _manager_page(browser, arena):
    client = Client(HTTP_HOST=HOST)
    with schema_context(arena.schema_name):
        client.force_login(arena.manager)
    context = browser.new_context()
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "domain": HOST, "path": "/"}]
    )
    return context.new_page()


def _money(amount: Decimal) -> str:
    return f"€{amount:,.2f}"


def test_one_order_with_an_access_code_a_voucher_parking_and_answers(
    page, browser, live_server, xi_arena, localstripe, artifacts
):
    # Computed here, independently: the member's ticket at its price (the access code gives
    # no discount), the standard one 10 % off, one parking.
    standard_paid = (STANDARD * (100 - PERCENT_OFF) / 100).quantize(Decimal("0.01"))
    discount = STANDARD - standard_paid
    total = MEMBER + standard_paid + PARKING

    page.set_default_timeout(10_000)
    page.goto(_url(live_server, f"/events/{xi_arena.concert_pk}/?voucher=members"))
    expect(page.get_by_role("row", name=re.compile("Members"))).to_contain_text(_money(MEMBER))
    page.get_by_label("Number of “Members” tickets").fill("1")
    page.get_by_label("Number of “Standard” tickets").fill("1")
    page.get_by_role("button", name="Reserve these tickets").click()

    expect(page).to_have_url(re.compile(r"/cart/$"))
    page.get_by_text("Have a voucher or an access code?").click()
    page.get_by_role("textbox", name="Voucher or access code").fill("save10")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("row", name="Discount with codes")).to_contain_text(_money(discount))

    with schema_context(xi_arena.schema_name):
        order = Order.objects.get()
        standard_ticket = order.tickets.get(ticket_type__name="Standard")
    page.get_by_role("group", name=re.compile(rf"Standard no\. {standard_ticket.pk}")).get_by_label(
        re.compile("^Parking")
    ).fill("1")
    page.get_by_role("button", name="Add to my cart").click()
    expect(page.get_by_role("status")).to_contain_text("Added to your cart.")
    expect(page.get_by_role("table", name="Add-ons in this order")).to_contain_text(
        f"Ticket Standard no. {standard_ticket.pk}"
    )
    expect(page.get_by_role("row", name=re.compile("^Total"))).to_contain_text(_money(total))

    page.get_by_label("E-mail address").fill("ines@example.com")
    page.get_by_label("Name", exact=True).fill("Inès Roy")
    page.get_by_label("Vegetarian").check()
    page.get_by_role("group", name=re.compile("Ticket 1:")).get_by_label("Attendee's full name").fill(
        "Inès Roy"
    )
    page.get_by_role("group", name=re.compile("Ticket 2:")).get_by_label("Attendee's full name").fill(
        "Léo Roy"
    )
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(artifacts / "selling-tools-cart-375.png"), full_page=True)
    assert_accessible(page, context="the cart with a code, a voucher, parking and questions (375 px)")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Continue to payment").click()

    expect(page.get_by_text(f"{_money(total)} to Xi arena.")).to_be_visible()
    fill_card(page, "4242424242424242")
    page.get_by_role("button", name="Pay").click()
    expect(page).to_have_url(re.compile(r"/orders/[A-Z0-9]+/[\w-]+/$"), timeout=20_000)
    expect(page.get_by_text(re.compile("Discount with codes"))).to_contain_text(_money(discount))
    expect(page.get_by_text(f"code SAVE10: {_money(discount)} off")).to_be_visible()
    expect(page.get_by_role("table", name="Add-ons in this order")).to_contain_text("Parking")
    expect(page.get_by_text("Vegetarian")).to_be_visible()
    expect(page.get_by_text("Léo Roy")).to_be_visible()
    expect(page.get_by_text(f"Total: {_money(total)}")).to_be_visible()
    page.screenshot(path=str(artifacts / "selling-tools-order.png"), full_page=True)

    with schema_context(xi_arena.schema_name):
        order.refresh_from_db()
        assert (order.status, order.total, order.discount_total) == (Order.Status.PAID, total, discount)
        saved = Voucher.objects.get(code="SAVE10")
        parking = AddOn.objects.get(name="Parking")
        assert Voucher.objects.get(code="MEMBERS").used == 1
        assert (saved.used, AddOnStock.objects.get(add_on=parking).sold) == (1, 1)
        orders = orders_table(xi_arena.manager)
        row = dict(zip(orders.header, next(iter(orders.rows)), strict=True))
        assert (row["Total"], row["Discount with codes"], row["Of which add-ons"]) == (
            total,
            discount,
            PARKING,
        )
        assert "Parking" in row["Add-ons"]
        assert row["Dinner"] == "Vegetarian"
        tickets = tickets_table(xi_arena.manager)
        by_type = {r[5]: dict(zip(tickets.header, r, strict=True)) for r in tickets.rows}
        assert (by_type["Standard"]["Voucher"], by_type["Standard"]["Discount"]) == ("SAVE10", discount)
        assert by_type["Members"]["Voucher"] == "MEMBERS"
        assert {r["Attendee's full name"] for r in by_type.values()} == {"Inès Roy", "Léo Roy"}
    confirmation = [m for m in mail.outbox if "Your tickets" in m.subject]
    assert [m.to for m in confirmation] == [["ines@example.com"]]
    body = confirmation[0].body  # amounts with the currency's code, as e-mails show them
    assert f"code SAVE10: {format_money(discount, 'EUR')} off" in body
    assert f"Discount with codes: −{format_money(discount, 'EUR')}" in body
    assert (
        f"+ Parking × 1 (Ticket Standard no. {standard_ticket.pk}) · {format_money(PARKING, 'EUR')}" in body
    )
    assert format_money(total, "EUR") in body

    organizer = _manager_page(browser, xi_arena)
    organizer.goto(_url(live_server, f"/control/orders/{order.code}/"))
    expect(organizer.get_by_role("heading", level=1)).to_have_text(f"Order {order.code}")
    expect(organizer.get_by_role("table", name="The order's tickets")).to_contain_text("SAVE10")
    expect(organizer.get_by_role("table", name="Add-ons in this order")).to_contain_text("Parking")
    expect(organizer.get_by_text("Vegetarian")).to_be_visible()
    expect(organizer.get_by_role("table", name="The order's tickets")).to_contain_text(
        f"code SAVE10: {_money(discount)} off"
    )
    expect(organizer.locator("dt:text-is('Discount with codes') + dd")).to_have_text(f"−{_money(discount)}")
    expect(organizer.locator("dt:text-is('Total') + dd")).to_have_text(_money(total))
    organizer.get_by_role("button", name="Refund…").click()
    organizer.get_by_role("button", name="Refund the chosen tickets…").click()
    expect(organizer.get_by_role("status")).to_contain_text(_money(total))
    organizer.get_by_role("button", name="Confirm the refund").click()
    expect(organizer.locator(".message-success")).to_contain_text("refunded")

    organizer.goto(_url(live_server, "/control/vouchers/"))
    expect(organizer.get_by_role("row", name=re.compile("SAVE10"))).to_contain_text("0 / 5")
    organizer.goto(_url(live_server, "/control/add-ons/"))
    parking_row = organizer.get_by_role("row").filter(has=organizer.get_by_role("rowheader", name="Parking"))
    # price, stock, held, sold, left
    expect(parking_row.locator("td.number")).to_have_text(["€5.00", "10", "0", "0", "10"])
    with schema_context(xi_arena.schema_name):
        assert dict(Voucher.objects.values_list("code", "used")) == {"MEMBERS": 0, "SAVE10": 0}
        stock = AddOnStock.objects.get(add_on__name="Parking")
        assert (stock.sold, stock.held) == (0, 0)
        assert Order.objects.get().status == Order.Status.REFUNDED
