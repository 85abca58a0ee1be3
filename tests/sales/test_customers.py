"""The organization's customers (/control/customers/): one per e-mail address, counted from
paid orders, with their total per currency and their last order; a page per customer with
their orders. Admins see every customer, a configurer and a seller only those with orders
they may see (and only those orders); the twin organization's customers never appear."""

from decimal import Decimal
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from apps.sales.models import Order
from apps.sales.selectors import customers
from apps.sales.services.orders import OrderLine, order_create, order_mark_paid
from tests.factories import ADMIN, ANONYMOUS, CONFIGURER, CUSTOMER, OTHER, OTHER_ORGANIZATION, SELLER
from tests.sales.helpers import in_alpha
from tests.sales.roles import TO_LOGIN, client_for, expect
from tests.sales.sales_data import HYPERLINK, sales_build
from tests.tenants import ALPHA


@pytest.fixture
def sales(world):
    return sales_build(world)


# --- the selector ------------------------------------------------------------------------------


def _listed(user, search=""):
    return in_alpha(lambda: customers.customers_described(user, customers.customer_rows(user, search=search)))


def test_customers_are_e_mail_addresses_that_paid_newest_first(world, sales):
    listed = _listed(world.team.admin)

    assert [c.email for c in listed] == [
        "bob@example.com",
        "hacker@example.com",
        "customer@example.com",
        "ann@example.com",
    ]
    ann = listed[-1]
    assert ann.orders == 2  # "Ann@Example.com" at the box office and "ann@example.com" online
    assert ann.name == "Ann A."  # the latest name given
    assert ann.spent == {"EUR": Decimal("190.000")}  # 2 × 45 + 100
    assert not ann.has_account
    account = next(c for c in listed if c.email == "customer@example.com")
    assert account.has_account
    assert account.orders == 1  # the order awaiting payment makes no purchase
    assert account.name == "ALPHA Customer"  # no name typed: the account's
    bob = listed[0]
    assert bob.orders == 1
    assert bob.spent == {}  # refunded: nothing spent


def test_a_configurer_and_a_seller_see_only_customers_of_orders_they_may_see(world, sales):
    configurer = _listed(world.team.configurer)
    seller = _listed(world.team.seller)
    other = _listed(world.team.other)

    assert [c.email for c in configurer] == ["hacker@example.com", "customer@example.com", "ann@example.com"]
    assert configurer[-1].orders == 1  # Ann's gala ticket is B's
    assert configurer[-1].spent == {"EUR": Decimal("90.000")}
    assert [c.email for c in seller] == ["hacker@example.com", "ann@example.com"]  # A's box office only
    assert [c.email for c in other] == ["bob@example.com", "ann@example.com"]
    assert other[-1].spent == {"EUR": Decimal("100.000")}
    assert _listed(world.team.customer) == []


def test_search_finds_customers_by_e_mail_or_any_name_they_gave(world, sales):
    admin = world.team.admin

    assert [c.email for c in _listed(admin, "ANN@")] == ["ann@example.com"]
    assert [c.email for c in _listed(admin, "alpha")] == [
        "bob@example.com",
        "customer@example.com",  # "ALPHA Customer", the account's name
        "ann@example.com",
    ]
    assert [c.email for c in _listed(admin, "Customer")] == ["customer@example.com"]
    assert _listed(admin, "nobody") == []


def test_a_customers_orders_are_those_one_may_see_carts_aside(world, sales):
    def orders(user):
        return in_alpha(
            lambda: [o.code for o in customers.orders_of_customer_visible_to(user, "Customer@example.com")]
        )

    assert orders(world.team.admin) == [sales.account_pending.code, sales.account_pass.code]
    assert orders(world.team.seller) == []
    assert in_alpha(lambda: customers.customer_of(world.team.seller, "customer@example.com")) is None


# --- the pages ----------------------------------------------------------------------------------


LIST = {
    ADMIN: (200, ["ann@example.com", "bob@example.com", "customer@example.com", "hacker@example.com"]),
    CONFIGURER: (200, ["ann@example.com", "customer@example.com", "hacker@example.com"]),
    SELLER: (200, ["ann@example.com", "hacker@example.com"]),
    OTHER: (200, ["ann@example.com", "bob@example.com"]),
    CUSTOMER: (403, []),
    ANONYMOUS: (TO_LOGIN, []),
    OTHER_ORGANIZATION: (TO_LOGIN, []),
}
EVERYONE = ("ann@example.com", "bob@example.com", "customer@example.com", "hacker@example.com")


