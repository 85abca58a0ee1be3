"""The report, ledger and event sales pages of the control panel: what each role sees, form
errors for a bad period, the CSV downloads, and a twin organization never shown."""

from decimal import Decimal

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from tests.sales.test_dashboard import sales_build
from tests.tenants import ALPHA

HOST = ALPHA.host


@pytest.fixture
def sales(world, programme):
    with schema_context(ALPHA.schema_name):
        return sales_build(world.team, programme, "ALPHA")


def _client(user, schema_name=ALPHA.schema_name) -> Client:
    client = Client(HTTP_HOST=HOST)
    with schema_context(schema_name):
        client.force_login(user)
    return client


def test_the_report_of_the_last_30_days_adds_up(world, sales):
    response = _client(world.team.configurer).get("/control/reports/")

    report = response.context["report"]
    body = response.content.decode()
    assert response.status_code == 200
    assert (report.total.orders, report.total.tickets, report.total.gross) == (3, 4, Decimal("219.00"))
    assert report.total.refunds == Decimal("46.00")
    assert report.payments.card_received == Decimal("81.00")
    assert report.payments.counter_received == Decimal("138.00")
    assert report.payments.counter_refunded == Decimal("46.00")
    assert report.reconciled
    assert report.platform.collected == Decimal("1.50")
    assert "The orders and the payments agree." in body
    assert "ALPHA-B" not in body
    assert {row.label: row.tickets for row in report.channels} == {"Box office": 3, "Online shop": 1}
    assert {row.label: row.tickets for row in report.ticket_types} == {
        "ALPHA-A Concert – ALPHA-A Standard": 3,
        "ALPHA-A Concert – ALPHA-A Pass": 1,
    }


def test_the_report_downloads_as_csv_with_the_same_totals(world, sales):
    response = _client(world.team.configurer).get("/control/reports/?format=csv")

    text = response.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert response["Content-Type"].startswith("text/csv")
    assert lines[0].startswith("Section,Day, ticket type or channel") or lines[0].startswith(
        'Section,"Day, ticket'
    )
    assert lines[-1] == "Total,,3,4,215.00,4.00,219.00,1,46.00,173.00"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("first=2026-05-10&last=2026-05-01", "cannot be before its start"),
        ("first=2024-01-01&last=2026-01-01", "at most a year"),
        ("first=yesterday", "Enter a valid date"),
        ("organizer=999999", "Select a valid choice"),
    ],
)
def test_a_bad_period_is_a_form_error_not_a_500(world, sales, query, message):
    response = _client(world.team.configurer).get(f"/control/reports/?{query}")

    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_ledger_runs_in_date_order_and_closes_on_the_reports_totals(world, sales):
    response = _client(world.team.configurer).get(f"/control/organizers/{world.team.a.pk}/ledger/")

    ledger = response.context["ledger"]
    report = response.context["report"]
    whens = [entry.when for entry in ledger.entries]
    assert response.status_code == 200
    assert whens == sorted(whens)
    assert ledger.closing.payments == report.total.gross == Decimal("219.00")
    assert ledger.closing.refunds == report.total.refunds == Decimal("46.00")
    assert ledger.closing.service_fees == report.total.service_fees == Decimal("4.00")
    assert ledger.closing.platform_fees == report.platform_collected == Decimal("1.50")
    assert ledger.closing.balance == report.net == Decimal("171.50")
    assert "The ledger and the report agree." in response.content.decode()


def test_the_event_sales_page_shows_dates_and_ticket_types(world, programme, sales):
    response = _client(world.team.configurer).get(f"/control/events/{programme.concert.pk}/sales/")

    figures = response.context["figures"]
    assert response.status_code == 200
    assert [(d.sold, d.held, d.capacity) for d in figures.dates] == [(3, 0, 500), (1, 0, 300)]
    by_name = {t.ticket_type.name: t for t in figures.ticket_types}
    assert (by_name["ALPHA-A Standard"].sold, by_name["ALPHA-A Standard"].refunded) == (2, 1)
    assert by_name["ALPHA-A Standard"].revenue == Decimal("90.00")
    assert by_name["ALPHA-A Pass"].revenue == Decimal("80.00")
    assert figures.revenue == Decimal("170.00")


def test_the_event_page_links_to_its_sales(world, programme):
    page = _client(world.team.configurer).get(f"/control/events/{programme.concert.pk}/")

    assert f'href="/control/events/{programme.concert.pk}/sales/"' in page.content.decode()
