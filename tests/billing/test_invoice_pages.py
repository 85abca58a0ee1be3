"""An invoice as its readers see it, page and PDF: the platform's admins (every client's), the
client's organization admins (their own), nobody else; it names the seller and the client with
their legal details, its VAT and the VAT's legal mention. The client keeps its own billing details;
the platform's come from its settings page."""

import base64
import re
import zlib
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from apps.billing import services
from apps.billing.models import BillingAccount, InvoiceIssuer
from apps.billing.services.accounts import billing_account_update
from apps.billing.services.invoicing import invoice_issuer_update
from apps.billing.services.run import account_invoice_for_period
from tests.billing.accounts import account_open_on as _account
from tests.factories import OperatorFactory, UserFactory, totp_for
from tests.platform.test_settings import FORM
from tests.tenants import ALPHA, BETA

PLATFORM = "localhost"
REVERSE_CHARGE = "Reverse charge — VAT due by the recipient, art. 196 Directive 2006/112/EC"


@pytest.fixture
def invoice(organizations):
    """Coaster SA (Belgium, with a VAT number) invoiced by Fancy Tickets B.V. (Netherlands, 21 %)."""
    invoice_issuer_update(
        changes={
            "legal_name": "Fancy Tickets B.V.",
            "legal_address": "Herengracht 1\n1015 BA Amsterdam",
            "legal_country": "NL",
            "vat_number": "NL004495445B01",
            "vat_rate": Decimal("21.00"),
        }
    )
    account = _account(organizations["alpha"], signed_up=date(2026, 3, 10))
    billing_account_update(
        account_id=account.pk,
        changes={
            "legal_name": "Coaster SA",
            "legal_address": "Rue Neuve 2\n1000 Bruxelles",
            "country": "BE",
            "vat_number": "BE0403170701",
        },
        actor=services.SYSTEM,
    )
    return account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))


SAYS = [
    "Fancy Tickets B.V.",
    "Herengracht 1",
    "1015 BA Amsterdam",
    "Netherlands",
    "NL004495445B01",
    "Coaster SA",
    "Rue Neuve 2",
    "1000 Bruxelles",
    "Belgium",
    "BE0403170701",
    "VAT 0 %",
    "Total excluding VAT",
]


def _pdf_text(content: bytes) -> str:
    """The text drawn on a (reportlab: ASCII85 then Flate encoded) PDF's pages."""
    streams = re.findall(
        rb"/Filter \[ /ASCII85Decode /FlateDecode \][^>]*>>\s*stream\r?\n(.*?)~>\s*endstream",
        content,
        re.DOTALL,
    )
    text = []
    for stream in streams:
        data = zlib.decompress(base64.a85decode(stream))
        text += [part.decode("latin-1") for part in re.findall(rb"\((.*?)\) Tj", data)]
    return "\n".join(text).replace("\\(", "(").replace("\\)", ")")


def _operator(schema=ALPHA, **fields):
    with schema_context(schema.schema_name):
        user = OperatorFactory(**fields)
        client = Client(HTTP_HOST=schema.host)
        client.force_login(user)
    return client


def test_the_platform_admin_sees_the_invoice_with_its_legal_details_and_vat(client, invoice):
    with schema_context("public"):
        staff = UserFactory(email="staff@platform.example", is_staff=True)
        totp_for(staff)
    client.force_login(staff)

    page = client.get(f"/platform/invoices/{invoice.pk}/", HTTP_HOST=PLATFORM)
    pdf = client.get(f"/platform/invoices/{invoice.pk}.pdf", HTTP_HOST=PLATFORM)

    body = page.content.decode()
    for text in [*SAYS, REVERSE_CHARGE]:
        assert text in body, text
    text = _pdf_text(pdf.content)
    for said in SAYS:
        assert said in text, said
    assert "Reverse charge" in text
    assert "art. 196 Directive 2006/112/EC" in text


