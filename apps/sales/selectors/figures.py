"""Sales figures of the control panel: who sees which (a scope decided by the permission
module), and the dashboard's and the event page's numbers, each read with aggregate queries
(a constant number of them, however many orders there are).

The rules every figure follows, so that the dashboard, the reports, the ledger and the
platform's invoice agree:

- a sale counts when its order is paid (`paid_at`), with every ticket it had then: a later
  refund does not unsell it, it is a refund on the day its tickets were voided;
- gross is what buyers paid (`Order.total`: ticket prices plus the service fees they pay);
  service fees are those fees (`Order.fee_total`); refunds are the price and fee of each
  refunded ticket of a paid order (what `order_refund` gives back); net is gross minus
  refunds minus the platform fees taken from card payments;
- days are days of the zone the caller names (the organizer's).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from apps.events.models import Event, EventDate, Location, TicketType
from apps.operators.permissions import (
    Someone,
    distributions_sellable_by,
    is_organization_admin,
    organizers_configurable_by,
    organizers_visible_to,
)
from apps.organizers.models import Distribution, Organizer
from apps.payments.models import ConnectedAccount, Payment, Refund
from apps.sales.models import Order, Ticket

ZERO = Decimal(0)
MONEY: "DecimalField[Decimal, Decimal]" = DecimalField(max_digits=14, decimal_places=3)


# --- who sees which figures ------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The orders a person's figures cover: of these organizers, through these channels
    (None: all of their channels). `full` when the person configures them (or is an admin):
    they see the platform's fees and the setup checklist too."""

    organizer_ids: tuple[int, ...]
    distribution_ids: tuple[int, ...] | None
    full: bool

    def orders(self) -> QuerySet[Order]:
        orders = Order.objects.filter(organizer_id__in=self.organizer_ids)
        if self.distribution_ids is not None:
            orders = orders.filter(distribution_id__in=self.distribution_ids)
        return orders

    def tickets(self) -> QuerySet[Ticket]:
        tickets = Ticket.objects.filter(order__organizer_id__in=self.organizer_ids)
        if self.distribution_ids is not None:
            tickets = tickets.filter(order__distribution_id__in=self.distribution_ids)
        return tickets

    def events(self) -> QuerySet[Event]:
        events = Event.objects.filter(organizer_id__in=self.organizer_ids)
        if self.distribution_ids is not None:
            events = events.filter(
                Exists(
                    Event.distributions.through.objects.filter(
                        event_id=OuterRef("pk"), distribution_id__in=self.distribution_ids
                    )
                )
            )
        return events


def shared_zone_of(user: Someone) -> str:
    """The zone the control panel shows times of the whole organization in (a customer's last
    order, an export): that of the organizers one sees when they share one, else UTC."""
    zones = {organizer.zone_name for organizer in organizers_visible_to(user).only("time_zone", "country")}
    return zones.pop() if len(zones) == 1 else settings.TIME_ZONE


def figures_organizers(user: Someone) -> list[Organizer]:
    """The organizers whose figures one sees (configures, or sells for), by name."""
    return list(organizers_visible_to(user).order_by("name", "pk"))


