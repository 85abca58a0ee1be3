"""Invoices from an organizer to a buyer: issued once per paid order, on the buyer's request
(or the organizer's), numbered without gaps per organizer."""

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.audit import Actor, audit_log
from apps.core.money import quantize
from apps.core.timezones import MEDIUM, format_in_zone
from apps.organizers.models import Organizer
from apps.organizers.validators import validate_vat_number
from apps.sales.exceptions import InvoiceRefused
from apps.sales.models import Invoice, InvoiceCounter, InvoiceLine, Order, OrderAddOn, Ticket
from apps.sales.services.orders import SYSTEM


def invoice_number(organizer: Organizer, sequence: int) -> str:
    """The number printed on the organizer's `sequence`-th invoice: "FUN-PARK-000042"."""
    prefix = (organizer.slug or f"org{organizer.pk}").upper()
    return f"{prefix}-{sequence:06d}"


def _next_sequence(organizer: Organizer) -> int:
    """The organizer's next invoice number, under its counter row's lock until COMMIT: a
    second issuer waits here, then takes the number after; a rollback gives it back."""
    InvoiceCounter.objects.bulk_create([InvoiceCounter(organizer=organizer)], ignore_conflicts=True)
    counter = InvoiceCounter.objects.select_for_update().get(organizer=organizer)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _description(ticket: Ticket) -> str:
    event = ticket.ticket_type.event
    when = (
        format_in_zone(ticket.event_date.start, event.time_zone, MEDIUM)
        if ticket.event_date is not None
        else _("pass, every date")
    )
    return f"{event.name} · {ticket.ticket_type.name} · {when}"


def _lines(order: Order) -> list[InvoiceLine]:
    """The order's valid tickets, one line per ticket type, date, price and tax; then its
    service fees (no tax rule applies to them)."""
    tickets = list(
        order.tickets.filter(status=Ticket.Status.VALID)
        .select_related("ticket_type__event__location", "ticket_type__event__organizer", "event_date")
        .order_by("pk")
    )
    groups: dict[tuple[object, ...], list[Ticket]] = defaultdict(list)
    for ticket in tickets:
        key = (ticket.ticket_type_id, ticket.event_date_id, ticket.price, ticket.tax_name, ticket.tax_rate)
        groups[key].append(ticket)
    lines = []
    for group in groups.values():
        first = group[0]
        gross = sum((t.price for t in group), Decimal(0))
        tax = sum((t.tax for t in group), Decimal(0))
        lines.append(
            InvoiceLine(
                description=_description(first)[:400],
                quantity=len(group),
                unit_price=first.price,
                tax_name=first.tax_name,
                tax_rate=first.tax_rate,
                net=gross - tax,
                tax=tax,
                gross=gross,
            )
        )
    lines += _add_on_lines(order)
    fees = quantize(sum((t.fee for t in tickets), Decimal(0)), order.currency)
    if fees:
        lines.append(
            InvoiceLine(
                description=_("Service fees"),
                quantity=1,
                unit_price=fees,
                net=fees,
                tax=quantize(Decimal(0), order.currency),
                gross=fees,
            )
        )
    for position, line in enumerate(lines, start=1):
        line.position = position
    return lines


def _add_on_lines(order: Order) -> list[InvoiceLine]:
    """The order's valid add-ons, one line per add-on, unit price and tax (as sold)."""
    groups: dict[tuple[object, ...], list[OrderAddOn]] = defaultdict(list)
    for add_on in order.add_ons.filter(status=OrderAddOn.Status.VALID).order_by("pk"):
        groups[(add_on.add_on_id, add_on.unit_price, add_on.tax_name, add_on.tax_rate)].append(add_on)
    lines = []
    for group in groups.values():
        first = group[0]
        gross = sum((a.price for a in group), Decimal(0))
        tax = sum((a.tax for a in group), Decimal(0))
        lines.append(
            InvoiceLine(
                description=first.name[:400],
                quantity=sum(a.quantity for a in group),
                unit_price=first.unit_price,
                tax_name=first.tax_name,
                tax_rate=first.tax_rate,
                net=gross - tax,
                tax=tax,
                gross=gross,
            )
        )
    return lines


def _buyer_errors(*, address: str, country: str, vat_number: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not address.strip():
        errors["address"] = [_("Give the address the invoice is made out to.")]
    if not country:
        errors["country"] = [_("Choose the country of that address.")]
    if vat_number:
        try:
            validate_vat_number(vat_number)
        except ValidationError as exc:
            errors["vat_number"] = list(exc.messages)
    return errors


@transaction.atomic
def invoice_issue(
    *,
    order_id: int,
    address: str,
    country: str,
    company: str = "",
    name: str = "",
    vat_number: str = "",
    issued_by: User | None = None,
    actor: Actor = SYSTEM,
) -> Invoice:
    """Issue the invoice of a paid order from its organizer to the buyer described: the
    organizer's legal details and the order's valid tickets (with their taxes, as sold) are
    copied onto it, and it takes the organizer's next number. One invoice per order:
    asking again raises InvoiceRefused, as do an unpaid order and an organizer that has not
    given its legal name and address."""
    order = Order.objects.select_for_update().select_related("organizer").get(pk=order_id)
    if order.status != Order.Status.PAID:
        raise InvoiceRefused(_("Only a paid order can be invoiced."))
    existing = Invoice.objects.filter(order=order).first()
    if existing is not None:
        raise InvoiceRefused(
            _("This order already has its invoice, %(number)s.") % {"number": existing.number}
        )
    organizer = order.organizer
    if not organizer.legal_name.strip() or not organizer.address.strip():
        raise InvoiceRefused(
            _("%(organizer)s has not given its legal name and address yet, so it cannot issue invoices.")
            % {"organizer": organizer.name}
        )
    vat_number = vat_number.replace(" ", "").upper()
    errors = _buyer_errors(address=address, country=country, vat_number=vat_number)
    if errors:
        raise ValidationError(errors)
    lines = _lines(order)
    if not lines:
        raise InvoiceRefused(_("This order has no ticket left to invoice."))
    total = sum((line.gross for line in lines), Decimal(0))
    tax_total = sum((line.tax for line in lines), Decimal(0))
    sequence = _next_sequence(organizer)
    invoice = Invoice.objects.create(
        organizer=organizer,
        order=order,
        sequence=sequence,
        number=invoice_number(organizer, sequence),
        issued_at=timezone.now(),
        issued_by=issued_by,
        language=translation.get_language() or order.language,  # its lines are written in it
        seller_name=organizer.legal_name,
        seller_address=organizer.address,
        seller_country=organizer.country,
        seller_vat_number=organizer.vat_number,
        buyer_company=company.strip(),
        buyer_name=(name or order.buyer_name).strip(),
        buyer_address=address.strip(),
        buyer_country=country,
        buyer_vat_number=vat_number,
        buyer_email=order.email,
        currency=order.currency,
        net_total=total - tax_total,
        tax_total=tax_total,
        total=total,
    )
    for line in lines:
        line.invoice = invoice
    InvoiceLine.objects.bulk_create(lines)
    audit_log(actor=actor, action="invoice.issued", target=invoice, order=order.code, total=str(total))
    return invoice
