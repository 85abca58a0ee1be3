"""An organizer exports its orders to Excel and downloads the file (a buyer named like a
formula stays text in it), then prints the check-in list of tomorrow's date: on paper the
site's header, menu and buttons are gone and every attendee is on the list."""

import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.accounts.services import user_create
from apps.events import services as events
from apps.operators.services import operator_link
from apps.organizers.services import organizer_create
from apps.sales.models import Order, Ticket
from apps.sales.services.orders import OrderLine, order_create
from apps.tenancy import services

pytestmark = pytest.mark.e2e
PASSWORD = "a long pass phrase"
HYPERLINK = '=HYPERLINK("https://evil.example","Click")'


@pytest.fixture
def mu_park(fresh_organization):
    """Mu park with a show tomorrow, three tickets sold at its box office, and its manager."""
    organization = fresh_organization(name="Mu parks", slug="mu-parks")
    with schema_context(organization.schema_name):
        park = organizer_create(name="Mu park", slug="mu-park", currency="EUR", country="NL")
        manager = user_create(
            email="manager@mu.example", password=PASSWORD, full_name="Mia Manager", email_verified=True
        )
        operator_link(operator=manager, organizers=[park])
        box = park.distributions.get(kind="box_office")
        location = events.location_create(
            organizer=park, name="Mu hall", address="Parkweg 2", city="Utrecht", country="NL"
        )
        event = events.event_create(organizer=park, location=location, name="Mu show", distributions=[box])
        start = timezone.now() + timezone.timedelta(days=1)
        day = events.event_date_create(event=event, start=start, end=start + timezone.timedelta(hours=2))
        ticket_type = events.ticket_type_create(
            event=event, event_date=day, name="Seat", price=Decimal("12.50")
        )
        events.event_publish(event=event)
        codes = []
        for name in ("Noor Visser", HYPERLINK, "Sam de Boer"):
            order = order_create(
                distribution=box,
                lines=[OrderLine(ticket_type=ticket_type, quantity=1)],
                email="buyer@example.com",
                buyer_name=name,
                payment_method=Order.PaymentMethod.CASH,
            )
            codes.append(order.code)
        Ticket.objects.filter(order__code=codes[0]).update(attendee_name="Noor Visser")
    services.domain_add(organization=organization, domain="mu-park.localhost", organizer_slug="mu-park")
    return {"organization": organization, "date": day, "codes": codes}


def _url(live_server, path: str) -> str:
    return f"http://mu-park.localhost:{live_server.url.rsplit(':', 1)[1]}{path}"


def _log_in(page, live_server):
    page.goto(_url(live_server, "/control/"))
    page.get_by_label(re.compile("Email", re.I)).fill("manager@mu.example")
    page.get_by_label(re.compile("Password", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign In", re.I)).click()


def test_an_organizer_exports_orders_to_excel_and_downloads_them(page, live_server, mu_park, artifacts):
    _log_in(page, live_server)
    page.goto(_url(live_server, "/control/exports/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Exports")
    page.get_by_label("What").select_option(label="Orders")
    page.get_by_label("Format").select_option(label="Excel (.xlsx)")
    page.get_by_role("button", name="Export", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Export: Orders")
    expect(page.get_by_role("status")).to_contain_text("Ready")
    expect(page.get_by_role("status")).to_contain_text("3 of 3 rows written")
    page.screenshot(path=str(artifacts / "export-ready.png"), full_page=True)
    with page.expect_download() as download_info:
        page.get_by_role("button", name=re.compile(r"Download orders-.*\.xlsx")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")

    sheet = openpyxl.load_workbook(io.BytesIO(open(download.path(), "rb").read())).active  # noqa: SIM115
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "Order"
    assert [row[0] for row in rows[1:]] == mu_park["codes"]
    assert rows[2][7] == HYPERLINK  # the buyer, as text
    assert sheet.cell(row=3, column=8).data_type == "s"
    assert rows[1][rows[0].index("Total")] == 12.5

    page.goto(_url(live_server, "/control/exports/"))
    expect(page.get_by_role("table")).to_contain_text("Ready")


def test_an_organizer_prints_tomorrows_check_in_list(page, live_server, mu_park, artifacts):
    _log_in(page, live_server)
    page.goto(_url(live_server, f"/control/event-dates/{mu_park['date'].pk}/attendees/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Attendees of Mu show")
    expect(page.get_by_role("table")).to_contain_text("Noor Visser")
    page.get_by_role("button", name="Check-in list to print").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Check-in list")
    table = page.get_by_role("table")
    for name in ("Noor Visser", HYPERLINK, "Sam de Boer"):
        expect(table).to_contain_text(name)
    print_button = page.get_by_role("button", name="Print")
    expect(print_button).to_be_visible()

    page.emulate_media(media="print")
    expect(print_button).to_be_hidden()
    expect(page.locator(".site-header")).to_be_hidden()
    expect(table).to_be_visible()
    expect(page.locator(".check-in-list tbody tr")).to_have_count(3)
    page.pdf(path=str(artifacts / "check-in-list.pdf"))
