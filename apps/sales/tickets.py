"""Tickets as people hold them: a QR code of the ticket's code, and a PDF with a page each."""

import io

import segno
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from apps.core.money import format_money
from apps.core.timezones import DATE, LONG, format_in_zone
from apps.sales.models import Order, OrderAddOn, Ticket
from apps.sales.selectors.taxes import rate_text


def ticket_qr_svg(ticket: Ticket) -> str:
    """Inline SVG of the ticket's QR code (what the gate scans), with an accessible title."""
    return segno.make(ticket.code, error="m").svg_inline(
        scale=4, title=_("QR code of ticket %(code)s") % {"code": ticket.code}
    )


def _qr_png(code: str) -> ImageReader:
    buffer = io.BytesIO()
    segno.make(code, error="m").save(buffer, kind="png", scale=8, border=2)
    buffer.seek(0)
    return ImageReader(buffer)


def ticket_when(ticket: Ticket) -> str:
    """When a ticket is for, in its event's time zone and labelled: "Tuesday 22 December 2026,
    19:30 (Europe/London)"; a pass gives the days of its event's first and last dates."""
    event = ticket.ticket_type.event
    zone = event.time_zone
    if ticket.event_date is None:
        dates = list(event.dates.order_by("start"))
        if not dates:
            return _("Pass: every date")
        return _("Pass: every date, %(first)s – %(last)s") % {
            "first": format_in_zone(dates[0].start, zone, DATE, label=False),
            "last": format_in_zone(dates[-1].start, zone, DATE, label=False),
        }
    return format_in_zone(ticket.event_date.start, zone, LONG)


def _tax_note(ticket: Ticket, currency: str) -> str:
    if not ticket.tax_rate:
        return ""
    return " " + _("(incl. %(name)s %(rate)s %%: %(amount)s)") % {
        "name": ticket.tax_name,
        "rate": rate_text(ticket.tax_rate),
        "amount": format_money(ticket.tax, currency),
    }


def _discount_note(ticket: Ticket, currency: str) -> str:
    if ticket.voucher is None:
        return ""
    if not ticket.discount:
        return " " + _("(code %(code)s)") % {"code": ticket.voucher.code}
    return " " + _("(code %(code)s: %(amount)s off)") % {
        "code": ticket.voucher.code,
        "amount": format_money(ticket.discount, currency),
    }


def tickets_pdf(order: Order) -> bytes:
    """One A4 page per valid ticket, in the organizer's colour, with its QR code."""
    tickets = list(
        order.tickets.filter(status=Ticket.Status.VALID).select_related(
            "ticket_type__event__location", "ticket_type__event__organizer", "event_date", "voucher"
        )
    )
    add_ons: dict[int | None, list[OrderAddOn]] = {}
    for extra in order.add_ons.filter(status=OrderAddOn.Status.VALID).order_by("pk"):
        add_ons.setdefault(extra.ticket_id, []).append(extra)
    organizer = order.organizer
    brand = colors.HexColor(organizer.primary_color)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(_("Tickets for order %(code)s") % {"code": order.code})
    pdf.setAuthor(organizer.name)
    width, height = A4
    for ticket in tickets:
        event = ticket.ticket_type.event
        location = event.location
        pdf.setFillColor(brand)
        pdf.rect(0, height - 30 * mm, width, 30 * mm, stroke=0, fill=1)
        pdf.setFillColor(colors.white)
        pdf.setFont("Helvetica-Bold", 18)
        pdf.drawString(20 * mm, height - 19 * mm, organizer.name)
        pdf.setFillColor(colors.black)
        pdf.setFont("Helvetica-Bold", 22)
        pdf.drawString(20 * mm, height - 50 * mm, event.name)
        pdf.setFont("Helvetica", 13)
        lines = [
            ticket_when(ticket),
            f"{location.name}, {location.address}, {location.city}",
            f"{ticket.ticket_type.name} — {format_money(ticket.price, order.currency)}{_tax_note(ticket, order.currency)}"
            + _discount_note(ticket, order.currency),
            _("Order %(code)s") % {"code": order.code},
        ]
        if ticket.attendee_name or order.buyer_name:
            lines.append(ticket.attendee_name or order.buyer_name)
        # Its add-ons, and the order's own on its first ticket's page (at most five lines).
        extras = add_ons.get(ticket.pk, []) + (add_ons.get(None, []) if ticket is tickets[0] else [])
        lines += [f"+ {extra.name} × {extra.quantity}" for extra in extras[:5]]
        for index, line in enumerate(lines):
            pdf.drawString(20 * mm, height - (62 + 8 * index) * mm, line)
        pdf.drawImage(_qr_png(ticket.code), 20 * mm, height - 175 * mm, 60 * mm, 60 * mm)
        pdf.setFont("Courier", 10)
        pdf.drawString(20 * mm, height - 182 * mm, ticket.code)
        pdf.setFont("Helvetica", 9)
        pdf.setFillColor(colors.grey)
        pdf.drawString(
            20 * mm,
            15 * mm,
            _("Show this page (printed or on screen) at the entrance. One scan admits once."),
        )
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
