"""Reads of exports: one's own exports, and the tables they are built from.

Each table is what its requester may see when it is built (orders_visible_to and the
customers and attendees selectors, through the permission module), in the requester's
language. Times are written in the zone they happened in — an order's in its organizer's,
a ticket's date in its event's — with that zone in a column of its own; amounts are Decimal
with their currency's decimals, the currency in a column of its own.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.emails import pending_window
from apps.core.money import quantize
from apps.core.spreadsheets import Row
from apps.core.timezones import localtime_in
from apps.events.models import Event, EventDate
from apps.operators.permissions import Someone
from apps.sales.models import CheckIn, Export, Order, Ticket
from apps.sales.selectors import orders_visible_to, tickets_visible_to
from apps.sales.selectors.addons import add_ons_in_orders
from apps.sales.selectors.attendees import attendees_of_date, attendees_of_event
from apps.sales.selectors.customers import customer_orders_visible_to, customer_rows, customers_described
from apps.sales.selectors.questions import (
    ANSWERS_PREFETCH,
    ORDER_ANSWERS_PREFETCH,
    answer_cells,
    order_answer_cells,
    questions_of_event,
    questions_of_organizers,
)

CHUNK = 500
LISTED_EXPORTS = 50


def exports_of(user: User) -> QuerySet[Export]:
    """The exports `user` asked for, newest first (at most LISTED_EXPORTS)."""
    return Export.objects.filter(requested_by=user).select_related("event", "event_date__event")[
        :LISTED_EXPORTS
    ]


def exports_awaiting_build(*, stale_after: timedelta) -> list[int]:
    """Exports whose task was lost — still waiting PENDING_AFTER after they were asked for
    (broker down at the commit, Redis lost its queue) — or whose worker died while building
    them (running for longer than `stale_after`), oldest first: their sweep queues them again."""
    since, until = pending_window()
    return list(
        Export.objects.filter(
            Q(status=Export.Status.PENDING, created_at__range=(since, until))
            | Q(status=Export.Status.RUNNING, started_at__lt=timezone.now() - stale_after)
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )


def export_of(user: Someone, pk: int) -> Export | None:
    """Export `pk` if `user` asked for it; anyone else's is None (a 404)."""
    if not isinstance(user, User):
        return None
    return (
        Export.objects.filter(pk=pk, requested_by=user).select_related("event", "event_date__event").first()
    )


@dataclass
class Table:
    header: list[str]
    total: int
    rows: Iterator[Row]


def _local(value: datetime | None, zone: str) -> datetime | None:
    return localtime_in(value, zone) if value is not None else None


def _amount(value: Decimal, currency: str) -> Decimal:
    return quantize(value, currency)


def orders_table(user: Someone) -> Table:
    """Every order `user` may see but carts never checked out, oldest first."""
    add_on_summary, add_on_total = add_ons_in_orders()
    orders = (
        orders_visible_to(user)
        .exclude(Q(email="") & Q(paid_at__isnull=True))
        .select_related("organizer", "distribution", "invoice")
        .annotate(ticket_count=Count("tickets"), add_on_summary=add_on_summary, add_on_total=add_on_total)
        .order_by("created_at", "pk")
        .prefetch_related(ORDER_ANSWERS_PREFETCH)
    )
    # A column per question asked once per order (those per ticket: the attendees export).
    organizer_ids = orders_visible_to(user).order_by().values_list("organizer_id", flat=True).distinct()
    asked = [q for q in questions_of_organizers(organizer_ids) if not q.per_ticket]
    header = [
        _("Order"),
        _("Placed"),
        _("Paid"),
        _("Time zone"),
        _("Status"),
        _("Organizer"),
        _("Channel"),
        _("Buyer"),
        _("E-mail address"),
        _("Payment method"),
        _("Tickets"),
        _("Currency"),
        _("Tickets total"),
        _("Service fees"),
        _("Total"),
        _("Of which taxes"),
        _("Invoice"),
        _("Add-ons"),
        _("Of which add-ons"),
        _("Discount with codes"),
        *[question.shown_label for question in asked],
    ]

    def rows() -> Iterator[Row]:
        for order in orders.iterator(chunk_size=CHUNK):
            zone = order.organizer.zone_name
            yield [
                order.code,
                _local(order.created_at, zone),
                _local(order.paid_at, zone),
                zone,
                order.get_status_display(),
                order.organizer.name,
                order.distribution.name,
                order.buyer_name,
                order.email,
                order.get_payment_method_display(),
                order.ticket_count,
                order.currency,
                _amount(order.subtotal, order.currency),
                _amount(order.fee_total, order.currency),
                _amount(order.total, order.currency),
                _amount(order.tax_total, order.currency),
                getattr(getattr(order, "invoice", None), "number", ""),
                order.add_on_summary or "",
                _amount(order.add_on_total or Decimal(0), order.currency),
                _amount(order.discount_total, order.currency),
                *order_answer_cells(asked, order),
            ]

    return Table(header=header, total=orders.count(), rows=rows())


