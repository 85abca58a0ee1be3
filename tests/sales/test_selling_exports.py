"""The selling tools' downloads (apps.sales.views.selling_exports): a date's waiting list and
a pass type's passes as CSV and Excel from their control-panel pages: their columns, times in
the event's (the organizer's) zone named in the header, formulas neutralized, a constant
number of queries, the pages' permission per role, and the twin organization's rows never
listed."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from apps.core.audit import Actor
from apps.core.timezones import zone, zone_label
from apps.events import services as events
from apps.sales.models import Order, Pass, PassType, WaitingListEntry
from apps.sales.services.orders import OrderLine, order_create
from apps.sales.services.passes import pass_type_save
from apps.sales.services.waiting_list import waiting_list_join, waiting_list_offer_now
from tests.factories import (
    ADMIN,
    ANONYMOUS,
    CONFIGURER,
    CUSTOMER,
    OTHER,
    OTHER_ORGANIZATION,
    SELLER,
    programme_build,
    role_matrix,
    twin_sequences,
)
from tests.sales.helpers import paid_order
from tests.sales.roles import OUTSIDERS, TO_LOGIN, client_for, expect
from tests.tenants import ALPHA, BETA

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _xlsx(response) -> list[tuple]:
    assert response["Content-Type"] == XLSX
    assert ".xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def _entries_join(ticket_type, marker, count, start=0):
    return [
        waiting_list_join(ticket_type=ticket_type, email=f"{marker}-{i}@example.org", quantity=1 + i % 2)
        for i in range(start, start + count)
    ]


# --- the waiting list ------------------------------------------------------------------------


@pytest.fixture
def waiting(world):
    """In alpha and in beta (the same ids): the concert's day 1 sold out with three entries in
    line; alpha's first was then offered its seat (capacity raised by one)."""
    twin_sequences(ALPHA.schema_name, BETA.schema_name, tables=("events_eventdate", "sales_waitinglistentry"))
    made = {}
    for schema_name, team in ((ALPHA.schema_name, world.team), (BETA.schema_name, world.beta_twin())):
        with schema_context(schema_name):
            programme = programme_build(team)
            events.event_publish(event=programme.concert)
            events.event_date_update(event_date=programme.day1, capacity=1)
            paid_order(team.a_box, programme.day1_ticket, 1)
            made[schema_name] = (programme, _entries_join(programme.day1_ticket, team.marker, 3))
    with schema_context(ALPHA.schema_name):
        programme, entries = made[ALPHA.schema_name]
        events.event_date_update(event_date=programme.day1, capacity=2)
        waiting_list_offer_now(entry_id=entries[0].pk, actor=Actor(user=None))
    assert made[ALPHA.schema_name][0].day1.pk == made[BETA.schema_name][0].day1.pk
    return made


def _waiting_url(day, file_format):
    return f"/control/event-dates/{day.pk}/waiting-list/?format={file_format}"


def test_the_waiting_list_downloads_as_csv_in_the_events_zone(world, waiting):
    programme, entries = waiting[ALPHA.schema_name]
    with schema_context(ALPHA.schema_name):
        first, second, third = WaitingListEntry.objects.select_related("order").order_by("pk")
        zone_name = programme.day1.time_zone
    tz = zone(zone_name)

    rows = _csv(client_for(world, CONFIGURER).get(_waiting_url(programme.day1, "csv")))

    label = zone_label(zone_name)
    assert rows[0] == [
        "Position",
        "E-mail address",
        "Ticket type",
        "Tickets",
        "Status",
        f"Joined ({label})",
        f"Offered until ({label})",
        "Order",
    ]
    joined = first.created_at.astimezone(tz).isoformat(sep=" ", timespec="seconds")
    until = first.offer_expires_at.astimezone(tz).isoformat(sep=" ", timespec="seconds")
    assert rows[1] == [
        "",
        "ALPHA-0@example.org",
        programme.day1_ticket.name,
        "1",
        "Offered",
        joined,
        until,
        first.order.code,
    ]
    assert [row[0] for row in rows[2:]] == ["1", "2"]  # still in line: their places
    assert [row[1] for row in rows[2:]] == ["ALPHA-1@example.org", "ALPHA-2@example.org"]
    assert rows[2][3] == "2"
    assert rows[2][4] == "Waiting"
    assert rows[2][6] == rows[2][7] == ""
    assert "BETA" not in str(rows)  # beta's date has the same id


