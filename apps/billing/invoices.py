"""An invoice as the client keeps it: a PDF in the platform's brand."""

import io

from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from apps.billing.models import Invoice
from apps.core.models import Branding
from apps.core.money import format_money


def invoice_pdf(invoice: Invoice) -> bytes:
    platform = Branding.stored()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    title = (
        _("Credit note %(number)s") if invoice.kind == Invoice.Kind.CREDIT_NOTE else _("Invoice %(number)s")
    )
    pdf.setTitle(title % {"number": invoice.number or "—"})
    pdf.setAuthor(platform.name)
    width, height = A4
    pdf.setFillColor(colors.HexColor(platform.primary_color))
    pdf.rect(0, height - 25 * mm, width, 25 * mm, stroke=0, fill=1)
    pdf.setFillColor(colors.white)
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(20 * mm, height - 16 * mm, platform.name)
    pdf.setFillColor(colors.black)
    pdf.setFont("Helvetica-Bold", 18)
    pdf.drawString(20 * mm, height - 42 * mm, title % {"number": invoice.number or "—"})
    pdf.setFont("Helvetica", 10)
    facts = [
        _("Issued: %(date)s")
        % {"date": formats.date_format(invoice.issued_at, "SHORT_DATE_FORMAT") if invoice.issued_at else "—"},
        _("Due: %(date)s")
        % {"date": formats.date_format(invoice.due_date, "SHORT_DATE_FORMAT") if invoice.due_date else "—"},
    ]
    if invoice.period_start and invoice.period_end:
        facts.append(
            _("Period: %(start)s – %(end)s")
            % {
                "start": formats.date_format(invoice.period_start, "SHORT_DATE_FORMAT"),
                "end": formats.date_format(invoice.period_end, "SHORT_DATE_FORMAT"),
            }
        )
    if invoice.credited_invoice is not None:
        facts.append(_("Corrects invoice %(number)s") % {"number": invoice.credited_invoice.number})
    for index, fact in enumerate(facts):
        pdf.drawString(20 * mm, height - (52 + 6 * index) * mm, fact)
    top = height - (60 + 6 * len(facts)) * mm
    parties = (
        (20 * mm, _("From"), party_lines(invoice, "seller")),
        (110 * mm, _("Billed to"), party_lines(invoice, "client")),
    )
    deepest = top
    for x, heading, lines in parties:
        pdf.setFont("Helvetica-Bold", 10)
        pdf.drawString(x, top, heading)
        pdf.setFont("Helvetica", 10)
        y = top
        for text in lines:
            y -= 5 * mm
            pdf.drawString(x, y, text[:50])
        deepest = min(deepest, y)
    y = deepest - 12 * mm
    pdf.setFont("Helvetica-Bold", 10)
    pdf.drawString(20 * mm, y, _("Description"))
    pdf.drawRightString(width - 55 * mm, y, _("Quantity"))
    pdf.drawRightString(width - 20 * mm, y, _("Amount"))
    pdf.setFont("Helvetica", 10)
    for line in invoice.lines.all():
        y -= 7 * mm
        if y < 40 * mm:
            pdf.showPage()
            y = height - 30 * mm
            pdf.setFont("Helvetica", 10)
        pdf.drawString(20 * mm, y, line.description[:80])
        pdf.drawRightString(width - 55 * mm, y, formats.number_format(line.quantity.normalize()))
        pdf.drawRightString(width - 20 * mm, y, format_money(line.amount, invoice.currency))
    y -= 10 * mm
    totals = [(_("Total excluding VAT"), invoice.subtotal)]
    if invoice.vat_scheme:
        totals.append(
            (
                _("VAT %(rate)s %%") % {"rate": formats.number_format(invoice.vat_rate.normalize())},
                invoice.vat_amount,
            )
        )
    for label, amount in totals:
        pdf.drawString(20 * mm, y, label)
        pdf.drawRightString(width - 20 * mm, y, format_money(amount, invoice.currency))
        y -= 6 * mm
    pdf.setFont("Helvetica-Bold", 12)
    pdf.drawString(20 * mm, y, _("Total"))
    pdf.drawRightString(width - 20 * mm, y, format_money(invoice.total, invoice.currency))
    if invoice.vat_mention:
        y -= 10 * mm
        pdf.setFont("Helvetica-Bold", 9)
        pdf.drawString(20 * mm, y, invoice.vat_mention[:110])
    if platform.legal_footer:
        pdf.setFont("Helvetica", 8)
        pdf.setFillColor(colors.grey)
        for index, text in enumerate(platform.legal_footer.splitlines()[:4]):
            pdf.drawString(20 * mm, (18 - 4 * index) * mm, text[:130])
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def party_lines(invoice: Invoice, party: str) -> list[str]:
    """The seller's or the client's block as the invoice was issued: name, address lines,
    country, VAT number."""
    name = getattr(invoice, f"{party}_name") or (invoice.account.organizer_name if party == "client" else "—")
    lines = [name, *getattr(invoice, f"{party}_address").splitlines()]
    country = getattr(invoice, f"{party}_country_name")
    if country:
        lines.append(country)
    vat_number = getattr(invoice, f"{party}_vat_number")
    if vat_number:
        lines.append(_("VAT number %(number)s") % {"number": vat_number})
    return lines
