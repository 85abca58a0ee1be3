"""The control panel's orders (/control/orders/): the list with its search, filters, sort and
pages in a constant number of queries, per role (admins every order, a configurer their
organizer's, a seller their channel's; the twin organization's never), and each order's page
with its tickets, payments, fees and history."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.operators.permissions import Action, can
from apps.sales.models import Order
from apps.sales.selectors import orders as selected
from apps.sales.services.orders import OrderLine, order_create, order_mark_paid
from tests.factories import ADMIN, ANONYMOUS, CONFIGURER, CUSTOMER, OTHER, OTHER_ORGANIZATION, SELLER
from tests.sales.roles import TO_LOGIN, client_for, expect
from tests.sales.sales_data import HYPERLINK, sales_build
from tests.tenants import ALPHA, BETA


@pytest.fixture
def sales(world):
    return sales_build(world)


def _codes(user, **filters):
    with schema_context(ALPHA.schema_name):
        return [o.code for o in selected.orders_listed(user, selected.OrderFilters(**filters))]


def _named(sales, *names):
    return [getattr(sales, name).code for name in names]


# --- the permission -------------------------------------------------------------------------------


def test_who_manages_an_order(world, sales):
    team = world.team
    with schema_context(ALPHA.schema_name):
        box, gala = sales.ann_box, sales.ann_gala
        assert can(team.admin, Action.MANAGE_ORDER, box)
        assert can(team.admin, Action.MANAGE_ORDER, gala)
        assert can(team.configurer, Action.MANAGE_ORDER, box)
        assert not can(team.configurer, Action.MANAGE_ORDER, gala)
        assert can(team.seller, Action.MANAGE_ORDER, box)
        assert not can(team.seller, Action.MANAGE_ORDER, sales.account_pass)  # A's shop, not his channel
        assert can(team.other, Action.MANAGE_ORDER, gala)
        assert not can(team.other, Action.MANAGE_ORDER, box)
        assert not can(team.customer, Action.MANAGE_ORDER, box)


# --- the selector ---------------------------------------------------------------------------------


def test_each_role_lists_the_orders_it_may_see_newest_first_carts_aside(world, sales):
    team = world.team

    assert _codes(team.admin) == _named(
        sales, "bob_refunded", "hacker", "account_pending", "account_pass", "ann_gala", "ann_box"
    )
    assert _codes(team.configurer) == _named(sales, "hacker", "account_pending", "account_pass", "ann_box")
    assert _codes(team.seller) == _named(sales, "hacker", "ann_box")
    assert _codes(team.other) == _named(sales, "bob_refunded", "ann_gala")
    assert _codes(team.customer) == []


def test_search_by_code_e_mail_name_or_ticket_code(world, sales):
    admin = world.team.admin
    with schema_context(ALPHA.schema_name):
        ticket_code = sales.ann_gala.tickets.get().code

    assert _codes(admin, search=sales.hacker.code.lower()) == _named(sales, "hacker")
    assert _codes(admin, search="ANN@example") == _named(sales, "ann_gala", "ann_box")
    assert _codes(admin, search="bob alpha") == _named(sales, "bob_refunded")
    assert _codes(admin, search=ticket_code) == _named(sales, "ann_gala")
    assert _codes(admin, search="nobody") == []
    assert _codes(world.team.seller, search="bob") == []  # not his to see


def test_filters(world, sales):
    admin, team, programme = world.team.admin, world.team, sales.programme
    now = timezone.localdate()

    assert _codes(admin, status="refunded") == _named(sales, "bob_refunded")
    assert _codes(admin, status="pending") == _named(sales, "account_pending")
    assert _codes(admin, event=programme.gala.pk) == _named(sales, "bob_refunded", "ann_gala")
    # A date: its own tickets and its event's passes.
    assert _codes(admin, event_date=programme.day1.pk) == _named(
        sales, "hacker", "account_pending", "account_pass", "ann_box"
    )
    assert _codes(admin, event_date=programme.day2.pk) == _named(sales, "account_pending", "account_pass")
    assert _codes(admin, distribution=team.a_box.pk) == _named(sales, "hacker", "ann_box")
    assert _codes(admin, payment_method="cash") == _named(sales, "hacker", "ann_box")
    assert len(_codes(admin, placed_from=now, placed_until=now)) == 6
    assert _codes(admin, placed_from=now + dt.timedelta(days=1)) == []
    assert _codes(admin, placed_until=now - dt.timedelta(days=1)) == []
    assert _codes(admin, status="paid", distribution=team.a_box.pk, search="ann") == _named(sales, "ann_box")


def test_sorts(world, sales):
    admin = world.team.admin
    with schema_context(ALPHA.schema_name):
        Order.objects.filter(pk=sales.ann_box.pk).update(buyer_name="aaron")

    assert _codes(admin, sort="placed")[0] == sales.ann_box.code
    by_total = _codes(admin, sort="-total")
    with schema_context(ALPHA.schema_name):
        totals = [Order.objects.get(code=code).total for code in by_total]
    assert totals == sorted(totals, reverse=True)
    assert _codes(admin, sort="total")[-1] == by_total[0]
    # By name, else e-mail, in lower case: =HYPERLINK…, aaron, Ann A., Bob ALPHA, customer@ × 2
    by_buyer = _codes(admin, sort="buyer")
    assert by_buyer[:4] == _named(sales, "hacker", "ann_box", "ann_gala", "bob_refunded")
    assert _codes(admin, sort="-buyer")[-1] == sales.hacker.code


# --- the list page ---------------------------------------------------------------------------------


LIST = {
    ADMIN: (200, ["ann_box", "ann_gala", "account_pass", "account_pending", "hacker", "bob_refunded"]),
    CONFIGURER: (200, ["ann_box", "account_pass", "account_pending", "hacker"]),
    SELLER: (200, ["ann_box", "hacker"]),
    OTHER: (200, ["ann_gala", "bob_refunded"]),
    CUSTOMER: (403, []),
    ANONYMOUS: (TO_LOGIN, []),
    OTHER_ORGANIZATION: (TO_LOGIN, []),
}
EVERY_ORDER = ("ann_box", "ann_gala", "account_pass", "account_pending", "hacker", "bob_refunded")


@pytest.mark.parametrize(("role", "expected"), list(LIST.items()))
def test_who_sees_which_orders(world, sales, role, expected):
    status, shown = expected

    response = client_for(world, role).get("/control/orders/")

    expect(response, status)
    if status != 200:
        return
    body = response.content.decode()
    for name in EVERY_ORDER:
        assert (getattr(sales, name).code in body) == (name in shown), name
    assert "beta-only@example.com" not in body
    assert "BETA" not in body


def test_the_twin_organizations_orders_never_show_even_with_the_same_ids(world, sales):
    """beta's order has alpha's first order's id; alpha's admin searching for it finds nothing."""
    client = client_for(world, ADMIN)
    with schema_context(BETA.schema_name):
        beta_code = Order.objects.get(email="beta-only@example.com").code

    body = client.get(f"/control/orders/?q={beta_code}").content.decode()
    assert f'href="/control/orders/{beta_code}/"' not in body
    assert "No order matches these filters." in body
    assert client.get(f"/control/orders/{beta_code}/").status_code == 404


def test_the_list_shows_orders_with_their_buyer_event_and_total(world, sales):
    body = client_for(world, ADMIN).get("/control/orders/").content.decode()

    assert f'href="/control/orders/{sales.ann_box.code}/"' in body
    assert "Ann Alpha" in body
    assert "ALPHA-A Concert" in body
    assert "€90.00" in body  # 2 × 45
    assert "Awaiting payment" in body
    assert "=HYPERLINK(&quot;https://evil.example" in body  # escaped text
    assert HYPERLINK not in body
    assert "6 orders" in body


def test_the_page_filters_and_keeps_the_filters_in_its_page_links(world, sales):
    client = client_for(world, ADMIN)
    programme = sales.programme

    body = client.get(
        f"/control/orders/?event={programme.concert.pk}&status=paid&sort=total"
    ).content.decode()

    assert sales.ann_box.code in body
    assert sales.hacker.code in body
    assert sales.account_pass.code in body
    assert sales.ann_gala.code not in body
    assert sales.account_pending.code not in body
    # The chosen event's dates to pick from.
    assert f'<option value="{programme.day1.pk}"' in body


def test_bad_filters_are_field_errors_not_a_crash(world, sales):
    client = client_for(world, ADMIN)

    response = client.get("/control/orders/?status=lost&event=abc&placed_from=2026-99-01&sort=upside&page=x")

    assert response.status_code == 400
    body = response.content.decode()
    assert "Some filters were not applied" in body
    assert sales.ann_box.code in body  # the rest still lists
    period = client.get("/control/orders/?placed_from=2026-05-02&placed_until=2026-05-01")
    assert period.status_code == 400
    assert "The end of the period comes before its start." in period.content.decode()


def test_an_event_one_may_not_see_is_no_filter(world, sales):
    """The seller does not see B's gala: choosing it is an error, not a peek at its orders."""
    response = client_for(world, SELLER).get(f"/control/orders/?event={sales.programme.gala.pk}")

    assert response.status_code == 400
    assert sales.ann_gala.code not in response.content.decode()


