"""Issued invoices: their gapless numbers, and what the client is e-mailed (the invoice, and
the notices of a failed charge)."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from apps.billing.invoices import invoice_pdf
from apps.billing.models import BillingAccount, Invoice, InvoiceIssuer
from apps.billing.selectors.accounts import account_vat, client_admin_email
from apps.billing.vat import vat_on, vat_split
from apps.core.emails import email_send, message_send
from apps.core.models import Branding
from apps.core.singletons import singleton_update


def invoice_number_next(year: int) -> str:
    """INV-<year>-<n>, gapless: the counter moves inside the issuing transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO billing_invoicesequence (year, last) VALUES (%s, 1) "
            "ON CONFLICT (year) DO UPDATE SET last = billing_invoicesequence.last + 1 RETURNING last",
            [year],
        )
        (number,) = cursor.fetchone()
    return f"INV-{year}-{number:06d}"


def invoice_issuer_update(*, changes: Mapping[str, Any]) -> InvoiceIssuer:
    """The platform's legal details and VAT for its next invoices (issued ones keep theirs),
    validated (the VAT number against the country) in the caller's transaction."""
    return singleton_update(InvoiceIssuer, changes=changes)


def invoice_legal_details_set(invoice: Invoice, account: BillingAccount) -> None:
    """Copy onto an invoice being issued who it is from (the platform's legal details) and to
    (the client's), and which VAT it carries: what it says stays as issued, whatever is edited
    later. The caller saves it."""
    issuer = InvoiceIssuer.stored()
    invoice.seller_name = issuer.legal_name or Branding.stored().name
    invoice.seller_address = issuer.legal_address
    invoice.seller_country = str(issuer.legal_country)
    invoice.seller_vat_number = issuer.vat_number
    invoice.client_name = account.legal_name or account.organizer_name
    invoice.client_address = account.legal_address
    invoice.client_country = account.country
    invoice.client_vat_number = account.vat_number
    treatment = account_vat(account)
    invoice.vat_scheme = treatment.scheme
    invoice.vat_rate = treatment.rate


def invoice_amounts_set(invoice: Invoice, *, net: Decimal) -> None:
    """The invoice's totals from the sum of its lines (excluding VAT): its VAT at its rate, and
    the total it asks."""
    invoice.subtotal = net
    invoice.vat_amount = vat_on(net, invoice.vat_rate, invoice.currency)
    invoice.total = net + invoice.vat_amount


def invoice_gross_set(invoice: Invoice, *, gross: Decimal) -> Decimal:
    """The invoice's totals from an amount including VAT (a corrected total, a credit): returns
    the part excluding VAT, which its lines add up to."""
    net, vat = vat_split(gross, invoice.vat_rate, invoice.currency)
    invoice.subtotal, invoice.vat_amount, invoice.total = net, vat, gross
    return net


def invoice_send(*, invoice_id: int) -> bool:
    """E-mail an issued invoice (PDF attached) to its client, once."""
    with schema_context(get_public_schema_name()), transaction.atomic():
        invoice = Invoice.objects.select_for_update().select_related("account").get(pk=invoice_id)
        if invoice.sent_at is not None or invoice.number is None:
            return False
        to = invoice.account.contact_email or client_admin_email(invoice.account)
        if not to:
            return False
        platform = Branding.stored()
        context = {"invoice": invoice, "lines": invoice.lines.all(), "platform": platform}
        invoice.sent_at = timezone.now()
        invoice.save(update_fields=["sent_at"])
        message_send(
            to=[to],
            subject=_("Invoice %(number)s from %(platform)s")
            % {"number": invoice.number, "platform": platform.name},
            body=render_to_string("billing/email/invoice.txt", context),
            attachments=[(f"{invoice.number}.pdf", invoice_pdf(invoice), "application/pdf")],
        )
    return True


def dunning_notice(invoice_id: int, *, suspended: bool) -> None:
    with schema_context(get_public_schema_name()):
        invoice = Invoice.objects.select_related("account").get(pk=invoice_id)
        to = invoice.account.contact_email or client_admin_email(invoice.account)
        if not to:
            return
        subject = (
            _("Your account is suspended: invoice %(number)s is unpaid")
            if suspended
            else _("Payment of invoice %(number)s failed")
        ) % {"number": invoice.number}
        email_send(
            to=[to],
            subject=subject,
            body=render_to_string(
                "billing/email/dunning.txt",
                {"invoice": invoice, "suspended": suspended, "platform": Branding.stored()},
            ),
        )
