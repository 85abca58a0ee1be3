"""Issued invoices: their gapless numbers, and what the client is e-mailed (the invoice, and
the notices of a failed charge)."""

from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from apps.billing.invoices import invoice_pdf
from apps.billing.models import Invoice
from apps.billing.selectors.accounts import client_admin_email
from apps.core.emails import email_send, message_send
from apps.core.models import Branding


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
