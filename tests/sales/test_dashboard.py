"""The control panel's dashboard (/control/): an organizer's sales for today, 7 and 30 days
(tickets, orders, gross, service fees, refunds, platform fees, net), the charts with their
tables, the dates to come, today's check-ins, the latest orders and the "before you sell"
checklist; who sees which figures, per role; a twin organization's figures never shown; a
query count that does not grow with the orders."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.events import services as events
from apps.sales.models import Order, Ticket
from apps.sales.services.check_in import ticket_check_in
from tests.factories import programme_build
from tests.sales.helpers import figures_sales_build, paid_order, payments_connect
from tests.sales.roles import HOST, client_of
from tests.tenants import ALPHA, BETA


def _totals(response):
    """{period label: (tickets, orders, gross, fees, refunds, platform fees, net)} in EUR."""
    (eur,) = response.context["totals"]
    labels = response.context["period_labels"]
    return {
        label: (t.tickets, t.orders, t.gross, t.service_fees, t.refunds, t.platform_fees, t.net)
        for label, t in zip(labels, eur.periods, strict=True)
    }


def test_a_configurer_sees_today_7_and_30_days_of_their_organizer(world, figures_sales):
    response = client_of(world.team.configurer).get("/control/")

    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["organizer"] == world.team.a
    today = (3, 2, Decimal("173.00"), Decimal("3.00"), Decimal("46.00"), Decimal("1.50"), Decimal("125.50"))
    assert _totals(response) == {
        "Today": today,
        "Last 7 days": today,
        "Last 30 days": (
            4,
            3,
            Decimal("219.00"),
            Decimal("4.00"),
            Decimal("46.00"),
            Decimal("1.50"),
            Decimal("171.50"),
        ),
    }
    assert "€219.00" in body
    assert "€171.50" in body
    assert "ALPHA box buyer" in body  # the latest orders
    assert "ALPHA-B" not in body
    assert "Sales of ALPHA-A" in body


def test_the_charts_are_svg_with_a_title_a_description_values_and_a_table(world, figures_sales):
    response = client_of(world.team.configurer).get("/control/")

    body = response.content.decode()
    series = response.context["series"]
    assert len(series.days) == 30
    assert [d.tickets for d in series.days][-1] == 3
    assert [d.tickets for d in series.days][-11] == 1
    assert {c.name: c.tickets for c in series.channels} == {"Online shop": 1, "Box office": 3}
    assert body.count('<svg class="chart') == 2
    assert 'role="img" aria-labelledby="daily-chart-title daily-chart-desc"' in body
    assert '<title id="daily-chart-title">Tickets sold per day, last 30 days</title>' in body
    assert '<desc id="daily-chart-desc">' in body
    assert "<caption>Tickets sold per day, last 30 days</caption>" in body
    assert "<caption>Tickets sold per channel, last 30 days</caption>" in body
    assert 'class="bar-value' in body  # values on the bars
    assert "style=" not in body.split("<main")[-1]  # CSP: no style attribute
    assert "/static/css/figures.css" in body


def test_the_dates_to_come_show_sold_held_and_capacity(world, figures_sales):
    response = client_of(world.team.configurer).get("/control/")

    rows = response.context["upcoming"]
    assert "ALPHA-B Gala" not in {row.event_date.event.name for row in rows}  # B's date
    concert_days = [row for row in rows if row.event_date.event.name == "ALPHA-A Concert"]
    # day 1: 2 + 1 standard tickets sold, one refunded, and the pass; day 2: the pass
    assert [(r.sold, r.held, r.capacity, r.available) for r in concert_days] == [
        (3, 0, 500, 497),
        (1, 0, 300, 299),
    ]
    assert 'class="stock-bar"' in response.content.decode()


def test_todays_check_ins_are_counted_per_date(world, programme, figures_sales):
    with schema_context(ALPHA.schema_name):
        start = timezone.now() - dt.timedelta(minutes=30)
        today = events.event_date_create(
            event=programme.concert, start=start, end=start + dt.timedelta(hours=3)
        )
        ticket_type = events.ticket_type_create(
            event=programme.concert, event_date=today, name="ALPHA-A Tonight", price=Decimal("5.00")
        )
        order = paid_order(world.team.a_box, ticket_type, 2)
        ticket_check_in(code=order.tickets.first().code, tickets=Ticket.objects.all(), event_date_id=today.pk)

    response = client_of(world.team.configurer).get("/control/")

    rows = response.context["check_ins"]
    assert [(r.event_date.pk, r.checked_in, r.sold) for r in rows] == [(today.pk, 1, 2)]


def test_a_seller_sees_only_the_sales_of_their_channels(world, figures_sales):
    response = client_of(world.team.seller).get("/control/")

    body = response.content.decode()
    assert response.status_code == 200
    totals = _totals(response)
    assert totals["Today"][:5] == (2, 1, Decimal("92.00"), Decimal("2.00"), Decimal("46.00"))
    assert totals["Last 30 days"][:3] == (3, 2, Decimal("138.00"))
    assert "ALPHA web buyer" not in body
    assert "ALPHA box buyer" in body
    assert "You see the sales of the channels you sell in." in body
    assert "Before you sell" not in body  # the checklist is for who configures


def test_the_admin_sees_the_whole_organization_and_each_organizer(world, figures_sales):
    admin = client_of(world.team.admin)

    whole = admin.get("/control/")
    only_b = admin.get(f"/control/?organizer={world.team.b.pk}")

    assert whole.context["whole"] is True
    assert _totals(whole)["Today"][:3] == (4, 3, Decimal("273.00"))  # B's gala seat: 100.00
    assert "ALPHA-B buyer" in whole.content.decode()
    assert _totals(only_b)["Today"][:3] == (1, 1, Decimal("100.00"))
    assert "ALPHA box buyer" not in only_b.content.decode()


@pytest.mark.parametrize(
    ("who", "wanted", "status"),
    [
        ("configurer", "b", 404),  # configures A only
        ("seller", "b", 404),
        ("other", "a", 404),  # configures B only
        ("configurer", "all", 404),  # the whole organization is for admins
        ("configurer", "nope", 404),
    ],
)
def test_an_organizer_one_may_not_see_is_not_found(world, figures_sales, who, wanted, status):
    team = world.team
    value = {"a": team.a.pk, "b": team.b.pk}.get(wanted, wanted)

    response = client_of(getattr(team, who)).get(f"/control/?organizer={value}")

    assert response.status_code == status


def test_who_is_no_operator_here_gets_no_dashboard(world, figures_sales):
    anonymous = Client(HTTP_HOST=HOST).get("/control/")
    customer = client_of(world.team.customer).get("/control/")
    twin = world.beta_twin()
    beta_admin = client_of(twin.admin, BETA.schema_name).get("/control/")

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
    assert customer.status_code == 403
    assert beta_admin.status_code == 302  # logged in at beta, a stranger on alpha's host


def test_a_twin_organization_never_shows_its_figures(world, figures_sales):
    twin = world.beta_twin()
    with schema_context(BETA.schema_name):
        twin_programme = programme_build(twin)
        figures_sales_build(twin, twin_programme, "BETA")
        Order.objects.filter(buyer_name="BETA box buyer").update(
            total=Decimal("900.00"), subtotal=Decimal("898.00")
        )

    alpha_page = client_of(world.team.admin).get(f"/control/?organizer={world.team.a.pk}")
    beta_page = Client(HTTP_HOST=BETA.host)
    with schema_context(BETA.schema_name):
        beta_page.force_login(twin.admin)
    beta_response = beta_page.get(f"/control/?organizer={twin.a.pk}")

    assert "BETA" not in alpha_page.content.decode()
    assert _totals(alpha_page)["Today"][2] == Decimal("173.00")
    assert "ALPHA" not in beta_response.content.decode()
    assert _totals(beta_response)["Today"][2] == Decimal("981.00")  # 900.00 + 81.00


def _query_count(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_orders(world, programme, figures_sales):
    admin = client_of(world.team.admin)
    paths = ["/control/", f"/control/?organizer={world.team.a.pk}"]
    for path in paths:  # caches (the session, plan features, routes) filled once
        admin.get(path)
    before = [_query_count(admin, path) for path in paths]
    with schema_context(ALPHA.schema_name):
        for n in range(6):
            paid_order(world.team.a_box, programme.day1_ticket, 1 + n % 2, buyer=f"ALPHA more {n}")
            paid_order(world.team.a_shop, programme.concert_pass, 1, method=Order.PaymentMethod.STRIPE)

    after = [_query_count(admin, path) for path in paths]

    assert after == before


def test_a_new_organizer_gets_the_checklist_and_is_told_why_the_shop_is_not_open(world):
    page = client_of(world.team.configurer).get("/control/")

    body = page.content.decode()
    assert "Before you sell: ALPHA-A" in body
    assert f'href="/control/organizers/{world.team.a.pk}/payments/"' in body
    assert 'href="/control/locations/new/"' in body
    assert 'href="/control/events/new/"' in body
    assert "your storefront tells buyers that online sales open soon" in body
    (checklist,) = page.context["checklists"]
    assert (checklist.payments_connected, checklist.has_location, checklist.has_published_event) == (
        False,
        False,
        False,
    )


def test_the_checklist_goes_once_everything_is_done(world, programme):
    with schema_context(ALPHA.schema_name):
        events.event_publish(event=programme.concert)  # in A's online shop, dates to come
        payments_connect(world.team.a)

    page = client_of(world.team.configurer).get("/control/")

    assert page.context["checklists"] == []
    assert "Before you sell" not in page.content.decode()


def test_the_dashboard_in_french(world, figures_sales):
    client = client_of(world.team.configurer)

    body = client.get("/control/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "Ventes de ALPHA-A" in body or "Ventes d’ALPHA-A" in body
    assert "219,00" in body
    assert "Billets vendus par jour" in body
