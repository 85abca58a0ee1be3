"""An organizer's books for a period: the report (sales by day, ticket type and channel, with
the payments and the platform's fees beside them) and the ledger (every reservation,
payment, service fee, platform fee and refund in date order, with running totals).

They follow the rules of apps.sales.selectors.figures and reconcile three ways:

- the orders: gross is the sum of the totals of the orders paid in the period (their add-ons
  in them), refunds the price and fee of the tickets refunded in it and the price of the
  add-ons refunded with them (apps.sales.selectors.addon_figures);
- the money: card payments received (Stripe's amounts) plus what was paid at the counter,
  minus the refunds given (Stripe refunds and counter refunds), equals gross minus refunds;
- the platform: what it bills on the period's sales (transaction fees, asked through
  apps.core.hooks.sale_application_fee, the same rule billing's invoice applies: the fixed
  fee per ticket still valid and the percent of their price, less a credit for tickets of
  earlier periods refunded in this one), of which it already took the application fees of
  the card payments; the invoice charges the rest.

The ledger's closing running totals are the report's totals.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import cast

from django.db import connection
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from apps.core import hooks
from apps.core.hooks import FeeableSale
from apps.core.money import quantize
from apps.payments.models import Payment, Refund
from apps.sales.models import Order, Ticket
from apps.sales.selectors.addon_figures import add_on_lines, add_ons_refunded_in
from apps.sales.selectors.fee_basis import fee_basis
from apps.sales.selectors.figures import (
    ZERO,
    Period,
    Scope,
    card_payments_of,
    fee_refunds_of,
    refund_amount,
    refunded_tickets,
)


@dataclass
class ReportRow:
    """One line of the report (a day, a ticket type, a channel or the total)."""

    key: object  # the day, or the ticket type's / channel's id
    label: str
    orders: int = 0
    tickets: int = 0
    revenue: Decimal = ZERO  # ticket prices
    service_fees: Decimal = ZERO  # paid by buyers on top
    taxes: Decimal = ZERO  # the tax in the ticket prices, as sold
    refunded_tickets: int = 0
    refunds: Decimal = ZERO

    @property
    def gross(self) -> Decimal:
        return self.revenue + self.service_fees

    @property
    def net(self) -> Decimal:
        return self.gross - self.refunds


@dataclass
class Payments:
    """The money side of the period."""

    card_received: Decimal = ZERO
    counter_received: Decimal = ZERO
    card_refunded: Decimal = ZERO
    counter_refunded: Decimal = ZERO

    @property
    def received(self) -> Decimal:
        return self.card_received + self.counter_received

    @property
    def refunded(self) -> Decimal:
        return self.card_refunded + self.counter_refunded

    @property
    def net(self) -> Decimal:
        return self.received - self.refunded


@dataclass
class PlatformFees:
    """What the platform bills for the period's sales, and how much of it it took already."""

    tickets: int  # paid tickets still valid, with a price
    revenue: Decimal
    on_sales: Decimal  # its transaction fees on them
    refunded_earlier_tickets: int
    credit: Decimal  # given back for tickets of earlier periods refunded in this one
    collected: Decimal  # application fees of the card payments

    @property
    def billed(self) -> Decimal:
        return self.on_sales - self.credit

    @property
    def to_invoice(self) -> Decimal:
        return self.billed - self.collected


@dataclass
class Report:
    period: Period
    currency: str
    days: list[ReportRow]
    ticket_types: list[ReportRow]
    channels: list[ReportRow]
    total: ReportRow
    payments: Payments
    platform: PlatformFees | None  # for the organizer's configurers, not per channel

    @property
    def platform_collected(self) -> Decimal:
        return self.platform.collected if self.platform else ZERO

    @property
    def net(self) -> Decimal:
        """Gross minus refunds minus the platform fees taken from card payments."""
        return self.total.net - self.platform_collected

    @property
    def reconciled(self) -> bool:
        return self.payments.net == self.total.net


def _paid(scope: Scope, period: Period) -> QuerySet[Order]:
    return scope.orders().filter(paid_at__gte=period.start, paid_at__lt=period.end)


