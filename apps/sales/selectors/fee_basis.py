"""What the platform's transaction fees on an organizer's sales are reckoned on, for a span of
time: read by the organizer's report and ledger (apps.sales.selectors.ledger) and by billing's
invoice (apps.billing.selectors.invoice_lines), so the two can never disagree.

A span is [start, end) in aware datetimes: the caller turns its days into them in the
organizer's time zone (`organizer_span`), so a sale at 00:30 in Amsterdam on the billing day
falls in the same period on the invoice as in the report."""

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import Count, Max, Sum

from apps.core import timezones
from apps.organizers.models import Organizer
from apps.sales.models import Order, Ticket
from apps.sales.selectors.addon_figures import add_on_fee_basis
from apps.sales.selectors.figures import card_payments_of, fee_refunds_of

ZERO = Decimal(0)


@dataclass(frozen=True)
class FeeBasis:
    tickets: int  # paid in the span and still valid, with a price
    revenue: Decimal  # their prices, and those of the add-ons sold with them (selectors.addon_figures)
    refunded_earlier_tickets: int  # paid before the span, refunded in it
    refunded_earlier_revenue: Decimal
    # Application fees Stripe took on the card payments of the span's orders, less the shares
    # it gave back with the refunds made in the span (of those or of earlier payments).
    collected: Decimal
    currency: str | None  # the orders' currency (None: no sale)


def organizer_span(organizer_id: int, first: date, end: date) -> tuple[datetime, datetime]:
    """[first, end) as datetimes in the organizer's zone (the current schema's organizer)."""
    organizer = Organizer.objects.filter(pk=organizer_id).first()
    zone = timezones.zone(organizer.zone_name if organizer else "")
    return datetime.combine(first, time.min, tzinfo=zone), datetime.combine(end, time.min, tzinfo=zone)


def fee_basis(organizer_id: int, start: datetime, end: datetime) -> FeeBasis:
    """The organizer's fee basis of [start, end), read in the current schema. Payments refunded
    as unusable are not counted as collected: Stripe gave their application fee back."""
    priced = Ticket.objects.filter(order__organizer_id=organizer_id, price__gt=0)
    sold = priced.filter(
        status=Ticket.Status.VALID,
        order__status=Order.Status.PAID,
        order__paid_at__gte=start,
        order__paid_at__lt=end,
    ).aggregate(count=Count("pk"), revenue=Sum("price"), currency=Max("order__currency"))
    earlier = priced.filter(voided_at__gte=start, voided_at__lt=end, order__paid_at__lt=start).aggregate(
        count=Count("pk"), revenue=Sum("price"), currency=Max("order__currency")
    )
    paid_in_span = Order.objects.filter(organizer_id=organizer_id, paid_at__gte=start, paid_at__lt=end)
    collected = card_payments_of(paid_in_span).aggregate(
        total=Sum("application_fee"), currency=Max("currency")
    )
    given_back = fee_refunds_of(Order.objects.filter(organizer_id=organizer_id), start, end).aggregate(
        total=Sum("application_fee_refunded")
    )
    add_ons_sold, add_ons_refunded_earlier = add_on_fee_basis(organizer_id, start, end)
    return FeeBasis(
        tickets=sold["count"],
        revenue=(sold["revenue"] or ZERO) + add_ons_sold,
        refunded_earlier_tickets=earlier["count"],
        refunded_earlier_revenue=(earlier["revenue"] or ZERO) + add_ons_refunded_earlier,
        collected=(collected["total"] or ZERO) - (given_back["total"] or ZERO),
        currency=sold["currency"] or earlier["currency"] or collected["currency"],
    )
