"""Reads of add-ons: those one may manage (with their stock held and sold), those a cart or a
counter sale may offer, and an order's add-on lines."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import CharField, Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Cast, Concat

from apps.events.models import Event, TicketType
from apps.operators.permissions import Someone, organizers_configurable_by
from apps.organizers.models import Organizer
from apps.sales.models import AddOn, Order, OrderAddOn, TaxRule, Ticket


def add_ons_visible_to(user: Someone) -> QuerySet[AddOn]:
    """The add-ons of the organizers one configures, with their event, tax, ticket types and
    stock counter."""
    return (
        AddOn.objects.filter(organizer__in=organizers_configurable_by(user))
        .select_related("organizer", "event", "tax_rule", "counter")
        .prefetch_related("ticket_types")
        .order_by("organizer__name", "organizer_id", "name", "pk")
    )


def events_for_add_ons(user: Someone) -> QuerySet[Event]:
    return (
        Event.objects.filter(organizer__in=organizers_configurable_by(user))
        .select_related("organizer")
        .order_by("organizer__name", "name", "pk")
    )


def ticket_types_for_add_ons(user: Someone) -> QuerySet[TicketType]:
    return (
        TicketType.objects.filter(event__organizer__in=organizers_configurable_by(user))
        .select_related("event__organizer")
        .order_by("event__organizer__name", "event__name", "event_id", "price", "name", "pk")
    )


def tax_rules_for_add_ons(user: Someone) -> QuerySet[TaxRule]:
    return (
        TaxRule.objects.filter(organizer__in=organizers_configurable_by(user))
        .select_related("organizer")
        .order_by("organizer__name", "name", "pk")
    )


def _on_sale(organizer_id: int, event_ids: Iterable[int]) -> QuerySet[AddOn]:
    return (
        AddOn.objects.filter(organizer_id=organizer_id, on_sale=True)
        .filter(Q(event__isnull=True) | Q(event_id__in=list(event_ids)))
        .select_related("tax_rule", "counter")
        .prefetch_related(Prefetch("ticket_types", queryset=TicketType.objects.only("pk")))
        .order_by("name", "pk")
    )


def add_on_left(add_on: AddOn) -> int | None:
    """Units still to sell (None: no limit), as the counter stands now (never decides: the
    conditional UPDATE of apps.sales.addon_stock does)."""
    if add_on.stock is None:
        return None
    counter = getattr(add_on, "counter", None)
    used = (counter.held + counter.sold) if counter is not None else 0
    return max(0, add_on.stock - used)


@dataclass
class TicketOffer:
    """A ticket of a cart with the add-ons offered with it."""

    ticket: Ticket
    add_ons: list[AddOn]


@dataclass
class CartOffers:
    per_ticket: list[TicketOffer]
    per_order: list[AddOn]

    def __bool__(self) -> bool:
        return bool(self.per_order or any(offer.add_ons for offer in self.per_ticket))


def offered_with(add_on: AddOn, ticket_type: TicketType) -> bool:
    if add_on.event_id is not None and add_on.event_id != ticket_type.event_id:
        return False
    allowed = {t.pk for t in add_on.ticket_types.all()}
    return not allowed or ticket_type.pk in allowed


def offers_for(organizer: Organizer, tickets: Sequence[Ticket]) -> CartOffers:
    """What a cart (or a counter sale) of these tickets may add: per ticket, the add-ons
    offered with its type; per order, those of its events (or of every event)."""
    add_ons = list(_on_sale(organizer.pk, {t.ticket_type.event_id for t in tickets}))
    per_ticket = [a for a in add_ons if a.per == AddOn.Per.TICKET]
    return CartOffers(
        per_ticket=[
            TicketOffer(ticket, [a for a in per_ticket if offered_with(a, ticket.ticket_type)])
            for ticket in tickets
        ],
        per_order=[a for a in add_ons if a.per == AddOn.Per.ORDER],
    )


def add_ons_for_ticket_types(organizer: Organizer, ticket_types: Sequence[TicketType]) -> list[AddOn]:
    """The add-ons on sale with any of these ticket types (per ticket) or their events."""
    add_ons = list(_on_sale(organizer.pk, {t.event_id for t in ticket_types}))
    return [
        a
        for a in add_ons
        if a.per == AddOn.Per.ORDER or any(offered_with(a, ticket_type) for ticket_type in ticket_types)
    ]


def with_ticket_position(lines: QuerySet[OrderAddOn]) -> QuerySet[OrderAddOn]:
    """Each line with `ticket_position`: its ticket's number in its order (1 = the order's first
    ticket), as the order pages number tickets and their answers; None for the order's own."""
    earlier = (
        Ticket.objects.filter(order_id=OuterRef("order_id"), pk__lte=OuterRef("ticket_id"))
        .order_by()
        .values("order_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return lines.select_related("ticket__ticket_type").annotate(ticket_position=Subquery(earlier))


def add_on_lines_of(order: Order) -> list[OrderAddOn]:
    """The order's add-on lines (void ones too), in the order they were added."""
    return list(with_ticket_position(OrderAddOn.objects.filter(order=order)).order_by("pk"))


def add_on_lines_by_ticket(lines: Iterable[OrderAddOn]) -> dict[int | None, list[OrderAddOn]]:
    """{ticket id (None: the order's own): its lines}."""
    grouped: dict[int | None, list[OrderAddOn]] = {}
    for line in lines:
        grouped.setdefault(line.ticket_id, []).append(line)
    return grouped


def add_ons_total(lines: Iterable[OrderAddOn]) -> Decimal:
    return sum((line.price for line in lines if line.status == OrderAddOn.Status.VALID), Decimal(0))


def add_ons_refunded_with(order: Order, chosen: Sequence[Ticket], valid: Sequence[Ticket]) -> Decimal:
    """What refunding the `chosen` of the order's `valid` tickets gives back for add-ons: those
    of the chosen tickets, and the order's own once no ticket is left (as order_refund does)."""
    lines = OrderAddOn.objects.filter(order=order, status=OrderAddOn.Status.VALID)
    if {t.pk for t in chosen} != {t.pk for t in valid}:
        lines = lines.filter(ticket_id__in=[t.pk for t in chosen])
    return sum((line.price for line in lines), Decimal(0))


def add_ons_in_orders() -> tuple[Subquery, Subquery]:
    """Annotations of orders (the orders export): the summary ("Parking × 2, T-shirt × 1")
    and the total of their valid add-on lines, each one subquery (no join that would
    multiply the orders' other sums)."""
    valid = OrderAddOn.objects.filter(order=OuterRef("pk"), status=OrderAddOn.Status.VALID).values("order")
    return (
        Subquery(
            valid.annotate(
                summary=StringAgg(
                    Concat("name", Value(" × "), Cast("quantity", CharField())), ", ", order_by="pk"
                )
            ).values("summary"),
            output_field=CharField(),
        ),
        Subquery(valid.annotate(total=Sum("price")).values("total")),
    )


def add_ons_of_event(event: Event) -> list[AddOn]:
    """The add-ons on sale with an event's tickets or orders (its own, and its organizer's for
    every event), by name, with the ticket types each goes with."""
    return list(
        AddOn.objects.filter(organizer_id=event.organizer_id, on_sale=True)
        .filter(Q(event__isnull=True) | Q(event=event))
        .prefetch_related(Prefetch("ticket_types", queryset=TicketType.objects.filter(event=event)))
        .order_by("name", "pk")
    )