def _sold_tickets(scope: Scope, period: Period) -> QuerySet[Ticket]:
    return scope.tickets().filter(order__paid_at__gte=period.start, order__paid_at__lt=period.end)


def _refunds_in(scope: Scope, period: Period) -> QuerySet[Ticket]:
    return refunded_tickets(scope).filter(voided_at__gte=period.start, voided_at__lt=period.end)


def _fill(rows: dict[object, ReportRow], key: object, label: str) -> ReportRow:
    return rows.setdefault(key, ReportRow(key, label))


def sales_report(scope: Scope, period: Period, currency: str) -> Report:
    """The report of one organizer's scope (one currency) over the period: sixteen aggregate
    queries, whatever the number of orders, plus the platform's answer (full scopes only)."""
    zone = period.zone
    days: dict[object, ReportRow] = {d: ReportRow(d, d.isoformat()) for d in period.days()}
    for row in (
        _paid(scope, period)
        .annotate(day=TruncDate("paid_at", tzinfo=zone))
        .values("day")
        .annotate(orders=Count("pk"), revenue=Sum("subtotal"), fees=Sum("fee_total"), taxes=Sum("tax_total"))
    ):
        entry = _fill(days, row["day"], row["day"].isoformat())
        entry.orders, entry.revenue, entry.service_fees = row["orders"], row["revenue"], row["fees"]
        entry.taxes = row["taxes"]
    for row in (
        _sold_tickets(scope, period)
        .annotate(day=TruncDate("order__paid_at", tzinfo=zone))
        .values("day")
        .annotate(tickets=Count("pk"))
    ):
        _fill(days, row["day"], row["day"].isoformat()).tickets = row["tickets"]
    for row in (
        _refunds_in(scope, period)
        .annotate(day=TruncDate("voided_at", tzinfo=zone))
        .values("day")
        .annotate(count=Count("pk"), amount=Sum(refund_amount()))
    ):
        entry = _fill(days, row["day"], row["day"].isoformat())
        entry.refunded_tickets, entry.refunds = row["count"], row["amount"]

    types: dict[object, ReportRow] = {}
    for row in (
        _sold_tickets(scope, period)
        .values("ticket_type_id", "ticket_type__name", "ticket_type__event__name")
        .annotate(
            orders=Count("order", distinct=True),
            tickets=Count("pk"),
            revenue=Sum("price"),
            fees=Sum("fee"),
            taxes=Sum("tax"),
        )
        .order_by("ticket_type__event__name", "ticket_type__name", "ticket_type_id")
    ):
        entry = _fill(
            types, row["ticket_type_id"], f"{row['ticket_type__event__name']} – {row['ticket_type__name']}"
        )
        entry.orders, entry.tickets = row["orders"], row["tickets"]
        entry.revenue, entry.service_fees, entry.taxes = row["revenue"], row["fees"], row["taxes"]
    for row in (
        _refunds_in(scope, period)
        .values("ticket_type_id", "ticket_type__name", "ticket_type__event__name")
        .annotate(count=Count("pk"), amount=Sum(refund_amount()))
    ):
        entry = _fill(
            types, row["ticket_type_id"], f"{row['ticket_type__event__name']} – {row['ticket_type__name']}"
        )
        entry.refunded_tickets, entry.refunds = row["count"], row["amount"]

    channels: dict[object, ReportRow] = {}
    for row in (
        _paid(scope, period)
        .values("distribution_id", "distribution__name")
        .annotate(orders=Count("pk"), revenue=Sum("subtotal"), fees=Sum("fee_total"), taxes=Sum("tax_total"))
        .order_by("distribution_id")
    ):
        entry = _fill(channels, row["distribution_id"], row["distribution__name"])
        entry.orders, entry.revenue, entry.service_fees = row["orders"], row["revenue"], row["fees"]
        entry.taxes = row["taxes"]
    for row in (
        _sold_tickets(scope, period)
        .values("order__distribution_id", "order__distribution__name")
        .annotate(tickets=Count("pk"))
    ):
        _fill(channels, row["order__distribution_id"], row["order__distribution__name"]).tickets = row[
            "tickets"
        ]
    for row in (
        _refunds_in(scope, period)
        .values("order__distribution_id", "order__distribution__name")
        .annotate(count=Count("pk"), amount=Sum(refund_amount()))
    ):
        entry = _fill(channels, row["order__distribution_id"], row["order__distribution__name"])
        entry.refunded_tickets, entry.refunds = row["count"], row["amount"]

    _add_ons_into(scope, period, days, types, channels)
    total = ReportRow("total", "")
    for entry in days.values():
        total.orders += entry.orders
        total.tickets += entry.tickets
        total.revenue += entry.revenue
        total.service_fees += entry.service_fees
        total.taxes += entry.taxes
        total.refunded_tickets += entry.refunded_tickets
        total.refunds += entry.refunds
    return Report(
        period=period,
        currency=currency,
        days=sorted(days.values(), key=lambda r: str(r.key)),
        ticket_types=list(types.values()),
        channels=sorted(channels.values(), key=lambda r: str(r.label)),
        total=total,
        payments=_payments(scope, period),
        platform=_platform_fees(scope, period, currency) if scope.full else None,
    )