def figures_scope(user: Someone, organizer: Organizer | None) -> Scope | None:
    """What `user` sees of `organizer`'s figures (None: nothing): all of it for its configurers
    and the organization's admins, the orders of their own channels for its sellers. No
    organizer: the whole organization, for its admins only."""
    if organizer is None:
        if not is_organization_admin(user):
            return None
        return Scope(tuple(Organizer.objects.values_list("pk", flat=True)), None, True)
    if organizers_configurable_by(user).filter(pk=organizer.pk).exists():
        return Scope((organizer.pk,), None, True)
    channels = tuple(
        distributions_sellable_by(user)
        .filter(organizer=organizer)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not channels:
        return None
    return Scope((organizer.pk,), channels, False)


# --- periods --------------------------------------------------------------------------


def day_start(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


@dataclass(frozen=True)
class Period:
    """[first, last] whole days of a zone."""

    first: date
    last: date
    zone: tzinfo

    @property
    def start(self) -> datetime:
        return day_start(self.first, self.zone)

    @property
    def end(self) -> datetime:
        return day_start(self.last + timedelta(days=1), self.zone)

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def period_of_last(days: int, zone: tzinfo, *, today: date | None = None) -> Period:
    today = today or timezone.localdate(timezone=zone)
    return Period(today - timedelta(days=days - 1), today, zone)


# --- the dashboard's totals -------------------------------------------------------------


@dataclass
class Totals:
    """One currency's figures over one period."""

    currency: str
    orders: int = 0
    tickets: int = 0
    gross: Decimal = ZERO
    service_fees: Decimal = ZERO
    refunds: Decimal = ZERO
    refunded_tickets: int = 0
    platform_fees: Decimal = ZERO  # taken from card payments (application fees)

    @property
    def net(self) -> Decimal:
        return self.gross - self.refunds - self.platform_fees


@dataclass
class CurrencyTotals:
    """One currency's Totals, one per period asked for, in that order."""

    currency: str
    periods: list[Totals]


def refund_amount() -> "ExpressionWrapper[CombinedExpression]":
    return ExpressionWrapper(F("price") + F("fee"), output_field=MONEY)


def refunded_tickets(scope: Scope) -> QuerySet[Ticket]:
    """Refunded tickets of paid orders (an order refunded before it was paid sold nothing)."""
    return scope.tickets().filter(status=Ticket.Status.REFUNDED, order__paid_at__isnull=False)


def sales_totals(scope: Scope, periods: Sequence[Period]) -> list[CurrencyTotals]:
    """Orders, tickets, gross, service fees, refunds, platform fees and net per currency and
    period: four aggregate queries, whatever the number of periods."""
    earliest = min(period.start for period in periods)
    latest = max(period.end for period in periods)

    def within(prefix: str, period: Period) -> Q:
        return Q(**{f"{prefix}__gte": period.start, f"{prefix}__lt": period.end})

    orders = (
        scope.orders()
        .filter(paid_at__gte=earliest, paid_at__lt=latest)
        .values("currency")
        .annotate(
            **{
                name: aggregate
                for n, period in enumerate(periods)
                for name, aggregate in (
                    (f"orders_{n}", Count("pk", filter=within("paid_at", period))),
                    (f"gross_{n}", Sum("total", filter=within("paid_at", period))),
                    (f"fees_{n}", Sum("fee_total", filter=within("paid_at", period))),
                )
            }
        )
    )
    tickets = (
        scope.tickets()
        .filter(order__paid_at__gte=earliest, order__paid_at__lt=latest)
        .values("order__currency")
        .annotate(
            **{f"tickets_{n}": Count("pk", filter=within("order__paid_at", p)) for n, p in enumerate(periods)}
        )
    )
    refunds = (
        refunded_tickets(scope)
        .filter(voided_at__gte=earliest, voided_at__lt=latest)
        .values("order__currency")
        .annotate(
            **{
                name: aggregate
                for n, period in enumerate(periods)
                for name, aggregate in (
                    (f"refunds_{n}", Sum(refund_amount(), filter=within("voided_at", period))),
                    (f"refunded_{n}", Count("pk", filter=within("voided_at", period))),
                )
            }
        )
    )
    fees = (
        card_payments_of(scope.orders().filter(paid_at__gte=earliest, paid_at__lt=latest))
        .values("currency")
        .annotate(
            **{
                f"platform_{n}": Sum(
                    "application_fee",
                    filter=Q(object_id__in=scope.orders().filter(within("paid_at", period)).values("pk")),
                )
                for n, period in enumerate(periods)
            }
        )
    )
    by_currency: dict[str, list[Totals]] = {}

    def totals(n: int, currency: str) -> Totals:
        row = by_currency.setdefault(currency, [Totals(currency=currency) for _period in periods])
        return row[n]

    for row in orders:
        for n in range(len(periods)):
            entry = totals(n, row["currency"])
            entry.orders = row[f"orders_{n}"]
            entry.gross = row[f"gross_{n}"] or ZERO
            entry.service_fees = row[f"fees_{n}"] or ZERO
    for row in tickets:
        for n in range(len(periods)):
            totals(n, row["order__currency"]).tickets = row[f"tickets_{n}"]
    for row in refunds:
        for n in range(len(periods)):
            entry = totals(n, row["order__currency"])
            entry.refunds = row[f"refunds_{n}"] or ZERO
            entry.refunded_tickets = row[f"refunded_{n}"]
    for row in fees:
        for n in range(len(periods)):
            totals(n, row["currency"]).platform_fees = row[f"platform_{n}"] or ZERO
    return [CurrencyTotals(currency, by_currency[currency]) for currency in sorted(by_currency)]


def card_payments_of(orders: QuerySet[Order]) -> QuerySet[Payment]:
    """The succeeded card payments that paid these orders (not those refunded as unusable)."""
    return Payment.objects.filter(
        purpose=Order.PAYMENT_PURPOSE,
        status=Payment.Status.SUCCEEDED,
        unapplied_reason="",
        object_id__in=orders.values("pk"),
    )


def fee_refunds_of(orders: QuerySet[Order], start: datetime, end: datetime) -> QuerySet[Refund]:
    """The refunds made in [start, end) of the card payments of these orders that gave back
    a share of the platform's application fee."""
    return Refund.objects.filter(
        payment__in=card_payments_of(orders),
        created_at__gte=start,
        created_at__lt=end,
        application_fee_refunded__gt=0,
    )


# --- sales per day and per channel --------------------------------------------------------


@dataclass
class DaySales:
    day: date
    orders: int = 0
    tickets: int = 0
    gross: dict[str, Decimal] = field(default_factory=dict)  # per currency


@dataclass
class ChannelSales:
    distribution_id: int
    name: str
    organizer: str
    kind: str
    orders: int = 0
    tickets: int = 0
    gross: dict[str, Decimal] = field(default_factory=dict)


@dataclass
class SalesSeries:
    days: list[DaySales]
    channels: list[ChannelSales]


def sales_by_day_and_channel(scope: Scope, period: Period) -> SalesSeries:
    """Every day of the period (empty days too) and every channel in scope that sold, with
    orders, tickets and gross: three queries."""
    paid = scope.orders().filter(paid_at__gte=period.start, paid_at__lt=period.end)
    day = TruncDate("paid_at", tzinfo=period.zone)
    order_rows = (
        paid.annotate(day=day)
        .values("day", "distribution_id", "currency")
        .annotate(orders=Count("pk"), gross=Sum("total"))
    )
    ticket_rows = (
        scope.tickets()
        .filter(order__paid_at__gte=period.start, order__paid_at__lt=period.end)
        .annotate(day=TruncDate("order__paid_at", tzinfo=period.zone))
        .values("day", "order__distribution_id")
        .annotate(tickets=Count("pk"))
    )
    days = {d: DaySales(d) for d in period.days()}
    channels: dict[int, ChannelSales] = {}
    distributions = Distribution.objects.filter(organizer_id__in=scope.organizer_ids).select_related(
        "organizer"
    )
    if scope.distribution_ids is not None:
        distributions = distributions.filter(pk__in=scope.distribution_ids)
    for distribution in distributions.order_by("organizer__name", "pk"):
        channels[distribution.pk] = ChannelSales(
            distribution.pk, distribution.name, distribution.organizer.name, distribution.kind
        )
    for row in order_rows:
        entry = days.get(row["day"])
        channel = channels.get(row["distribution_id"])
        for target in (entry, channel):
            if target is not None:
                target.orders += row["orders"]
                target.gross[row["currency"]] = target.gross.get(row["currency"], ZERO) + (
                    row["gross"] or ZERO
                )
    for row in ticket_rows:
        entry = days.get(row["day"])
        channel = channels.get(row["order__distribution_id"])
        for target in (entry, channel):
            if target is not None:
                target.tickets += row["tickets"]
    return SalesSeries(list(days.values()), list(channels.values()))


# --- dates: upcoming, today's check-ins -------------------------------------------------


@dataclass
class DateFigures:
    event_date: EventDate
    sold: int
    held: int
    capacity: int | None
    checked_in: int = 0

    @property
    def available(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.sold - self.held, 0)

    @property
    def sold_percent(self) -> int:
        return _percent(self.sold, self.capacity)

    @property
    def held_percent(self) -> int:
        return _percent(self.held, self.capacity)


def _percent(part: int, whole: int | None) -> int:
    if not whole:
        return 0
    return min(round(part * 100 / whole), 100)


def _dates_with_stock(dates: QuerySet[EventDate]) -> QuerySet[EventDate]:
    return dates.select_related("event__location", "event__organizer").annotate(
        sold_count=Coalesce(F("stock__sold"), Value(0)), held_count=Coalesce(F("stock__held"), Value(0))
    )


def _date_figures(event_date: EventDate) -> DateFigures:
    return DateFigures(
        event_date=event_date,
        sold=event_date.sold_count,  # type: ignore[attr-defined]  # annotated above
        held=event_date.held_count,  # type: ignore[attr-defined]
        capacity=event_date.effective_capacity,
    )


def upcoming_dates(scope: Scope, *, limit: int = 8, now: datetime | None = None) -> list[DateFigures]:
    """The next dates (not ended) of the events in scope that are not cancelled, with their
    stock counters: one query."""
    now = now or timezone.now()
    dates = EventDate.objects.filter(
        event__in=scope.events().exclude(status=Event.Status.CANCELLED), end__gte=now
    ).order_by("start", "pk")
    return [_date_figures(d) for d in _dates_with_stock(dates)[:limit]]


def check_ins_today(scope: Scope, zone: tzinfo, *, today: date | None = None) -> list[DateFigures]:
    """The dates taking place today (in `zone`) with how many tickets were admitted: one query."""
    today = today or timezone.localdate(timezone=zone)
    start = day_start(today, zone)
    end = start + timedelta(days=1)
    dates = (
        EventDate.objects.filter(event__in=scope.events(), start__lt=end, end__gt=start)
        .annotate(admitted=Count("check_ins", distinct=True))
        .order_by("start", "pk")
    )
    figures = []
    for event_date in _dates_with_stock(dates)[:50]:
        entry = _date_figures(event_date)
        entry.checked_in = event_date.admitted  # type: ignore[attr-defined]  # annotated above
        figures.append(entry)
    return figures


def latest_orders(scope: Scope, *, limit: int = 10) -> list[Order]:
    """The latest orders placed (carts still being filled left out): one query."""
    placed = scope.orders().exclude(status=Order.Status.PENDING, email="")
    return list(placed.select_related("distribution", "organizer").order_by("-created_at", "-pk")[:limit])


# --- before you sell ---------------------------------------------------------------------


@dataclass
class Checklist:
    """What a new organizer still has to do before it sells online."""

    organizer: Organizer
    payments_connected: bool
    has_location: bool
    has_published_event: bool
    online_shop_on: bool

    @property
    def done(self) -> bool:
        return (
            self.payments_connected and self.has_location and self.has_published_event and self.online_shop_on
        )


def online_payments_ready(organizer_ids: Iterable[int], schema_name: str) -> set[int]:
    """Those of the organizers whose Stripe account can take payments (public schema)."""
    with schema_context(get_public_schema_name()):
        return set(
            ConnectedAccount.objects.filter(
                schema_name=schema_name, organizer_id__in=list(organizer_ids), charges_enabled=True
            ).values_list("organizer_id", flat=True)
        )


def online_sales_open(organizer: Organizer, event: Event | None = None) -> bool:
    """Whether buyers may buy online: the organizer's payments are connected, or (an event
    given) the event sells only free tickets, which need no payment. Until then the
    storefront says online sales open soon (and the dashboard tells the organizer why)."""
    schema_name: str = connection.schema_name  # type: ignore[attr-defined]  # django-tenants' wrapper
    if organizer.pk in online_payments_ready([organizer.pk], schema_name):
        return True
    return event is not None and not TicketType.objects.filter(event=event, price__gt=0).exists()


def setup_checklists(organizers: Sequence[Organizer], schema_name: str) -> list[Checklist]:
    """Each organizer's checklist: two queries for all of them."""
    now = timezone.now()
    published = Event.objects.filter(organizer_id=OuterRef("pk"), status=Event.Status.PUBLISHED)
    flags = Organizer.objects.filter(pk__in=[o.pk for o in organizers]).annotate(
        has_location=Exists(Location.objects.filter(organizer_id=OuterRef("pk"))),
        has_published=Exists(published),
        shop_on=Exists(
            published.filter(distributions__kind=Distribution.Kind.ONLINE_SHOP, dates__end__gte=now)
        ),
    )
    by_pk = {row.pk: row for row in flags}
    ready = online_payments_ready([o.pk for o in organizers], schema_name)
    return [
        Checklist(
            organizer=organizer,
            payments_connected=organizer.pk in ready,
            has_location=by_pk[organizer.pk].has_location,
            has_published_event=by_pk[organizer.pk].has_published,
            online_shop_on=by_pk[organizer.pk].shop_on,
        )
        for organizer in organizers
        if organizer.pk in by_pk
    ]


# --- an event's figures -------------------------------------------------------------------


@dataclass
class TicketTypeFigures:
    """`sold`, `refunded`, `revenue`: the scope's paid tickets; `held`, `counted` (sold in
    every channel) and `available`: the type's stock counters."""

    ticket_type: TicketType
    sold: int
    held: int
    counted: int
    refunded: int
    revenue: Decimal
    service_fees: Decimal

    @property
    def available(self) -> int | None:
        limit = self.ticket_type.limit
        return None if limit is None else max(limit - self.counted - self.held, 0)


@dataclass
class EventFigures:
    dates: list[DateFigures]
    ticket_types: list[TicketTypeFigures]
    currency: str

    @property
    def revenue(self) -> Decimal:
        return sum((t.revenue for t in self.ticket_types), ZERO)


def event_figures(event: Event, scope: Scope) -> EventFigures:
    """Sold / held / available per date (the stock counters, shared by every channel) and per
    ticket type, and the revenue per ticket type of the tickets still valid in the scope's
    paid orders: three queries."""
    dates = [_date_figures(d) for d in _dates_with_stock(event.dates.order_by("start", "pk"))]
    types = (
        TicketType.objects.filter(event=event)
        .select_related("event_date")
        .annotate(
            held_count=Coalesce(F("stock__held"), Value(0)),
            stock_sold=Coalesce(F("stock__sold"), Value(0)),
        )
        .order_by("event_date__start", "name", "pk")
    )
    rows = (
        scope.tickets()
        .filter(ticket_type__event=event, order__paid_at__isnull=False)
        .values("ticket_type_id")
        .annotate(
            sold=Count("pk", filter=Q(status=Ticket.Status.VALID)),
            refunded=Count("pk", filter=Q(status=Ticket.Status.REFUNDED)),
            revenue=Sum("price", filter=Q(status=Ticket.Status.VALID)),
            fees=Sum("fee", filter=Q(status=Ticket.Status.VALID)),
        )
    )
    by_type = {row["ticket_type_id"]: row for row in rows}
    figures = []
    for ticket_type in types:
        row = by_type.get(ticket_type.pk, {})
        figures.append(
            TicketTypeFigures(
                ticket_type=ticket_type,
                sold=row.get("sold", 0),
                held=ticket_type.held_count,
                counted=ticket_type.stock_sold,
                refunded=row.get("refunded", 0),
                revenue=row.get("revenue") or ZERO,
                service_fees=row.get("fees") or ZERO,
            )
        )
    return EventFigures(dates, figures, event.organizer.currency)