def test_the_waiting_list_downloads_as_excel(world, waiting):
    programme, _entries = waiting[ALPHA.schema_name]
    with schema_context(ALPHA.schema_name):
        first = WaitingListEntry.objects.select_related("order").order_by("pk").first()
    tz = zone(programme.day1.time_zone)

    rows = _xlsx(client_for(world, ADMIN).get(_waiting_url(programme.day1, "xlsx")))

    assert rows[0][0] == "Position"
    assert len(rows) == 4
    assert rows[1][1:5] == ("ALPHA-0@example.org", programme.day1_ticket.name, 1, "Offered")
    # Excel has no zones: the wall clock of the event's.
    assert rows[1][5].replace(microsecond=0) == first.created_at.astimezone(tz).replace(
        tzinfo=None, microsecond=0
    )
    assert rows[1][7] == first.order.code
    assert rows[2][:2] == (1, "ALPHA-1@example.org")


def test_the_page_links_to_its_downloads_and_the_french_header(world, waiting):
    programme, _entries = waiting[ALPHA.schema_name]
    client = client_for(world, CONFIGURER)

    page = client.get(f"/control/event-dates/{programme.day1.pk}/waiting-list/").content.decode()
    assert 'href="?format=csv"' in page
    assert 'href="?format=xlsx"' in page

    french = _csv(client.get(_waiting_url(programme.day1, "csv"), HTTP_ACCEPT_LANGUAGE="fr"))
    assert french[0][1] == "Adresse e-mail"
    assert french[0][5].startswith("Inscription (")


def test_the_waiting_list_file_takes_the_same_queries_for_more_entries(world, waiting):
    programme, _entries = waiting[ALPHA.schema_name]
    client = client_for(world, CONFIGURER)
    url = _waiting_url(programme.day1, "csv")
    client.get(url)  # warm the caches of the user's permissions
    with CaptureQueriesContext(connection) as few:
        assert len(_csv(client.get(url))) == 4
    with schema_context(ALPHA.schema_name):
        _entries_join(programme.day1_ticket, "ALPHA-more", 5)
    with CaptureQueriesContext(connection) as more:
        assert len(_csv(client.get(url))) == 9

    assert len(more) == len(few)


PAGE = {ADMIN: 200, CONFIGURER: 200, SELLER: 404, OTHER: 404, CUSTOMER: 403, ANONYMOUS: TO_LOGIN}
PAGE[OTHER_ORGANIZATION] = TO_LOGIN


@role_matrix(PAGE)
def test_who_downloads_a_dates_waiting_list(world, waiting, role, expected):
    programme, _entries = waiting[ALPHA.schema_name]
    for file_format in ("csv", "xlsx"):
        response = client_for(world, role).get(_waiting_url(programme.day1, file_format))
        expect(response, expected)
        if expected == 200:
            rows = _csv(response) if file_format == "csv" else _xlsx(response)
            assert [row[1] for row in rows[1:]] == [f"ALPHA-{i}@example.org" for i in range(3)]


def test_the_waiting_list_of_a_date_that_is_not_there_is_a_404(world, waiting):
    response = client_for(world, ADMIN).get("/control/event-dates/999999/waiting-list/?format=csv")
    assert response.status_code == 404


# --- a pass type's passes --------------------------------------------------------------------


@pytest.fixture
def sold_passes(world):
    """A's pass type (sold as the concert's day-1 ticket) in alpha and its twin in beta with
    the same id, with two passes sold at the box office in each; alpha's first holder is
    named like a formula."""
    twin_sequences(ALPHA.schema_name, BETA.schema_name, tables=("sales_passtype",))
    made = {}
    for schema_name, team in ((ALPHA.schema_name, world.team), (BETA.schema_name, world.beta_twin())):
        with schema_context(schema_name):
            programme = programme_build(team)
            pass_type = pass_type_save(
                organizer=team.a,
                name=f"{team.marker}-A Season",
                ticket_type=programme.day1_ticket,
                mode=PassType.Mode.ENTRY,
                valid_from=dt.date(2027, 1, 1),
                valid_until=dt.date(2027, 12, 31),
                events=[programme.concert],
                max_uses=10,
            )
            events.event_publish(event=programme.concert)
            _passes_sell(team, programme, team.marker, 2)
            made[schema_name] = (pass_type, programme, team)
    with schema_context(ALPHA.schema_name):
        Pass.objects.filter(pk=Pass.objects.order_by("pk").first().pk).update(
            holder_name='=HYPERLINK("http://evil.example","x")', uses=3
        )
    assert made[ALPHA.schema_name][0].pk == made[BETA.schema_name][0].pk
    return made