def test_the_clients_admin_sees_its_invoice_page_and_pdf(invoice):
    admin = _operator(email="boss@alpha.example", is_admin=True)

    history = admin.get("/control/billing/").content.decode()
    page = admin.get(f"/control/billing/invoices/{invoice.pk}/")
    pdf = admin.get(f"/control/billing/invoices/{invoice.pk}.pdf")

    assert f'href="/control/billing/invoices/{invoice.pk}/"' in history
    assert page.status_code == 200
    body = page.content.decode()
    for text in [*SAYS, REVERSE_CHARGE, invoice.number]:
        assert text in body, text
    assert pdf["Content-Type"] == "application/pdf"
    assert "Coaster SA" in _pdf_text(pdf.content)


def test_nobody_else_sees_the_invoice(client, invoice):
    configurer = _operator(email="staff@alpha.example")  # an operator, not the organization's admin
    twin_admin = _operator(BETA, email="boss@beta.example", is_admin=True)
    with schema_context("public"):
        client.force_login(UserFactory(email="nobody@platform.example"))

    assert configurer.get(f"/control/billing/invoices/{invoice.pk}/").status_code == 403
    assert configurer.get(f"/control/billing/invoices/{invoice.pk}.pdf").status_code == 403
    assert twin_admin.get(f"/control/billing/invoices/{invoice.pk}/").status_code == 404
    assert twin_admin.get(f"/control/billing/invoices/{invoice.pk}.pdf").status_code == 404
    assert "Coaster SA" not in twin_admin.get("/control/billing/").content.decode()
    assert client.get(f"/platform/invoices/{invoice.pk}/", HTTP_HOST=PLATFORM).status_code == 403


def test_the_client_keeps_its_billing_details_checked(organizations):
    account = _account(organizations["alpha"], signed_up=date(2026, 3, 10))
    admin = _operator(email="boss@alpha.example", is_admin=True)
    prefix = f"details-{account.pk}"
    url = f"/control/billing/accounts/{account.pk}/details/"

    wrong = admin.post(
        url,
        {
            f"{prefix}-legal_name": "Client SAS",
            f"{prefix}-country": "FR",
            f"{prefix}-vat_number": "FR40303265046",
        },
    )
    saved = admin.post(
        url,
        {
            f"{prefix}-legal_name": "Client SAS",
            f"{prefix}-legal_address": "1 rue de la Paix\n75002 Paris",
            f"{prefix}-country": "FR",
            f"{prefix}-vat_number": "FR 40 303 265 045",
        },
    )
    twin = _operator(BETA, email="boss@beta.example", is_admin=True).post(
        url, {f"{prefix}-legal_name": "Hijacked", f"{prefix}-country": "FR"}
    )

    assert wrong.status_code == 400
    assert "This is not a valid VAT number of France." in wrong.content.decode()
    assert saved.status_code == 302
    assert twin.status_code == 404
    with schema_context("public"):
        account = BillingAccount.objects.get(pk=account.pk)
    assert (account.legal_name, account.legal_address, account.vat_number) == (
        "Client SAS",
        "1 rue de la Paix\n75002 Paris",
        "FR40303265045",
    )


def test_the_platform_settings_page_keeps_the_invoices_issuer(client, organizations):
    with schema_context("public"):
        staff = UserFactory(email="staff@platform.example", is_staff=True, is_superuser=True)
        totp_for(staff)
        client.force_login(staff)
    issuer = {
        "legal_name": "Fancy Tickets B.V.",
        "legal_address": "Herengracht 1",
        "legal_country": "NL",
        "vat_number": "nl 004495445 b01",
        "vat_rate": "21",
    }

    wrong = client.post(
        "/platform/settings/", {**FORM, **issuer, "vat_number": "BE0403170701"}, HTTP_HOST=PLATFORM
    )
    saved = client.post("/platform/settings/", {**FORM, **issuer}, HTTP_HOST=PLATFORM)

    assert wrong.status_code == 400
    assert "This VAT number is not of Netherlands: it should start with NL." in wrong.content.decode()
    assert saved.status_code == 302
    stored = InvoiceIssuer.stored()
    assert (stored.legal_name, str(stored.legal_country), stored.vat_number, stored.vat_rate) == (
        "Fancy Tickets B.V.",
        "NL",
        "NL004495445B01",
        Decimal(21),
    )
