"""VAT on the platform's invoices: VAT numbers checked, the seller's rate for a client in its
country, reverse charge for an EU business abroad, none outside the EU; what an invoice says
is copied when it is issued, so later edits leave it as it was."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.billing import services
from apps.billing.models import BillingAccount, InvoiceIssuer
from apps.billing.selectors.invoice_lines import estimate_next_invoice
from apps.billing.services.accounts import billing_account_update
from apps.billing.services.corrections import credit_note_create, invoice_adjust, invoice_manual_create
from apps.billing.services.invoicing import invoice_issuer_update
from apps.billing.services.run import account_invoice_for_period
from apps.billing.vat import VatScheme, vat_number_clean, vat_split, vat_treatment
from tests.billing.accounts import account_open_on as _account

REVERSE_CHARGE = "Reverse charge — VAT due by the recipient, art. 196 Directive 2006/112/EC"


@pytest.mark.parametrize(
    ("number", "country", "clean"),
    [
        ("NL004495445B01", "NL", "NL004495445B01"),
        ("nl 0044.95445.B01", "NL", "NL004495445B01"),
        ("004495445B01", "NL", "NL004495445B01"),  # the country's prefix added
        ("FR 40 303 265 045", "FR", "FR40303265045"),
        ("EL094259216", "GR", "EL094259216"),  # Greece's numbers start with EL
        ("980780684", "GB", "GB980780684"),
        ("12-3456789", "US", "12-3456789"),  # no checker for the country: its format only
        ("", "NL", ""),
    ],
)
def test_vat_numbers_are_checked_and_kept_compact(number, country, clean):
    assert vat_number_clean(number, country) == clean


@pytest.mark.parametrize(
    ("number", "country", "message"),
    [
        ("FR40303265046", "FR", "This is not a valid VAT number of France."),  # a check digit off
        ("NL004495445B01", "BE", "This VAT number is not of Belgium: it should start with BE."),
        ("GB980780685", "GB", "This is not a valid VAT number of United Kingdom."),
        ("x", "US", "Enter the VAT number with letters and digits only."),
        ("NL004495445B01", "", "Choose the country before the VAT number."),
    ],
)
def test_a_wrong_vat_number_says_why(number, country, message):
    with pytest.raises(ValidationError) as error:
        vat_number_clean(number, country)
    assert error.value.messages == [message]


@pytest.mark.parametrize(
    ("seller", "rate", "client", "vat_number", "scheme", "charged"),
    [
        ("NL", "21", "NL", "", VatScheme.STANDARD, "21"),
        ("NL", "21", "NL", "NL004495445B01", VatScheme.STANDARD, "21"),  # a business at home pays it
        ("NL", "21", "BE", "BE0403170701", VatScheme.REVERSE_CHARGE, "0"),
        ("NL", "21", "BE", "", VatScheme.STANDARD, "21"),  # a consumer elsewhere in the EU
        ("NL", "21", "US", "", VatScheme.OUTSIDE_SCOPE, "0"),
        ("NL", "21", "GB", "GB980780684", VatScheme.OUTSIDE_SCOPE, "0"),
        ("NL", "21", "", "", VatScheme.STANDARD, "21"),  # no country known: the seller's
        ("GB", "20", "GB", "", VatScheme.STANDARD, "20"),
        ("GB", "20", "FR", "FR40303265045", VatScheme.OUTSIDE_SCOPE, "0"),
        ("NL", "0", "NL", "", VatScheme.NONE, "0"),  # the platform charges no VAT
    ],
)
def test_which_vat_an_invoice_carries(seller, rate, client, vat_number, scheme, charged):
    treatment = vat_treatment(
        seller_country=seller, seller_rate=Decimal(rate), client_country=client, client_vat_number=vat_number
    )
    assert (treatment.scheme, treatment.rate) == (scheme, Decimal(charged))


def test_an_amount_with_vat_splits_to_the_cent():
    assert vat_split(Decimal("121.00"), Decimal(21), "EUR") == (Decimal("100.00"), Decimal("21.00"))
    assert vat_split(Decimal("10.00"), Decimal(21), "EUR") == (Decimal("8.26"), Decimal("1.74"))
    assert vat_split(Decimal("-12.10"), Decimal(21), "EUR") == (Decimal("-10.00"), Decimal("-2.10"))
    assert vat_split(Decimal("1000"), Decimal(10), "JPY") == (Decimal("909"), Decimal("91"))


@pytest.fixture
def issuer(organizations):
    return invoice_issuer_update(
        changes={
            "legal_name": "Fancy Tickets B.V.",
            "legal_address": "Herengracht 1\n1015 BA Amsterdam",
            "legal_country": "NL",
            "vat_number": "nl004495445b01",
            "vat_rate": Decimal("21.00"),
        }
    )


def _client(organizations, *, country: str, vat_number: str = "", legal_name: str = "") -> BillingAccount:
    account = _account(organizations["alpha"], signed_up=date(2026, 3, 10))
    return billing_account_update(
        account_id=account.pk,
        changes={
            "country": country,
            "vat_number": vat_number,
            "legal_name": legal_name,
            "legal_address": "Rue Neuve 2\n1000 Bruxelles" if country == "BE" else "",
        },
        actor=services.SYSTEM,
    )


def test_the_issuers_vat_number_is_checked_and_a_rate_needs_a_country(organizations):
    with pytest.raises(ValidationError) as wrong:
        invoice_issuer_update(changes={"legal_country": "NL", "vat_number": "NL004495446B01"})
    with pytest.raises(ValidationError) as no_country:
        invoice_issuer_update(changes={"vat_rate": Decimal(21)})

    assert wrong.value.message_dict == {"vat_number": ["This is not a valid VAT number of Netherlands."]}
    assert no_country.value.message_dict == {"legal_country": ["Charging VAT needs your country."]}
    assert not InvoiceIssuer.objects.exists()


def test_a_client_in_the_sellers_country_pays_its_vat(issuer, organizations):
    account = _client(organizations, country="NL", legal_name="Fun park B.V.")

    invoice = account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))

    lines = sum(line.amount for line in invoice.lines.all())
    assert invoice.subtotal == lines > 0
    assert (invoice.vat_scheme, invoice.vat_rate) == (VatScheme.STANDARD, Decimal(21))
    assert invoice.vat_amount == (lines * Decimal("0.21")).quantize(Decimal("0.01"))
    assert invoice.total == invoice.subtotal + invoice.vat_amount == invoice.balance
    assert invoice.vat_mention == ""
    assert (invoice.seller_name, invoice.seller_vat_number, invoice.seller_country) == (
        "Fancy Tickets B.V.",
        "NL004495445B01",
        "NL",
    )
    assert (invoice.client_name, invoice.client_country) == ("Fun park B.V.", "NL")


def test_an_eu_business_abroad_is_reverse_charged(issuer, organizations):
    account = _client(organizations, country="BE", vat_number="BE 0403.170.701", legal_name="Coaster SA")

    invoice = account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))

    assert (invoice.vat_scheme, invoice.vat_rate, invoice.vat_amount) == (
        VatScheme.REVERSE_CHARGE,
        Decimal(0),
        Decimal(0),
    )
    assert invoice.total == invoice.subtotal > 0
    assert invoice.vat_mention == REVERSE_CHARGE
    assert (invoice.client_vat_number, invoice.client_address) == (
        "BE0403170701",
        "Rue Neuve 2\n1000 Bruxelles",
    )


def test_a_consumer_elsewhere_in_the_eu_pays_the_sellers_rate(issuer, organizations):
    account = _client(organizations, country="BE")

    invoice = account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))

    assert (invoice.vat_scheme, invoice.vat_rate) == (VatScheme.STANDARD, Decimal(21))
    assert invoice.total > invoice.subtotal


def test_a_client_outside_the_eu_pays_no_vat_and_the_invoice_says_why(issuer, organizations):
    account = _client(organizations, country="US", vat_number="12-3456789")

    invoice = account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))

    assert (invoice.vat_scheme, invoice.vat_amount, invoice.total) == (
        VatScheme.OUTSIDE_SCOPE,
        Decimal(0),
        invoice.subtotal,
    )
    assert "art. 44 and 59 Directive 2006/112/EC" in invoice.vat_mention


def test_without_a_vat_rate_invoices_carry_no_vat(organizations):
    account = _client(organizations, country="NL")

    invoice = account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))

    assert (invoice.vat_scheme, invoice.vat_amount, invoice.total) == ("", Decimal(0), invoice.subtotal)


def test_an_issued_invoice_keeps_what_it_said_when_the_details_change(issuer, organizations):
    account = _client(organizations, country="BE", vat_number="BE0403170701", legal_name="Coaster SA")
    invoice = account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))

    invoice_issuer_update(changes={"legal_name": "Renamed B.V.", "vat_rate": Decimal(9)})
    billing_account_update(
        account_id=account.pk,
        changes={"legal_name": "Other SA", "vat_number": "", "country": "NL"},
        actor=services.SYSTEM,
    )
    invoice.refresh_from_db()
    following = account_invoice_for_period(account_id=account.pk, on=date(2026, 5, 10))

    assert (invoice.seller_name, invoice.client_name, invoice.client_vat_number) == (
        "Fancy Tickets B.V.",
        "Coaster SA",
        "BE0403170701",
    )
    assert (invoice.vat_scheme, invoice.vat_rate) == (VatScheme.REVERSE_CHARGE, Decimal(0))
    assert (following.seller_name, following.client_name, following.client_country) == (
        "Renamed B.V.",
        "Other SA",
        "NL",
    )
    assert (following.vat_scheme, following.vat_rate) == (VatScheme.STANDARD, Decimal(9))


def test_corrections_keep_the_vat_of_their_invoice(issuer, organizations):
    account = _client(organizations, country="NL")
    invoice = account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))

    adjusted = invoice_adjust(
        invoice_id=invoice.pk, actor=services.SYSTEM, reason="Goodwill", total=Decimal("121.00")
    )
    note = credit_note_create(
        invoice_id=invoice.pk, amount=Decimal("12.10"), actor=services.SYSTEM, reason="Refund"
    )
    manual = invoice_manual_create(
        account_id=account.pk,
        description="Training day",
        amount=Decimal("100.00"),
        due_date=timezone.localdate() + timedelta(days=14),
        actor=services.SYSTEM,
    )

    assert (adjusted.subtotal, adjusted.vat_amount, adjusted.total) == (
        Decimal("100.00"),
        Decimal("21.00"),
        Decimal("121.00"),
    )
    assert sum(line.amount for line in adjusted.lines.all()) == adjusted.subtotal
    assert (note.subtotal, note.vat_amount, note.total, note.vat_rate) == (
        Decimal("-10.00"),
        Decimal("-2.10"),
        Decimal("-12.10"),
        Decimal(21),
    )
    assert [line.amount for line in note.lines.all()] == [Decimal("-10.00")]
    assert (note.seller_name, note.client_country) == (invoice.seller_name, invoice.client_country)
    assert (manual.subtotal, manual.vat_amount, manual.total) == (
        Decimal("100.00"),
        Decimal("21.00"),
        Decimal("121.00"),
    )


def test_the_estimate_of_the_next_invoice_includes_its_vat(issuer, organizations):
    account = _client(organizations, country="NL")
    without = estimate_next_invoice(account, date(2026, 4, 10))
    invoice = account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))

    assert without == invoice.total


def test_a_clients_vat_number_is_checked_against_its_country(organizations):
    account = _account(organizations["alpha"], signed_up=date(2026, 3, 10))

    with pytest.raises(ValidationError) as error:
        billing_account_update(
            account_id=account.pk,
            changes={"country": "BE", "vat_number": "NL004495445B01"},
            actor=services.SYSTEM,
        )

    assert error.value.message_dict == {
        "vat_number": ["This VAT number is not of Belgium: it should start with BE."]
    }
    with schema_context("public"):
        account.refresh_from_db()
    assert (account.country, account.vat_number) == ("FR", "")