def _add_ons_into(
    scope: Scope,
    period: Period,
    days: dict[object, ReportRow],
    types: dict[object, ReportRow],
    channels: dict[object, ReportRow],
) -> None:
    """The add-ons in the report (apps.sales.selectors.addon_figures): a row each after the
    ticket types, and their refunds of the period on its days and channels (whose revenue, the
    orders' subtotals, holds them already). Four queries."""
    sold = add_on_lines(scope).filter(order__paid_at__gte=period.start, order__paid_at__lt=period.end)
    for row in (
        sold.values("add_on_id", "add_on__name")
        .annotate(orders=Count("order", distinct=True), revenue=Sum("price"), taxes=Sum("tax"))
        .order_by("add_on__name", "add_on_id")
    ):
        entry = _fill(
            types, ("add_on", row["add_on_id"]), _("Add-on – %(name)s") % {"name": row["add_on__name"]}
        )
        entry.orders, entry.revenue, entry.taxes = row["orders"], row["revenue"], row["taxes"]
    refunds = add_ons_refunded_in(scope, period.start, period.end)
    for row in (
        refunds.annotate(day=TruncDate("voided_at", tzinfo=period.zone))
        .values("day")
        .annotate(amount=Sum("price"))
    ):
        _fill(days, row["day"], row["day"].isoformat()).refunds += row["amount"]
    for row in refunds.values("add_on_id", "add_on__name").annotate(amount=Sum("price")):
        label = _("Add-on – %(name)s") % {"name": row["add_on__name"]}
        _fill(types, ("add_on", row["add_on_id"]), label).refunds += row["amount"]
    for row in refunds.values("order__distribution_id", "order__distribution__name").annotate(
        amount=Sum("price")
    ):
        _fill(channels, row["order__distribution_id"], row["order__distribution__name"]).refunds += row[
            "amount"
        ]


def _payments(scope: Scope, period: Period) -> Payments:
    """Card payments Stripe took in the period (those it gave back as unusable too, which
    their refunds cancel out), counter payments, and the refunds of both."""
    orders = scope.orders()
    card = Payment.objects.filter(
        purpose=Order.PAYMENT_PURPOSE,
        status=Payment.Status.SUCCEEDED,
        succeeded_at__gte=period.start,
        succeeded_at__lt=period.end,
        object_id__in=orders.values("pk"),
    ).aggregate(total=Sum("amount_received"))
    card_refunds = Refund.objects.filter(
        payment__purpose=Order.PAYMENT_PURPOSE,
        payment__object_id__in=orders.values("pk"),
        created_at__gte=period.start,
        created_at__lt=period.end,
    ).aggregate(total=Sum("amount"))
    counter = (
        _paid(scope, period).filter(payment_method__in=Order.COUNTER_METHODS).aggregate(total=Sum("total"))
    )
    counter_refunds = (
        _refunds_in(scope, period)
        .filter(order__payment_method__in=Order.COUNTER_METHODS)
        .aggregate(total=Sum(refund_amount()))
    )
    counter_add_on_refunds = (
        add_ons_refunded_in(scope, period.start, period.end)
        .filter(order__payment_method__in=Order.COUNTER_METHODS)
        .aggregate(total=Sum("price"))
    )
    return Payments(
        card_received=card["total"] or ZERO,
        counter_received=counter["total"] or ZERO,
        card_refunded=card_refunds["total"] or ZERO,
        counter_refunded=(counter_refunds["total"] or ZERO) + (counter_add_on_refunds["total"] or ZERO),
    )


