"""Reads of vouchers and access codes: finding a code, what it covers and the price it
gives, the uses a buyer has made of it, and the control panel's list with uses and revenue
(who sees which is apps.operators.permissions')."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, DecimalField, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from apps.core.money import format_money, quantize
from apps.events.models import TicketType
from apps.operators.permissions import Someone, organizers_configurable_by
from apps.organizers.models import Organizer
from apps.sales.models import Order, Ticket, Voucher
from apps.sales.selectors.buyer_limits import buyer_tickets
from apps.sales.selectors.figures import Period, Scope
from apps.sales.selectors.taxes import rate_text

CODE_MAX_LENGTH = 64


def normalized_code(code: str) -> str:
    """A code as typed, spaces around it aside (case is ignored by the lookups)."""
    return code.strip()


def voucher_by_code(organizer: Organizer | int, code: str) -> Voucher | None:
    """The organizer's voucher of this code (case aside), with what it covers, or None."""
    code = normalized_code(code)
    if not code or len(code) > CODE_MAX_LENGTH or "\x00" in code:  # (PostgreSQL refuses NUL)
        return None
    organizer_id = organizer if isinstance(organizer, int) else organizer.pk
    return (
        Voucher.objects.filter(organizer_id=organizer_id, code__iexact=code)
        .select_related("organizer")
        .prefetch_related("ticket_types", "event_dates")
        .first()
    )


def voucher_problem(voucher: Voucher, now: datetime) -> str | None:
    """Why the voucher cannot be used now (not yet, no longer, used up), or None."""
    if voucher.valid_from is not None and now < voucher.valid_from:
        return _("The code %(code)s is not valid yet.") % {"code": voucher.code}
    if voucher.valid_until is not None and now >= voucher.valid_until:
        return _("The code %(code)s has expired.") % {"code": voucher.code}
    if voucher.max_uses is not None and voucher.used >= voucher.max_uses:
        return _("The code %(code)s has been used up.") % {"code": voucher.code}
    return None


def voucher_covers(voucher: Voucher, ticket_type: TicketType) -> bool:
    """The ticket type is in the voucher's scope: its organizer's, of its event, among its
    ticket types, on one of its dates (dates chosen: passes are not covered)."""
    event = ticket_type.event
    if event.organizer_id != voucher.organizer_id:
        return False
    if voucher.event_id is not None and event.pk != voucher.event_id:
        return False
    type_ids = {t.pk for t in voucher.ticket_types.all()}
    if type_ids and ticket_type.pk not in type_ids:
        return False
    date_ids = {d.pk for d in voucher.event_dates.all()}
    return not date_ids or ticket_type.event_date_id in date_ids


def voucher_applies(voucher: Voucher, ticket_type: TicketType) -> bool:
    """The voucher is used by a ticket of this type: it covers it and either changes its
    price or shows it (a hidden type, an access code). An access code with no discount is
    not spent on the public ticket types bought beside the hidden one."""
    if not voucher_covers(voucher, ticket_type):
        return False
    return voucher.price_mode != Voucher.PriceMode.NONE or (ticket_type.hidden and voucher.unlocks_hidden)


def unlocks(voucher: Voucher | None, ticket_type: TicketType) -> bool:
    """A hidden ticket type may be bought with this voucher."""
    return voucher is not None and voucher.unlocks_hidden and voucher_covers(voucher, ticket_type)


def voucher_listed_price(voucher: Voucher, price: Decimal, currency: str) -> Decimal:
    """The listed price of a ticket with the voucher (before tax is added to it, as the
    ticket type's own price): never below zero, never above the price without it."""
    mode = voucher.price_mode
    if mode == Voucher.PriceMode.SUBTRACT:
        discounted = price - voucher.value
    elif mode == Voucher.PriceMode.PERCENT:
        discounted = price * (100 - voucher.value) / 100
    elif mode == Voucher.PriceMode.SET:
        discounted = voucher.value
    else:
        discounted = price
    return quantize(min(max(discounted, Decimal(0)), price), currency)


def voucher_discount_text(voucher: Voucher, currency: str) -> str:
    """What the voucher gives, as the buyer and the list read it: "5.00 € off", "10 % off"."""
    mode = voucher.price_mode
    if mode == Voucher.PriceMode.SUBTRACT:
        return _("%(amount)s off") % {"amount": format_money(voucher.value, currency, style="symbol")}
    if mode == Voucher.PriceMode.PERCENT:
        return _("%(percent)s %% off") % {"percent": rate_text(voucher.value)}
    if mode == Voucher.PriceMode.SET:
        return _("price %(amount)s") % {"amount": format_money(voucher.value, currency, style="symbol")}
    return _("no discount")


def buyer_voucher_uses(
    *,
    voucher_id: int,
    customer_id: int | None,
    email: str,
    now: datetime,
    excluding_order_id: int | None = None,
) -> int:
    """The tickets with this voucher the buyer has (buyer_tickets: paid or still holding)."""
    tickets = buyer_tickets(
        customer_id=customer_id, email=email, now=now, excluding_order_id=excluding_order_id
    )
    return 0 if tickets is None else tickets.filter(voucher_id=voucher_id).count()


def vouchers_visible_to(user: Someone) -> QuerySet[Voucher]:
    """The vouchers of the organizers one configures, newest first."""
    return Voucher.objects.filter(organizer__in=organizers_configurable_by(user)).select_related(
        "organizer", "event"
    )


def with_figures(vouchers: QuerySet[Voucher]) -> QuerySet[Voucher]:
    """Each voucher with `paid_uses` (valid tickets of paid orders sold with it) and
    `revenue` (what those tickets were paid, tax included, fees aside): one subquery each."""
    paid = Ticket.objects.filter(
        voucher=OuterRef("pk"), status=Ticket.Status.VALID, order__status=Order.Status.PAID
    ).order_by()
    count = paid.values("voucher").annotate(n=Count("pk")).values("n")
    revenue = paid.values("voucher").annotate(total=Sum("price")).values("total")
    return vouchers.annotate(
        paid_uses=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)),
        revenue=Coalesce(
            Subquery(revenue, output_field=DecimalField(max_digits=14, decimal_places=3)),
            Value(Decimal(0)),
            output_field=DecimalField(max_digits=14, decimal_places=3),
        ),
    )


@dataclass(frozen=True)
class VoucherSales:
    """What one code sold in a period: the tickets of orders paid then (refunded ones too, as
    the report's other sections count them), the discount they were given, their revenue."""

    code: str
    tickets: int
    discount: Decimal
    revenue: Decimal


def voucher_sales(scope: Scope, period: Period) -> list[VoucherSales]:
    """The report's codes: per voucher used by the scope's orders paid in the period (one query)."""
    rows = (
        scope.tickets()
        .filter(order__paid_at__gte=period.start, order__paid_at__lt=period.end, voucher__isnull=False)
        .values("voucher_id", "voucher__code")
        .annotate(tickets=Count("pk"), discount=Sum("discount"), revenue=Sum("price"))
        .order_by("voucher__code", "voucher_id")
    )
    return [
        VoucherSales(
            code=row["voucher__code"],
            tickets=row["tickets"],
            discount=row["discount"],
            revenue=row["revenue"],
        )
        for row in rows
    ]
