"""The platform admin's corrections: an unpaid invoice changed or voided, manual invoices,
credit notes."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from apps.billing import tasks
from apps.billing.models import BillingAccount, Invoice, InvoiceLine
from apps.billing.services.collection import invoice_mark_paid
from apps.billing.services.invoicing import (
    invoice_amounts_set,
    invoice_gross_set,
    invoice_legal_details_set,
    invoice_number_next,
)
from apps.core.audit import Actor, audit_log
from apps.core.money import quantize

CREDITED_DETAILS = (
    "seller_name",
    "seller_address",
    "seller_country",
    "seller_vat_number",
    "client_name",
    "client_address",
    "client_country",
    "client_vat_number",
    "vat_scheme",
    "vat_rate",
)


def _issue_number_and_notify(invoice: Invoice) -> None:
    tasks.send_invoice.delay_on_commit(schema_name=get_public_schema_name(), invoice_id=invoice.pk)


def _reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why: the reason is kept with the change.")})
    return reason


def invoice_adjust(
    *, invoice_id: int, actor: Actor, reason: str, total: Decimal | None = None, due_date: date | None = None
) -> Invoice:
    """Change an unpaid invoice's amount (an adjustment line makes up the difference, so its
    lines still add up) or due date, with the reason audited."""
    reason = _reason_required(reason)
    with schema_context(get_public_schema_name()), transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
        if invoice.status != Invoice.Status.OPEN:
            raise ValidationError(
                _("Only an unpaid invoice can be changed; use a credit note for a paid one.")
            )
        before = {"total": str(invoice.total), "due_date": str(invoice.due_date)}
        if total is not None and total != invoice.total:
            total = quantize(total, invoice.currency)
            if total < invoice.amount_paid:
                raise ValidationError({"total": _("The total cannot be less than what was already paid.")})
            subtotal = invoice.subtotal
            net = invoice_gross_set(invoice, gross=total)  # the new total includes its VAT
            InvoiceLine.objects.create(
                invoice=invoice,
                kind=InvoiceLine.Kind.ADJUSTMENT,
                description=reason[:300],
                unit_amount=net - subtotal,
                amount=net - subtotal,
                sort_order=invoice.lines.count(),
            )
        if due_date is not None:
            invoice.due_date = due_date
        invoice.save(update_fields=["total", "subtotal", "vat_amount", "due_date"])
        audit_log(
            actor=actor,
            action="invoice.adjusted",
            target=invoice,
            reason=reason,
            before=before,
            after={"total": str(invoice.total), "due_date": str(invoice.due_date)},
        )
    return invoice


def invoice_manual_create(
    *, account_id: int, description: str, amount: Decimal, due_date: date, actor: Actor
) -> Invoice:
    """An invoice for anything outside the monthly run (a training day…), numbered, e-mailed
    and charged to the card on file on its due date."""
    with schema_context(get_public_schema_name()), transaction.atomic():
        account = BillingAccount.objects.select_for_update().get(pk=account_id)
        amount = quantize(amount, account.currency)
        if amount <= 0:
            raise ValidationError({"amount": _("Enter an amount above zero.")})
        invoice = Invoice(
            account=account,
            kind=Invoice.Kind.MANUAL,
            number=invoice_number_next(timezone.localdate().year),
            status=Invoice.Status.OPEN,
            currency=account.currency,
            issued_at=timezone.now(),
            due_date=due_date,
            next_charge_on=due_date if account.payment_method_id else None,
        )
        invoice_legal_details_set(invoice, account)
        invoice_amounts_set(invoice, net=amount)  # the amount excludes VAT, as every line's
        invoice.save()
        InvoiceLine.objects.create(
            invoice=invoice,
            kind=InvoiceLine.Kind.OTHER,
            description=description[:300],
            unit_amount=amount,
            amount=amount,
        )
        audit_log(actor=actor, action="invoice.created_manually", target=invoice, total=str(invoice.total))
        _issue_number_and_notify(invoice)
    return invoice


def invoice_void(*, invoice_id: int, actor: Actor, reason: str) -> Invoice:
    """Cancel an unpaid invoice: it stays, numbered, as void (nothing more is owed)."""
    reason = _reason_required(reason)
    with schema_context(get_public_schema_name()), transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
        if invoice.status != Invoice.Status.OPEN:
            raise ValidationError(
                _("Only an unpaid invoice can be voided; use a credit note for a paid one.")
            )
        invoice.status = Invoice.Status.VOID
        invoice.next_charge_on = None
        invoice.save(update_fields=["status", "next_charge_on"])
        audit_log(actor=actor, action="invoice.voided", target=invoice, reason=reason)
    return invoice


def credit_note_create(*, invoice_id: int, amount: Decimal, actor: Actor, reason: str) -> Invoice:
    """Correct an issued invoice by a credit note (its own number, negative total). On an
    unpaid invoice the credit settles that much of it; on a paid one it is owed to the client."""
    reason = _reason_required(reason)
    with schema_context(get_public_schema_name()), transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
        if (
            invoice.status not in (Invoice.Status.OPEN, Invoice.Status.PAID)
            or invoice.kind == Invoice.Kind.CREDIT_NOTE
        ):
            raise ValidationError(_("Only an issued invoice can be credited."))
        amount = quantize(amount, invoice.currency)
        credited = -sum(invoice.credit_notes.values_list("total", flat=True), Decimal(0))
        if amount <= 0 or credited + amount > invoice.total:
            raise ValidationError(
                {"amount": _("A credit must be above zero and at most what the invoice still counts.")}
            )
        note = Invoice(
            account=invoice.account,
            kind=Invoice.Kind.CREDIT_NOTE,
            number=invoice_number_next(timezone.localdate().year),
            status=Invoice.Status.PAID if invoice.status == Invoice.Status.OPEN else Invoice.Status.OPEN,
            currency=invoice.currency,
            amount_paid=-amount if invoice.status == Invoice.Status.OPEN else Decimal(0),
            issued_at=timezone.now(),
            credited_invoice=invoice,
        )
        # A credit note corrects its invoice: the same parties and VAT as that invoice said.
        for field in CREDITED_DETAILS:
            setattr(note, field, getattr(invoice, field))
        net = invoice_gross_set(note, gross=-amount)  # the amount credited includes its VAT
        note.save()
        InvoiceLine.objects.create(
            invoice=note,
            kind=InvoiceLine.Kind.ADJUSTMENT,
            description=_("Credit on %(number)s: %(reason)s") % {"number": invoice.number, "reason": reason},
            unit_amount=net,
            amount=net,
        )
        if invoice.status == Invoice.Status.OPEN:
            invoice.amount_paid += amount
            invoice.save(update_fields=["amount_paid"])
        audit_log(
            actor=actor, action="invoice.credited", target=invoice, credit_note=note.number, reason=reason
        )
        _issue_number_and_notify(note)
    if invoice.status == Invoice.Status.OPEN and invoice.balance <= 0:
        invoice_mark_paid(invoice_id=invoice.pk, actor=actor, via="credit note")
    return note
