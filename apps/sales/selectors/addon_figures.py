"""Add-ons in the figures: what they sold and what was refunded of them, for the dashboard,
the report and ledger (apps.sales.selectors.ledger) and the platform's fee basis.

An order's revenue (`Order.subtotal`, `total`) holds its add-ons already; a refund of them is
an add-on line refunded (`voided_at`), priced as sold. Service fees are per ticket: an add-on
carries none. The platform's transaction fee counts add-on revenue in its percent part
(it is money sold through the platform, and `application_fee_of` charges card orders on the
subtotal that holds it) but never in its fixed part per ticket: an add-on is no ticket."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from apps.events.models import Event
from apps.sales.models import Order, OrderAddOn, Ticket
from apps.sales.selectors.figures import ZERO, CurrencyTotals, Period, Scope


def add_on_lines(scope: Scope) -> QuerySet[OrderAddOn]:
    lines = OrderAddOn.objects.filter(order__organizer_id__in=scope.organizer_ids)
    if scope.distribution_ids is not None:
        lines = lines.filter(order__distribution_id__in=scope.distribution_ids)
    return lines


def add_ons_refunded(scope: Scope) -> QuerySet[OrderAddOn]:
    """Refunded add-on lines of paid orders (as refunded_tickets)."""
    return add_on_lines(scope).filter(status=OrderAddOn.Status.REFUNDED, order__paid_at__isnull=False)


def add_ons_refunded_in(scope: Scope, start: datetime, end: datetime) -> QuerySet[OrderAddOn]:
    return add_ons_refunded(scope).filter(voided_at__gte=start, voided_at__lt=end)


def with_add_on_refunds(
    totals: list[CurrencyTotals], scope: Scope, periods: Sequence[Period]
) -> list[CurrencyTotals]:
    """The dashboard's totals (figures.sales_totals) with the add-ons refunded in each period
    among their refunds: one query."""
    if not periods:
        return totals
    rows = (
        add_ons_refunded_in(scope, min(p.start for p in periods), max(p.end for p in periods))
        .values("order__currency")
        .annotate(
            **{
                f"refunds_{n}": Sum("price", filter=Q(voided_at__gte=p.start, voided_at__lt=p.end))
                for n, p in enumerate(periods)
            }
        )
    )
    by_currency = {entry.currency: entry for entry in totals}
    for row in rows:
        entry = by_currency.get(row["order__currency"])
        if entry is None:
            continue
        for n, period_totals in enumerate(entry.periods):
            period_totals.refunds += row[f"refunds_{n}"] or ZERO
    return totals


def add_on_fee_basis(organizer_id: int, start: datetime, end: datetime) -> tuple[Decimal, Decimal]:
    """(revenue of the valid add-ons of orders paid in [start, end), revenue of add-ons of
    orders paid before it refunded in it): the add-ons' part of the platform's fee basis."""
    lines = OrderAddOn.objects.filter(order__organizer_id=organizer_id, price__gt=0)
    sold = lines.filter(
        status=OrderAddOn.Status.VALID,
        order__status=Order.Status.PAID,
        order__paid_at__gte=start,
        order__paid_at__lt=end,
    ).aggregate(revenue=Sum("price"))
    earlier = lines.filter(
        status=OrderAddOn.Status.REFUNDED, voided_at__gte=start, voided_at__lt=end, order__paid_at__lt=start
    ).aggregate(revenue=Sum("price"))
    return sold["revenue"] or ZERO, earlier["revenue"] or ZERO


@dataclass
class AddOnFigures:
    """One add-on on an event's sales page: units sold (paid, still valid), refunded and held
    (in carts and unpaid orders), and the revenue of those sold."""

    name: str
    sold: int = 0
    refunded: int = 0
    held: int = 0
    revenue: Decimal = ZERO


def event_add_on_figures(event: Event, scope: Scope) -> list[AddOnFigures]:
    """The add-ons sold with the event's tickets (or with orders of them), per add-on, in the
    channels of `scope`: one query."""
    with_event = Exists(Ticket.objects.filter(order=OuterRef("order"), ticket_type__event=event))
    lines = add_on_lines(scope).filter(
        Q(ticket__ticket_type__event=event)
        | Q(ticket__isnull=True, add_on__event=event)
        | Q(ticket__isnull=True, add_on__event__isnull=True) & Q(with_event)
    )
    valid, paid = Q(status=OrderAddOn.Status.VALID), Q(order__status=Order.Status.PAID)
    rows = (
        lines.values("add_on_id", "add_on__name")
        .annotate(
            sold=Sum("quantity", filter=valid & paid),
            refunded=Sum("quantity", filter=Q(status=OrderAddOn.Status.REFUNDED)),
            held=Sum("quantity", filter=valid & Q(order__status=Order.Status.PENDING)),
            revenue=Sum("price", filter=valid & paid),
        )
        .order_by("add_on__name", "add_on_id")
    )
    return [
        AddOnFigures(
            name=row["add_on__name"],
            sold=row["sold"] or 0,
            refunded=row["refunded"] or 0,
            held=row["held"] or 0,
            revenue=row["revenue"] or ZERO,
        )
        for row in rows
    ]