def _passes_sell(team, programme, marker, count, start=0):
    for i in range(start, start + count):
        order_create(
            distribution=team.a_box,
            lines=[OrderLine(ticket_type=programme.day1_ticket, quantity=1)],
            email=f"{marker}-holder{i}@example.org",
            buyer_name=f"{marker} Holder {i}",
            payment_method=Order.PaymentMethod.CASH,
        )


def _passes_url(pass_type, file_format):
    return f"/control/passes/{pass_type.pk}/?format={file_format}"


def test_the_passes_download_as_csv_with_formulas_neutralized(world, sold_passes):
    pass_type, _programme, team = sold_passes[ALPHA.schema_name]
    with schema_context(ALPHA.schema_name):
        first = Pass.objects.select_related("ticket__order").order_by("pk").first()
    zone_name = team.a.zone_name

    rows = _csv(client_for(world, CONFIGURER).get(_passes_url(pass_type, "csv")))

    assert rows[0] == [
        "Code",
        "Holder",
        "Customer e-mail address",
        "Order",
        "Valid from",
        "Valid until",
        "Uses",
        "Maximum uses",
        "Dates booked",
        f"Issued ({zone_label(zone_name)})",
    ]
    assert len(rows) == 3
    newest_last = rows[2]  # the page's order: newest first
    assert newest_last == [
        first.ticket.code,
        '\'=HYPERLINK("http://evil.example","x")',
        "ALPHA-holder0@example.org",
        first.ticket.order.code,
        "2027-01-01",
        "2027-12-31",
        "3",
        "10",
        "0",
        first.created_at.astimezone(zone(zone_name)).isoformat(sep=" ", timespec="seconds"),
    ]
    assert "BETA" not in str(rows)


def test_the_passes_download_as_excel_the_formula_as_text(world, sold_passes):
    pass_type, _programme, _team = sold_passes[ALPHA.schema_name]

    rows = _xlsx(client_for(world, ADMIN).get(_passes_url(pass_type, "xlsx")))

    assert rows[0][1] == "Holder"
    assert len(rows) == 3
    assert rows[1][1] == "ALPHA Holder 1"
    assert rows[2][1] == '=HYPERLINK("http://evil.example","x")'  # a text cell, never run
    assert (rows[2][4].date(), rows[2][5].date()) == (dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    assert rows[2][6:9] == (3, 10, 0)
    sheet = load_workbook(
        io.BytesIO(client_for(world, ADMIN).get(_passes_url(pass_type, "xlsx")).content)
    ).active
    assert sheet["B3"].data_type == "s"
    assert sheet["B3"].quotePrefix


def test_the_passes_page_links_to_its_downloads(world, sold_passes):
    pass_type, _programme, _team = sold_passes[ALPHA.schema_name]
    page = client_for(world, CONFIGURER).get(f"/control/passes/{pass_type.pk}/").content.decode()
    assert 'href="?format=csv"' in page
    assert 'href="?format=xlsx"' in page


def test_the_passes_file_takes_the_same_queries_for_more_passes(world, sold_passes):
    pass_type, programme, team = sold_passes[ALPHA.schema_name]
    client = client_for(world, CONFIGURER)
    url = _passes_url(pass_type, "xlsx")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert len(_xlsx(client.get(url))) == 3
    with schema_context(ALPHA.schema_name):
        _passes_sell(team, programme, "ALPHA-more", 4)
    with CaptureQueriesContext(connection) as more:
        assert len(_xlsx(client.get(url))) == 7

    assert len(more) == len(few)


EDIT = {ADMIN: 200, CONFIGURER: 200, SELLER: 403, OTHER: 404, **OUTSIDERS}


@role_matrix(EDIT)
def test_who_downloads_a_pass_types_passes(world, sold_passes, role, expected):
    pass_type, _programme, _team = sold_passes[ALPHA.schema_name]
    for file_format in ("csv", "xlsx"):
        response = client_for(world, role).get(_passes_url(pass_type, file_format))
        expect(response, expected)
        if expected == 200:
            rows = _csv(response) if file_format == "csv" else _xlsx(response)
            assert sorted(row[2] for row in rows[1:]) == [f"ALPHA-holder{i}@example.org" for i in range(2)]


def test_the_passes_of_a_pass_type_that_is_not_there_is_a_404(world, sold_passes):
    response = client_for(world, ADMIN).get("/control/passes/999999/?format=csv")
    assert response.status_code == 404
