"""The PDF of an invoice an organizer issued to a buyer: written from the invoice's own
copy of names, addresses and amounts, so it reads the same whenever it is downloaded."""

import io
from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django_countries import countries
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

from apps.core.money import format_money
from apps.core.timezones import DATE, format_in_zone
from apps.sales.models import Invoice
from apps.sales.selectors.taxes import rate_text

WIDTH, HEIGHT = A4
LEFT, RIGHT = 20 * mm, WIDTH - 20 * mm
# Columns of the lines: description, then right-aligned quantity, unit price, rate, net, tax, total.
COLUMNS = (LEFT, 106 * mm, 128 * mm, 142 * mm, 160 * mm, 175 * mm, RIGHT)


def _country(code: object) -> str:
    return str(countries.name(str(code))) if code else ""


def _party(title: str, lines: list[str]) -> list[str]:
    return [title, *[text for text in lines if text]]


def invoice_pdf(invoice: Invoice) -> bytes:
    with translation.override(invoice.language or settings.LANGUAGE_CODE):
        return _pdf(invoice)


def _pdf(invoice: Invoice) -> bytes:
    currency = invoice.currency
    organizer = invoice.organizer
    zone_name = organizer.zone_name
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(_("Invoice %(number)s") % {"number": invoice.number})
    pdf.setAuthor(invoice.seller_name)

    def money(amount: Decimal) -> str:
        return format_money(amount, currency)

    pdf.setFillColor(colors.HexColor(organizer.primary_color))
    pdf.rect(0, HEIGHT - 12 * mm, WIDTH, 12 * mm, stroke=0, fill=1)
    pdf.setFillColor(colors.black)
    pdf.setFont("Helvetica-Bold", 20)
    pdf.drawString(LEFT, HEIGHT - 30 * mm, _("Invoice %(number)s") % {"number": invoice.number})
    pdf.setFont("Helvetica", 10)
    pdf.drawString(
        LEFT,
        HEIGHT - 37 * mm,
        _("Date of issue: %(date)s")
        % {"date": format_in_zone(invoice.issued_at, zone_name, DATE, label=False)},
    )
    pdf.drawString(LEFT, HEIGHT - 42 * mm, _("Order %(code)s") % {"code": invoice.order.code})

    seller = _party(
        pgettext("invoice", "Seller"),
        [
            invoice.seller_name,
            *invoice.seller_address.splitlines(),
            _country(invoice.seller_country),
            _("VAT number: %(number)s") % {"number": invoice.seller_vat_number}
            if invoice.seller_vat_number
            else "",
        ],
    )
    buyer = _party(
        pgettext("invoice", "Billed to"),
        [
            invoice.buyer_company,
            invoice.buyer_name,
            *invoice.buyer_address.splitlines(),
            _country(invoice.buyer_country),
            _("VAT number: %(number)s") % {"number": invoice.buyer_vat_number}
            if invoice.buyer_vat_number
            else "",
        ],
    )
    top = HEIGHT - 55 * mm
    for x, block in ((LEFT, seller), (110 * mm, buyer)):
        for index, text in enumerate(block):
            pdf.setFont("Helvetica-Bold" if index == 0 else "Helvetica", 10)
            pdf.drawString(x, top - index * 5 * mm, text[:60])
    y = top - (max(len(seller), len(buyer)) + 2) * 5 * mm

    headers = (
        _("Description"),
        _("Qty"),
        _("Unit price"),
        pgettext("invoice column", "Rate"),
        pgettext("invoice column", "Net"),
        pgettext("invoice column", "Tax"),
        pgettext("invoice column", "Total"),
    )
    pdf.setFont("Helvetica-Bold", 8)
    pdf.drawString(COLUMNS[0], y, headers[0])
    for x, header in zip(COLUMNS[1:], headers[1:], strict=True):
        pdf.drawRightString(x, y, header)
    pdf.line(LEFT, y - 2 * mm, RIGHT, y - 2 * mm)
    y -= 7 * mm
    pdf.setFont("Helvetica", 8)
    for line in invoice.lines.all():
        wrapped = simpleSplit(line.description, "Helvetica", 8, COLUMNS[1] - LEFT - 12 * mm)
        cells = (
            str(line.quantity),
            money(line.unit_price),
            f"{rate_text(line.tax_rate)} %" if line.tax_rate else "—",
            money(line.net),
            money(line.tax),
            money(line.gross),
        )
        for x, cell in zip(COLUMNS[1:], cells, strict=True):
            pdf.drawRightString(x, y, cell)
        for part in wrapped:
            pdf.drawString(LEFT, y, part)
            y -= 4.5 * mm
        y -= 1.5 * mm
        if y < 60 * mm:
            pdf.showPage()
            pdf.setFont("Helvetica", 8)
            y = HEIGHT - 25 * mm
    pdf.line(LEFT, y + 2 * mm, RIGHT, y + 2 * mm)

    y -= 4 * mm
    pdf.setFont("Helvetica", 9)
    rates: dict[tuple[str, Decimal], list[Decimal]] = {}
    for line in invoice.lines.all():
        if line.tax_rate:
            sums = rates.setdefault((line.tax_name, line.tax_rate), [Decimal(0), Decimal(0)])
            sums[0] += line.net
            sums[1] += line.tax
    for (name, rate), (net, tax) in sorted(rates.items(), key=lambda item: -item[0][1]):
        pdf.drawString(
            110 * mm,
            y,
            _("%(name)s %(rate)s %% on %(net)s") % {"name": name, "rate": rate_text(rate), "net": money(net)},
        )
        pdf.drawRightString(RIGHT, y, money(tax))
        y -= 5 * mm
    for label, amount, font in (
        (_("Total without tax"), invoice.net_total, "Helvetica"),
        (_("Total tax"), invoice.tax_total, "Helvetica"),
        (_("Total"), invoice.total, "Helvetica-Bold"),
    ):
        pdf.setFont(font, 10)
        pdf.drawString(110 * mm, y, label)
        pdf.drawRightString(RIGHT, y, money(amount))
        y -= 6 * mm
    pdf.setFont("Helvetica", 9)
    order = invoice.order
    if order.paid_at is not None:
        pdf.drawString(
            LEFT,
            y - 4 * mm,
            _("Paid on %(date)s (%(method)s).")
            % {
                "date": format_in_zone(order.paid_at, zone_name, DATE, label=False),
                "method": order.get_payment_method_display(),
            },
        )
    pdf.setFillColor(colors.grey)
    pdf.setFont("Helvetica", 8)
    pdf.drawString(
        LEFT,
        15 * mm,
        _("Admission to events is taxed in the country where the event takes place."),
    )
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