def tickets_table(user: Someone, *, event: Event | None = None, event_date: EventDate | None = None) -> Table:
    """The attendees of `event_date` or `event` (as their pages list them), else every
    ticket of a paid order (refunded ones too) `user` may see."""
    tickets: QuerySet[Ticket]
    if event_date is not None:
        tickets = attendees_of_date(user, event_date)
    elif event is not None:
        tickets = attendees_of_event(user, event)
    else:
        tickets = (
            tickets_visible_to(user)
            .filter(order__paid_at__isnull=False)
            .annotate(checked_in=Exists(CheckIn.objects.filter(ticket=OuterRef("pk"))))
            .order_by("order__created_at", "pk")
        )
    tickets = tickets.select_related(
        "order", "event_date", "ticket_type__event__location", "ticket_type__event__organizer", "voucher"
    ).prefetch_related(*ANSWERS_PREFETCH)
    # One column per question asked of them (its label in the reader's language).
    if event is None and event_date is not None:
        event = event_date.event
    asked = (
        questions_of_event(event)
        if event is not None
        else questions_of_organizers(
            tickets.order_by().values_list("order__organizer_id", flat=True).distinct()
        )
    )
    header = [
        _("Ticket code"),
        _("Order"),
        _("Event"),
        _("Date"),
        _("Time zone"),
        _("Ticket type"),
        _("Attendee"),
        _("Buyer"),
        _("E-mail address"),
        _("Ticket status"),
        _("Order status"),
        _("Currency"),
        _("Price"),
        _("Tax"),
        _("Tax rate (%)"),
        _("Tax amount"),
        _("Service fee"),
        _("Voucher"),
        _("Discount"),
        _("Checked in"),
        *[question.shown_label for question in asked],
    ]

    def rows() -> Iterator[Row]:
        for ticket in tickets.iterator(chunk_size=CHUNK):
            order, event_of_ticket = ticket.order, ticket.ticket_type.event
            zone = event_of_ticket.time_zone
            yield [
                ticket.code,
                order.code,
                event_of_ticket.name,
                _local(ticket.event_date.start, zone)
                if ticket.event_date is not None
                else _("Pass (every date)"),
                zone,
                ticket.ticket_type.name,
                ticket.attendee_name,
                order.buyer_name,
                order.email,
                ticket.get_status_display(),
                order.get_status_display(),
                order.currency,
                _amount(ticket.price, order.currency),
                ticket.tax_name,
                ticket.tax_rate,
                _amount(ticket.tax, order.currency),
                _amount(ticket.fee, order.currency),
                ticket.voucher.code if ticket.voucher is not None else "",
                _amount(ticket.discount, order.currency),
                bool(ticket.checked_in),  # type: ignore[attr-defined]
                *answer_cells(asked, ticket),
            ]

    return Table(header=header, total=tickets.count(), rows=rows())


def customers_table(user: Someone) -> Table:
    """Every customer `user` may see, latest buyer first, with a total per currency."""
    currencies = sorted(
        set(
            customer_orders_visible_to(user)
            .filter(status=Order.Status.PAID)
            .order_by()
            .values_list("currency", flat=True)
            .distinct()
        )
    )
    listed = customer_rows(user)
    header = [
        _("E-mail address"),
        _("Name"),
        _("Customer account"),
        _("Paid orders"),
        _("Last order (UTC)"),
        *[_("Total spent (%(currency)s)") % {"currency": currency} for currency in currencies],
    ]

    def rows() -> Iterator[Row]:
        offset = 0
        while True:
            chunk = list(listed[offset : offset + CHUNK])
            if not chunk:
                return
            for customer in customers_described(user, chunk):
                yield [
                    customer.email,
                    customer.name,
                    customer.has_account,
                    customer.orders,
                    _local(customer.last_order_at, "UTC"),
                    *[
                        _amount(customer.spent[currency], currency) if currency in customer.spent else None
                        for currency in currencies
                    ],
                ]
            offset += CHUNK

    return Table(header=header, total=listed.count(), rows=rows())