def test_an_event_written_with_other_digits_is_a_form_error(world, sales):
    response = client_for(world, ADMIN).get("/control/orders/?event=²")  # a digit, not int's

    assert response.status_code == 400  # the filter form names the bad event


def _sell(world, programme, count: int, *, method="cash") -> list[Order]:
    orders = []
    with schema_context(ALPHA.schema_name):
        for n in range(count):
            order = order_create(
                distribution=world.team.a_box,
                lines=[OrderLine(ticket_type=programme.day1_ticket, quantity=1 + n % 2)],
                email=f"buyer{n}@example.com",
                buyer_name=f"Buyer {n}",
                payment_method=method,
            )
            orders.append(order_mark_paid(order_id=order.pk))
    return orders


def test_pages_of_fifty(world, programme):
    _sell(world, programme, selected.PER_PAGE + 3)
    client = client_for(world, ADMIN)

    first = client.get("/control/orders/?q=buyer&sort=-placed").content.decode()
    second = client.get("/control/orders/?q=buyer&sort=-placed&page=2").content.decode()

    assert "Page 1 of 2" in first
    assert 'href="?page=2&amp;q=buyer&amp;sort=-placed"' in first
    assert "Buyer 0<" in second
    assert "Buyer 0<" not in first
    assert len(re.findall(r'href="/control/orders/[A-Z0-9]{10}/"', second)) == 3


