"""A platform admin (password + TOTP) filters the unpaid invoices and issues a manual one; a
client's admin downloads an invoice PDF from its control panel."""

import re
import time
from datetime import date
from pathlib import Path

import pytest
from allauth.mfa.app_settings import TOTP_PERIOD
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.accounts.services import user_create
from apps.billing import services
from apps.billing.models import BillingAccount, Invoice
from apps.billing.services.accounts import billing_account_open
from apps.billing.services.collection import invoice_mark_paid
from apps.billing.services.run import account_invoice_for_period
from apps.organizers.services import organizer_create
from tests.factories import UserFactory, totp_code, totp_for
from tests.plans.factories import plan_build

pytestmark = pytest.mark.e2e
PASSWORD = "a long pass phrase"


@pytest.fixture
def kappa(fresh_organization):
    """Kappa park, a client with one paid and one unpaid invoice."""
    organization = fresh_organization(name="Kappa parks", slug="kappa")
    with schema_context(organization.schema_name):
        park = organizer_create(name="Kappa park", slug="kappa-park", currency="EUR", country="NL")
        user_create(
            email="boss@kappa.example",
            password=PASSWORD,
            is_operator=True,
            is_admin=True,
            email_verified=True,
        )
    account = billing_account_open(
        organization=organization,
        organizer_id=park.pk,
        organizer_name=park.name,
        organizer_slug=park.slug,
        country="NL",
        plan=plan_build(slug="starter"),
        contact_email="billing@kappa.example",
    )
    BillingAccount.objects.filter(pk=account.pk).update(
        signed_up_at="2026-03-10T12:00:00Z", billing_anchor_day=10
    )
    paid = account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))
    invoice_mark_paid(invoice_id=paid.pk, actor=services.SYSTEM)
    unpaid = account_invoice_for_period(account_id=account.pk, on=date(2026, 5, 10))
    return organization, paid, unpaid


def _url(live_server, host: str, path: str) -> str:
    return f"http://{host}:{live_server.url.rsplit(':', 1)[1]}{path}"


def test_a_platform_admin_filters_unpaid_invoices_and_issues_a_manual_one(
    page, live_server, kappa, artifacts
):
    _organization, paid, unpaid = kappa
    with schema_context("public"):
        admin = UserFactory(email="staff@platform.test", is_staff=True, password=PASSWORD)
        authenticator = totp_for(admin)

    page.goto(_url(live_server, "localhost", "/platform/invoices/"))
    page.get_by_label(re.compile("Email", re.I)).fill("staff@platform.test")
    page.get_by_label(re.compile("Password", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign In", re.I)).click()
    if time.time() % TOTP_PERIOD > TOTP_PERIOD - 3:
        time.sleep(3)
    page.locator("input[name=code]").fill(totp_code(authenticator))
    page.get_by_role("button", name=re.compile("Sign In", re.I)).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Invoices")
    page.get_by_label("Show").select_option("unpaid")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name=unpaid.number)).to_be_visible()
    expect(page.get_by_role("link", name=paid.number)).to_have_count(0)
    page.screenshot(path=str(artifacts / "platform-invoices.png"), full_page=True)

    page.get_by_role("button", name="New manual invoice").click()
    page.get_by_label("Client").select_option(label="Kappa park")
    page.get_by_label("Description").fill("Training day")
    page.get_by_label("Amount").fill("450")
    page.get_by_label("Due date").fill("2026-12-31")
    page.get_by_role("button", name="Issue the invoice").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Manual INV-")
    expect(page.get_by_text("Training day")).to_be_visible()
    assert Invoice.objects.filter(kind=Invoice.Kind.MANUAL, total=450).count() == 1


def test_a_clients_admin_downloads_an_invoice_pdf(page, live_server, kappa):
    _organization, paid, _unpaid = kappa

    page.goto(_url(live_server, "kappa.localhost", "/control/billing/"))
    page.get_by_label(re.compile("Email", re.I)).fill("boss@kappa.example")
    page.get_by_label(re.compile("Password", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign In", re.I)).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Billing")
    row = page.get_by_role("row").filter(has_text=paid.number)
    with page.expect_download() as download:
        row.get_by_role("link", name="PDF").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    assert download.value.suggested_filename == f"{paid.number}.pdf"


def test_a_clients_admin_enters_its_vat_number_and_reads_an_overdue_invoice(page, live_server, kappa):
    _organization, _paid, unpaid = kappa  # unpaid: due 2026-05-24, long past

    page.goto(_url(live_server, "kappa.localhost", "/control/billing/"))
    page.get_by_label(re.compile("Email", re.I)).fill("boss@kappa.example")
    page.get_by_label(re.compile("Password", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign In", re.I)).click()

    expect(page.get_by_role("row").filter(has_text=unpaid.number)).to_contain_text("Overdue")
    page.get_by_text("Billing details (printed on your invoices)").click()
    page.get_by_label("Legal name").fill("Kappa Park B.V.")
    page.get_by_label("Country").select_option("BE")
    page.get_by_label("VAT number").fill("NL004495445B01")
    page.get_by_role("button", name="Save the billing details").click()
    expect(page.get_by_text("This VAT number is not of Belgium: it should start with BE.")).to_be_visible()

    page.get_by_label("VAT number").fill("BE 0403.170.701")
    page.get_by_role("button", name="Save the billing details").click()
    expect(page.get_by_text("Your billing details are saved")).to_be_visible()
    with schema_context("public"):
        account = BillingAccount.objects.get(pk=unpaid.account_id)
    assert (account.legal_name, account.country, account.vat_number) == (
        "Kappa Park B.V.",
        "BE",
        "BE0403170701",
    )

    page.get_by_role("link", name=unpaid.number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Invoice {unpaid.number}")
    # Issued before the change: it still says whom it was issued to.
    expect(page.locator("address.invoice-client")).to_contain_text("Kappa park")
    expect(page.locator(".invoice-facts")).to_contain_text("Overdue")
    expect(page.get_by_role("link", name="Download the PDF")).to_be_visible()