def _platform_fees(scope: Scope, period: Period, currency: str) -> PlatformFees:
    schema_name: str = connection.schema_name  # type: ignore[attr-defined]  # django-tenants' wrapper
    organizer_id = scope.organizer_ids[0]
    basis = fee_basis(organizer_id, period.start, period.end)

    def fee(count: int, revenue: Decimal) -> Decimal:
        if not count:
            return ZERO
        sale = FeeableSale(
            schema_name=schema_name,
            organizer_id=organizer_id,
            currency=currency,
            paid_tickets=count,
            subtotal=revenue,
        )
        return quantize(hooks.sale_application_fee(sale), currency)

    return PlatformFees(
        tickets=basis.tickets,
        revenue=basis.revenue,
        on_sales=fee(basis.tickets, basis.revenue),
        refunded_earlier_tickets=basis.refunded_earlier_tickets,
        credit=fee(basis.refunded_earlier_tickets, basis.refunded_earlier_revenue),
        collected=basis.collected,
    )


# --- the ledger ------------------------------------------------------------------------------


class Kind:
    RESERVATION = "reservation"
    PAYMENT = "payment"
    SERVICE_FEE = "service_fee"
    PLATFORM_FEE = "platform_fee"
    REFUND = "refund"


_KIND_ORDER = [Kind.RESERVATION, Kind.PAYMENT, Kind.SERVICE_FEE, Kind.PLATFORM_FEE, Kind.REFUND]


@dataclass
class Running:
    reserved: Decimal = ZERO
    payments: Decimal = ZERO
    service_fees: Decimal = ZERO
    platform_fees: Decimal = ZERO
    refunds: Decimal = ZERO

    @property
    def balance(self) -> Decimal:
        """What the organizer keeps: payments, less refunds and the platform's fees taken."""
        return self.payments - self.refunds - self.platform_fees


@dataclass
class Entry:
    when: datetime
    kind: str
    order_code: str
    method: str
    amount: Decimal
    tickets: int
    running: Running = field(default_factory=Running)


@dataclass
class Ledger:
    period: Period
    currency: str
    entries: list[Entry]

    @property
    def closing(self) -> Running:
        return self.entries[-1].running if self.entries else Running()