@pytest.mark.parametrize(("role", "expected"), list(LIST.items()))
def test_who_sees_which_customers(world, sales, role, expected):
    status, shown = expected

    response = client_for(world, role).get("/control/customers/")

    expect(response, status)
    if status != 200:
        return
    body = response.content.decode()
    for email in EVERYONE:
        assert (email in body) == (email in shown), email
    assert "beta-only@example.com" not in body
    assert "BETA" not in body


def test_the_list_shows_totals_with_their_currency_and_escapes_names(world, sales):
    body = client_for(world, ADMIN).get("/control/customers/").content.decode()

    assert "€190.00" in body
    assert "=HYPERLINK(&quot;https://evil.example" in body  # shown as text, escaped
    assert HYPERLINK not in body
    assert 'href="/control/customers/ann@example.com/"' in body


def _queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_pages_in_a_constant_number_of_queries(world, sales):
    client = client_for(world, ADMIN)
    _queries_of(client, "/control/customers/")  # the session, the branding: read once
    before = _queries_of(client, "/control/customers/?q=example")
    with schema_context(ALPHA.schema_name):
        for n in range(5):
            order = order_create(
                distribution=world.team.a_box,
                lines=[OrderLine(ticket_type=sales.programme.day1_ticket, quantity=1)],
                email=f"more{n}@example.com",
                payment_method="cash",
            )
            order_mark_paid(order_id=order.pk)
            Order.objects.filter(pk=order.pk).update(currency="GBP" if n % 2 else "EUR")

    assert _queries_of(client, "/control/customers/?q=example") == before


def test_search_on_the_page(world, sales):
    body = client_for(world, ADMIN).get("/control/customers/?q=bob").content.decode()

    assert "bob@example.com" in body
    assert "ann@example.com" not in body


def test_a_search_with_a_nul_byte_finds_no_one(world, sales):
    answer = client_for(world, ADMIN).get("/control/customers/?q=bob%00")

    assert answer.status_code == 200
    assert "bob@example.com" not in answer.content.decode()


DETAIL = {
    ADMIN: 200,
    CONFIGURER: 200,
    SELLER: 200,
    OTHER: 200,  # Ann's gala ticket is B's
    CUSTOMER: 403,
    ANONYMOUS: TO_LOGIN,
    OTHER_ORGANIZATION: TO_LOGIN,
}


@pytest.mark.parametrize(("role", "expected"), list(DETAIL.items()))
def test_who_opens_a_customers_page_and_which_orders_it_shows(world, sales, role, expected):
    response = client_for(world, role).get("/control/customers/ann@example.com/")

    expect(response, expected)
    if expected != 200:
        return
    body = response.content.decode()
    shows_box, shows_gala = sales.ann_box.code in body, sales.ann_gala.code in body
    assert (shows_box, shows_gala) == {
        ADMIN: (True, True),
        CONFIGURER: (True, False),
        SELLER: (True, False),
        OTHER: (False, True),
    }[role]


def test_a_customer_one_may_not_see_or_of_the_twin_organization_is_not_found(world, sales):
    assert client_for(world, SELLER).get("/control/customers/customer@example.com/").status_code == 404
    assert client_for(world, ADMIN).get("/control/customers/beta-only@example.com/").status_code == 404
    assert (
        client_for(world, ADMIN).get(f"/control/customers/{quote('nobody@example.com')}/").status_code == 404
    )


def test_a_customers_page_shows_the_account_and_the_paid_total(world, sales):
    body = client_for(world, ADMIN).get("/control/customers/Customer@Example.com/").content.decode()

    assert "has a customer account" in body
    assert "€80.00" in body
    assert sales.account_pending.code in body  # awaiting payment, still listed
    assert "Awaiting payment" in body


def test_the_pages_are_in_french(world, sales):
    client = client_for(world, ADMIN)
    client.cookies["django_language"] = "fr"

    body = client.get("/control/customers/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "Clients" in body
    assert "190,00\xa0€" in body


def test_the_last_order_is_shown_in_the_zone_of_the_organizers_one_sees_labelled(world, sales):
    """A's configurer sees A only (Amsterdam): times are written there, with the zone's name;
    the admin sees A and B (Brussels), so UTC, labelled too."""
    with schema_context(ALPHA.schema_name):
        assert (world.team.a.zone_name, world.team.b.zone_name) == ("Europe/Amsterdam", "Europe/Brussels")
    configurer = client_for(world, CONFIGURER).get("/control/customers/").content.decode()
    admin = client_for(world, ADMIN).get("/control/customers/").content.decode()

    assert "(Europe/Amsterdam)</time>" in configurer
    assert "(UTC)</time>" not in configurer
    assert "(UTC)</time>" in admin
