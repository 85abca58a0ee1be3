"""Attendees of an event date and of a whole event (/control/event-dates/<pk>/attendees/,
/control/events/<pk>/attendees/): valid tickets of paid orders, with name, ticket type,
order and whether they are checked in; a search; a check-in list to print. Who sees which
tickets follows the orders they may see; the twin organization's never appear."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from apps.events.models import EventDate
from apps.sales.selectors import attendees
from apps.sales.services.orders import OrderLine, order_create
from tests.factories import ADMIN, ANONYMOUS, CONFIGURER, CUSTOMER, OTHER, OTHER_ORGANIZATION, SELLER
from tests.sales.sales_data import sales_build
from tests.sales.test_customers import TO_LOGIN, client_for, expect
from tests.tenants import ALPHA, BETA


@pytest.fixture
def sales(world):
    return sales_build(world)


def _names(tickets):
    return [(t.name, t.checked_in) for t in tickets]


def test_a_dates_attendees_are_its_tickets_and_the_events_passes_of_paid_orders(world, sales):
    programme = sales.programme
    with schema_context(ALPHA.schema_name):
        admin = world.team.admin
        day1 = _names(attendees.attendees_of_date(admin, programme.day1))
        day2 = _names(attendees.attendees_of_date(admin, programme.day2))
        concert = _names(attendees.attendees_of_event(admin, programme.concert))
        gala = _names(attendees.attendees_of_event(admin, programme.gala))

    # by name: the attendee's, else the buyer's, else the account's; the unpaid pass admits nobody
    assert day1 == [
        (sales.hacker.buyer_name, False),
        ("ALPHA Customer", False),  # the account's pass, no name typed
        ("Amy ALPHA", False),
        ("Zed ALPHA", True),
    ]
    assert day2 == [("ALPHA Customer", False)]
    assert concert == day1
    assert gala == [("Ann A.", False)]  # Bob's refunded ticket admits nobody


def test_a_seller_sees_the_attendees_of_the_orders_they_may_see(world, sales):
    with schema_context(ALPHA.schema_name):
        seller = _names(attendees.attendees_of_date(world.team.seller, sales.programme.day1))

    assert sorted(seller) == sorted(
        [("Amy ALPHA", False), ("Zed ALPHA", True), (sales.hacker.buyer_name, False)]
    )


def test_search_by_name_e_mail_order_code_or_ticket_code(world, sales):
    programme = sales.programme
    with schema_context(ALPHA.schema_name):
        admin = world.team.admin
        ticket = sales.ann_box.tickets.order_by("pk").first()

        def found(search):
            return sorted(t.name for t in attendees.attendees_of_date(admin, programme.day1, search=search))

        assert found("zed") == ["Zed ALPHA"]
        assert found("ann@example") == ["Amy ALPHA", "Zed ALPHA"]
        assert found(sales.ann_box.code.lower()) == ["Amy ALPHA", "Zed ALPHA"]
        assert found(ticket.code) == ["Zed ALPHA"]
        assert found("nobody") == []
        assert found("zed\x00") == []  # PostgreSQL refuses NUL in text: no one has it


DATE_PAGE = {
    ADMIN: 200,
    CONFIGURER: 200,
    SELLER: 200,
    OTHER: 404,  # A's concert is not theirs
    CUSTOMER: 403,
    ANONYMOUS: TO_LOGIN,
    OTHER_ORGANIZATION: TO_LOGIN,
}


@pytest.mark.parametrize("kind", ["date", "event", "date-print", "event-print"])
@pytest.mark.parametrize(("role", "expected"), list(DATE_PAGE.items()))
def test_who_sees_a_dates_and_an_events_attendees(world, sales, kind, role, expected):
    programme = sales.programme
    base = {"date": "event-dates", "event": "events"}[kind.split("-")[0]]
    pk = programme.day1.pk if kind.startswith("date") else programme.concert.pk
    url = f"/control/{base}/{pk}/attendees/" + ("print/" if kind.endswith("print") else "")

    response = client_for(world, role).get(url)

    expect(response, expected)
    if expected == 200:
        body = response.content.decode()
        assert "Zed ALPHA" in body
        assert "Beta Only" not in body
        assert "BETA" not in body


def test_the_same_url_on_the_twin_organization_shows_only_its_own_attendees(world, sales):
    twin = world.beta_twin()
    client = Client(HTTP_HOST=BETA.host)
    with schema_context(BETA.schema_name):
        client.force_login(twin.admin)
        # the twin's ids match alpha's when it is built first; after other tests they may not
        shared_id = EventDate.objects.filter(pk=sales.programme.day1.pk).exists()

    response = client.get(f"/control/event-dates/{sales.programme.day1.pk}/attendees/")

    body = response.content.decode()
    assert "ALPHA" not in body
    if shared_id:
        assert "Beta Only" in body
    else:
        assert response.status_code == 404


def test_the_list_shows_who_is_checked_in_links_the_orders_and_the_print_list(world, sales):
    programme = sales.programme
    body = (
        client_for(world, ADMIN)
        .get(f"/control/event-dates/{programme.day1.pk}/attendees/?q=alpha")
        .content.decode()
    )

    assert "Checked in" in body
    assert "Not yet" in body
    assert sales.ann_box.code in body
    assert f"/control/event-dates/{programme.day1.pk}/attendees/print/?q=alpha" in body
    assert "(Europe/Amsterdam)" in body or "Europe/Amsterdam" in body


def test_the_print_list_has_every_attendee_a_print_stylesheet_and_no_inline_style(world, sales):
    body = (
        client_for(world, ADMIN)
        .get(f"/control/events/{sales.programme.concert.pk}/attendees/print/")
        .content.decode()
    )

    assert "css/print.css" in body
    assert "js/print.js" in body
    assert "style=" not in body
    assert "<style" not in body
    assert body.count("☑") == 1
    assert body.count("☐") == 3  # Amy, the hacker, the account's pass
    assert "Pass (every date)" in body


def test_the_list_pages_in_a_constant_number_of_queries(world, sales):
    client = client_for(world, ADMIN)
    url = f"/control/event-dates/{sales.programme.day1.pk}/attendees/"
    client.get(url)  # the session, the branding: read once

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = queries()
    with schema_context(ALPHA.schema_name):
        order_create(
            distribution=world.team.a_box,
            lines=[OrderLine(ticket_type=sales.programme.day1_ticket, quantity=5)],
            email="more@example.com",
            payment_method="cash",
        )
    assert queries() == before


def test_the_event_page_links_to_its_attendees_and_each_dates(world, sales):
    programme = sales.programme

    body = client_for(world, SELLER).get(f"/control/events/{programme.concert.pk}/").content.decode()

    assert f'href="/control/events/{programme.concert.pk}/attendees/"' in body
    assert f'href="/control/event-dates/{programme.day1.pk}/attendees/"' in body