def ledger(scope: Scope, period: Period, currency: str) -> Ledger:
    """The period's entries in date order, each with the running totals after it: six
    queries (orders placed, orders paid, refunds of tickets and of add-ons grouped per order and
    moment, card payments' platform fees, the fee's shares given back with refunds), and a
    seventh for the codes of the orders of those refunds when there are any."""
    entries: list[Entry] = []
    placed = (
        scope.orders()
        .filter(created_at__gte=period.start, created_at__lt=period.end)
        .exclude(status=Order.Status.PENDING, email="")
        .annotate(tickets_count=Count("tickets"))
        .values_list("created_at", "code", "payment_method", "total", "tickets_count")
    )
    for when, code, method, total, count in placed:
        entries.append(Entry(when, Kind.RESERVATION, code, method, total, count))
    for paid_on, code, method, total, fees, count in (
        _paid(scope, period)
        .annotate(tickets_count=Count("tickets"))
        .values_list("paid_at", "code", "payment_method", "total", "fee_total", "tickets_count")
    ):
        paid_at = cast(datetime, paid_on)  # filtered on it
        entries.append(Entry(paid_at, Kind.PAYMENT, code, method, total, count))
        if fees:
            entries.append(Entry(paid_at, Kind.SERVICE_FEE, code, method, fees, count))
    for voided_at, code, method, amount, count in (
        _refunds_in(scope, period)
        .values("voided_at", "order__code", "order__payment_method")
        .annotate(amount=Sum(refund_amount()), count=Count("pk"))
        .values_list("voided_at", "order__code", "order__payment_method", "amount", "count")
    ):
        entries.append(
            Entry(cast(datetime, voided_at), Kind.REFUND, code, method, amount, count)  # filtered on it
        )
    for voided_at, code, method, amount in (
        add_ons_refunded_in(scope, period.start, period.end)
        .values("voided_at", "order__code", "order__payment_method")
        .annotate(amount=Sum("price"))
        .values_list("voided_at", "order__code", "order__payment_method", "amount")
    ):  # the add-ons refunded with tickets (or the order's last): a refund entry of their own
        entries.append(Entry(cast(datetime, voided_at), Kind.REFUND, code, method, amount, 0))
    paid = _paid(scope, period)
    codes = dict(paid.values_list("pk", "code"))
    for object_id, fee, succeeded_at in (
        card_payments_of(paid)
        .filter(application_fee__gt=0)
        .values_list("object_id", "application_fee", "succeeded_at")
    ):
        entries.append(
            Entry(
                cast(datetime, succeeded_at),  # a succeeded payment has its time
                Kind.PLATFORM_FEE,
                codes.get(object_id, ""),
                Order.PaymentMethod.STRIPE,
                fee,
                0,
            )
        )
    # The fee's share Stripe gave back with a refund, as a negative platform fee.
    fee_refunds = list(
        fee_refunds_of(scope.orders(), period.start, period.end).values_list(
            "created_at", "payment__object_id", "application_fee_refunded"
        )
    )
    if fee_refunds:
        codes |= dict(
            Order.objects.filter(pk__in={pk for _at, pk, _fee in fee_refunds}).values_list("pk", "code")
        )
    for refunded_at, order_id, given_back in fee_refunds:
        entries.append(
            Entry(
                refunded_at,
                Kind.PLATFORM_FEE,
                codes.get(order_id, ""),
                Order.PaymentMethod.STRIPE,
                -given_back,
                0,
            )
        )
    entries.sort(key=lambda e: (e.when, e.order_code, _KIND_ORDER.index(e.kind)))
    running = Running()
    for entry in entries:
        running = _after(running, entry)
        entry.running = running
    return Ledger(period, currency, entries)


def _after(running: Running, entry: Entry) -> Running:
    amount = entry.amount
    return Running(
        reserved=running.reserved + (amount if entry.kind == Kind.RESERVATION else ZERO),
        payments=running.payments + (amount if entry.kind == Kind.PAYMENT else ZERO),
        service_fees=running.service_fees + (amount if entry.kind == Kind.SERVICE_FEE else ZERO),
        platform_fees=running.platform_fees + (amount if entry.kind == Kind.PLATFORM_FEE else ZERO),
        refunds=running.refunds + (amount if entry.kind == Kind.REFUND else ZERO),
    )


def report_rows(
    report: Report,
) -> Iterator[tuple[str, str, int, int, Decimal, Decimal, Decimal, int, Decimal, Decimal]]:
    """The report as one table: (section, label, orders, tickets, revenue, service fees,
    gross, refunded tickets, refunds, net) per day, ticket type, channel, then the total."""
    for section, rows in (
        ("day", report.days),
        ("ticket_type", report.ticket_types),
        ("channel", report.channels),
    ):
        for row in rows:
            yield _cells(section, row)
    yield _cells("total", report.total)


def _cells(
    section: str, row: ReportRow
) -> tuple[str, str, int, int, Decimal, Decimal, Decimal, int, Decimal, Decimal]:
    return (
        section,
        row.label,
        row.orders,
        row.tickets,
        row.revenue,
        row.service_fees,
        row.gross,
        row.refunded_tickets,
        row.refunds,
        row.net,
    )
