"""The organizer's orders as the control panel and the API list them, and one order with
everything its page shows: buyer, tickets with their check-ins, payments with their
refunds and fees, and its history from the audit log.

Who sees which orders is orders_visible_to's (the permission module's rule, Action
.MANAGE_ORDER): organization admins every order, an organizer's configurers that
organizer's, a seller those of the channels they sell in. Carts (no e-mail yet) are no
orders to list.

The list costs a constant number of queries whatever its length and filters: the count,
the page, its rows' first event and number of tickets (one query for the page), and the
choices of the filters.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.expressions import OrderBy
from django.db.models.functions import Coalesce, Lower, NullIf
from django.utils import timezone

from apps.core.models import AuditLogEntry
from apps.events.models import Event, EventDate
from apps.events.selectors import events_visible_to
from apps.operators.permissions import Someone, distributions_visible_to
from apps.organizers.models import Distribution
from apps.payments.models import Payment, Refund
from apps.sales.models import CheckIn, Invoice, Order, Ticket, Voucher
from apps.sales.selectors import orders_visible_to

SEARCH_MAX_LENGTH = 200
PER_PAGE = 50

SORT_PLACED, SORT_TOTAL, SORT_BUYER = "placed", "total", "buyer"
SORTS = (SORT_PLACED, SORT_TOTAL, SORT_BUYER)
DEFAULT_SORT = "-placed"


def buyer_key() -> Lower:
    """What the buyer sort reads: the buyer's name, else their e-mail, in lower case (the
    index sales_order_listed_by_buyer is on the same expression)."""
    return Lower(Coalesce(NullIf("buyer_name", Value("")), "email"))


@dataclass(frozen=True)
class OrderFilters:
    """What the list is narrowed to; empty fields filter nothing. `sort`: a name of SORTS,
    "-" first for descending."""

    search: str = ""
    status: str = ""
    event: int | None = None
    event_date: int | None = None
    distribution: int | None = None
    placed_from: date | None = None
    placed_until: date | None = None
    payment_method: str = ""
    sort: str = DEFAULT_SORT


def listable_orders(user: Someone) -> QuerySet[Order]:
    """The orders one may see, carts aside."""
    return orders_visible_to(user).exclude(email="")


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _searched(orders: QuerySet[Order], search: str) -> QuerySet[Order]:
    """By order code (any case), buyer e-mail or name (a part of either), a ticket code
    (exact: each is a 22-character token), or the code of a voucher its tickets used (any
    case: read through the index of the codes' lower case)."""
    search = search.strip()[:SEARCH_MAX_LENGTH]
    if not search:
        return orders
    with_ticket = Ticket.objects.filter(code=search).values("order_id")
    vouchers = Voucher.objects.annotate(lower_code=Lower("code")).filter(lower_code=search.lower())
    with_voucher = Ticket.objects.filter(voucher__in=vouchers.values("pk")).values("order_id")
    return orders.filter(
        Q(code=search.upper())
        | Q(email__icontains=search)
        | Q(buyer_name__icontains=search)
        | Q(pk__in=with_ticket)
        | Q(pk__in=with_voucher)
    )


def _ordering(sort: str) -> list[OrderBy]:
    """ORDER BY of a sort name ("-" first: descending), the id breaking ties."""
    name = sort.lstrip("-")
    key = buyer_key() if name == SORT_BUYER else F("total" if name == SORT_TOTAL else "created_at")
    if sort.startswith("-"):
        return [key.desc(), F("id").desc()]
    return [key.asc(), F("id").asc()]


def orders_listed(user: Someone, filters: OrderFilters) -> QuerySet[Order]:
    """The orders one sees narrowed by `filters`, sorted (newest first by default), with their
    organizer and channel. Page it (a count and a page: two queries), then describe the page
    (orders_described: one more)."""
    orders = _searched(listable_orders(user), filters.search)
    if filters.status:
        orders = orders.filter(status=filters.status)
    if filters.payment_method:
        orders = orders.filter(payment_method=filters.payment_method)
    if filters.distribution is not None:
        orders = orders.filter(distribution_id=filters.distribution)
    if filters.event is not None:
        orders = orders.filter(
            Exists(Ticket.objects.filter(order=OuterRef("pk"), ticket_type__event_id=filters.event))
        )
    if filters.event_date is not None:
        date_event = EventDate.objects.filter(pk=filters.event_date).values("event_id")
        orders = orders.filter(
            Exists(
                Ticket.objects.filter(order=OuterRef("pk")).filter(
                    Q(event_date_id=filters.event_date)
                    | Q(event_date__isnull=True, ticket_type__event_id__in=date_event)
                )
            )
        )
    if filters.placed_from is not None:
        orders = orders.filter(created_at__gte=_start_of(filters.placed_from))
    if filters.placed_until is not None:
        orders = orders.filter(created_at__lt=_start_of(filters.placed_until + timedelta(days=1)))
    return orders.select_related("organizer", "distribution").order_by(*_ordering(filters.sort))


def orders_described(orders: Sequence[Order]) -> None:
    """Give each order of a page `event_name` (its first ticket's event) and `ticket_count`,
    in one query for the page (as annotations they would be computed for every row an
    OFFSET skips, too)."""
    first_event: dict[int, str] = {}
    counts: dict[int, int] = {}
    rows = (
        Ticket.objects.filter(order_id__in=[order.pk for order in orders])
        .order_by("order_id", "pk")
        .values_list("order_id", "ticket_type__event__name")
    )
    for order_id, event_name in rows:
        first_event.setdefault(order_id, event_name)
        counts[order_id] = counts.get(order_id, 0) + 1
    for order in orders:
        order.event_name = first_event.get(order.pk, "")  # type: ignore[attr-defined]
        order.ticket_count = counts.get(order.pk, 0)  # type: ignore[attr-defined]


def events_of_orders(user: Someone) -> QuerySet[Event]:
    """The events one may filter orders by: those one sees, by name."""
    return events_visible_to(user).select_related("organizer").order_by("name", "pk")


def dates_of_event(user: Someone, event_id: int) -> QuerySet[EventDate]:
    """The dates of one event one sees, first first."""
    return EventDate.objects.filter(event__in=events_visible_to(user), event_id=event_id).order_by(
        "start", "pk"
    )


def distributions_of_orders(user: Someone) -> QuerySet[Distribution]:
    """The channels one may filter orders by, with their organizer."""
    return distributions_visible_to(user).select_related("organizer").order_by("organizer__name", "pk")


# --- one order ------------------------------------------------------------------------------


def order_visible_to(user: Someone, code: str) -> Order | None:
    """The order with this code (any case), if one may see it, with its organizer, channel,
    customer account and seller."""
    return (
        listable_orders(user)
        .select_related("organizer", "distribution", "customer", "sold_by")
        .filter(code=code.strip().upper())
        .first()
    )


def order_tickets(order: Order) -> list[Ticket]:
    """The order's tickets with their type, event and date, each with `admissions` (its
    check-ins, first first) and `number` (1, 2, …: how its page names it)."""
    tickets: list[Ticket] = list(
        order.tickets.select_related(
            "ticket_type__event__location", "ticket_type__event__organizer", "event_date", "voucher"
        )
        .prefetch_related(
            Prefetch(
                "check_ins",
                queryset=CheckIn.objects.select_related("event_date", "checked_in_by").order_by(
                    "checked_in_at"
                ),
                to_attr="admissions",
            )
        )
        .order_by("pk")
    )
    for number, ticket in enumerate(tickets, start=1):
        ticket.number = number  # type: ignore[attr-defined]
    return tickets


def order_payments(order: Order) -> list[Payment]:
    """The order's card payments (each with `refund_list`), first first."""
    return list(
        Payment.objects.filter(purpose=Order.PAYMENT_PURPOSE, object_id=order.pk)
        .prefetch_related(
            Prefetch("refunds", queryset=Refund.objects.order_by("created_at"), to_attr="refund_list")
        )
        .order_by("created_at", "pk")
    )


def order_invoice(order: Order) -> Invoice | None:
    return Invoice.objects.filter(order=order).first()


@dataclass(frozen=True)
class HistoryLine:
    """One thing that happened to an order: when, what (an audit action, or "ticket
    .checked_in"), by whom (an e-mail, empty for the system or the buyer), and its details."""

    at: datetime
    action: str
    by: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    target: str = ""  # what the entry names (an invoice's number)


def order_history(order: Order, tickets: Sequence[Ticket] = ()) -> list[HistoryLine]:
    """What happened to the order, oldest first: its audit log (placed, paid, e-mailed,
    changed, refunded, cancelled, its invoice issued) and its tickets' check-ins."""
    entries = AuditLogEntry.objects.filter(
        Q(target_type="sales.order", target_id=str(order.pk))
        | Q(target_type="sales.invoice", data__order=order.code)
    ).order_by("created_at", "pk")
    lines = [
        HistoryLine(
            at=entry.created_at,
            action=entry.action,
            by=entry.actor_email,
            data=entry.data,
            target=entry.target_repr,
        )
        for entry in entries
    ]
    for ticket in tickets:
        for check_in in getattr(ticket, "admissions", ()):
            lines.append(
                HistoryLine(
                    at=check_in.checked_in_at,
                    action="ticket.checked_in",
                    by=getattr(check_in.checked_in_by, "email", "") or "",
                    data={"ticket": ticket.pk, "code": ticket.code, "date": check_in.event_date_id},
                )
            )
    return sorted(lines, key=lambda line: line.at)


def order_fees(order: Order, tickets: Sequence[Ticket]) -> dict[str, Decimal]:
    """The service fees of the order's tickets: paid by the buyer, absorbed by the organizer."""
    return {
        "buyer": sum((t.fee for t in tickets), Decimal(0)),
        "absorbed": sum((t.absorbed_fee for t in tickets), Decimal(0)),
    }