QUERIED = (
    "/control/orders/",
    "/control/orders/?q=buyer",
    "/control/orders/?status=paid&payment_method=cash&sort=buyer",
    "/control/orders/?sort=-total&placed_from=2020-01-01&placed_until=2099-01-01",
)


def _queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", [ADMIN, CONFIGURER, SELLER])
def test_the_list_takes_as_many_queries_for_one_order_as_for_thirty(world, programme, role):
    _sell(world, programme, 1)
    client = client_for(world, role)
    filtered = (*QUERIED, f"/control/orders/?event={programme.concert.pk}&date={programme.day1.pk}")
    _queries_of(client, "/control/orders/")  # the session, the branding: read once
    one = {url: _queries_of(client, url) for url in filtered}

    _sell(world, programme, 29, method="card_terminal")

    assert {url: _queries_of(client, url) for url in filtered} == one


def test_the_list_is_in_french(world, sales):
    client = client_for(world, ADMIN)
    client.cookies["django_language"] = "fr"

    body = client.get("/control/orders/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "Commandes" in body
    assert "En attente de paiement" in body or "paiement" in body
    assert "Rechercher" in body


def test_the_menu_links_the_list(world, sales):
    body = client_for(world, SELLER).get("/control/orders/").content.decode()

    assert 'href="/control/orders/"' in body


# --- an order's page ----------------------------------------------------------------------------------


DETAIL = {
    ADMIN: 200,
    CONFIGURER: 200,
    SELLER: 200,
    OTHER: 404,  # B's configurer: A's box office is not theirs
    CUSTOMER: 403,
    ANONYMOUS: TO_LOGIN,
    OTHER_ORGANIZATION: TO_LOGIN,
}


@pytest.mark.parametrize(("role", "expected"), list(DETAIL.items()))
def test_who_opens_an_orders_page(world, sales, role, expected):
    response = client_for(world, role).get(f"/control/orders/{sales.ann_box.code}/")

    expect(response, expected)
    if expected == 200:
        assert "Ann Alpha" in response.content.decode()


def test_an_order_one_may_not_see_or_a_cart_is_not_found(world, sales):
    with schema_context(ALPHA.schema_name):
        cart = Order.objects.get(email="")

    assert client_for(world, SELLER).get(f"/control/orders/{sales.account_pass.code}/").status_code == 404
    assert client_for(world, ADMIN).get(f"/control/orders/{cart.code}/").status_code == 404
    assert client_for(world, ADMIN).get("/control/orders/NOSUCHCODE/").status_code == 404
    # The code in any case.
    assert client_for(world, ADMIN).get(f"/control/orders/{sales.ann_box.code.lower()}/").status_code == 200


def test_the_order_page_shows_buyer_tickets_check_ins_and_history(world, sales):
    from apps.sales.services.confirmations import order_confirmation_send

    with schema_context(ALPHA.schema_name):
        order_confirmation_send(order_id=sales.ann_box.pk)
        first, second = sales.ann_box.tickets.order_by("pk")

    body = client_for(world, ADMIN).get(f"/control/orders/{sales.ann_box.code}/").content.decode()

    assert "Ann Alpha" in body
    assert 'href="mailto:Ann@Example.com"' in body
    assert "ALPHA-A Concert · ALPHA-A Standard" in body
    assert "Zed ALPHA" in body
    assert "Amy ALPHA" in body
    assert first.code in body
    assert second.code in body
    assert body.count("Checked in ") >= 1  # Zed at day 1
    assert "Not checked in" in body  # Amy
    assert "(Europe/Amsterdam)" in body  # times labelled with their zone
    assert "Paid at the counter (Cash)" in body
    assert "none (not paid online)" in body
    history = body[body.index('id="history-title"') :]
    for line in ("Placed and paid", "Tickets e-mailed to the buyer", "Checked in"):
        assert line in history, line
    assert history.index("Placed") < history.index("Tickets e-mailed to the buyer")
    assert "Issue an invoice" in body  # the invoice action, the order being paid


def test_a_card_order_shows_its_stripe_payment_fees_and_refunds(world, sales):
    from apps.payments.models import Payment, Refund

    with schema_context(ALPHA.schema_name):
        order = sales.ann_gala
        payment = Payment.objects.create(
            purpose=Order.PAYMENT_PURPOSE,
            object_id=order.pk,
            intent_id="pi_shown_on_the_page",
            stripe_account_id="acct_1ALPHAB",
            amount=order.total,
            amount_received=order.total,
            currency="EUR",
            application_fee=Decimal("1.50"),
            refunded_amount=Decimal("20.00"),
            status=Payment.Status.SUCCEEDED,
        )
        Refund.objects.create(
            payment=payment, refund_id="re_shown_on_the_page", amount="20.00", status="succeeded"
        )

    body = client_for(world, OTHER).get(f"/control/orders/{order.code}/").content.decode()

    assert "pi_shown_on_the_page" in body
    assert "acct_1ALPHAB" in body
    assert "re_shown_on_the_page" in body
    assert "€1.50" in body  # the platform's fee
    assert "€20.00" in body
    assert "Card (online)" in body


def test_the_order_page_is_in_french(world, sales):
    client = client_for(world, ADMIN)
    client.cookies["django_language"] = "fr"

    body = client.get(f"/control/orders/{sales.ann_box.code}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "Historique" in body
    assert "Acheteur" in body


def test_pages_listing_orders_link_to_the_order_page(world, sales):
    client = client_for(world, ADMIN)
    link = f'href="/control/orders/{sales.ann_box.code}/"'

    assert link in client.get("/control/customers/ann@example.com/").content.decode()
    assert link in client.get(f"/control/event-dates/{sales.programme.day1.pk}/attendees/").content.decode()
    assert link in client.get(f"/control/box-office/orders/{sales.ann_box.pk}/").content.decode()
    dashboard = client.get("/control/").content.decode()  # its latest orders
    assert f'href="/control/orders/{sales.bob_refunded.code}/"' in dashboard
