"""How many tickets of an event a buyer already has, for the limit per buyer
(Event.max_tickets_per_buyer, enforced by apps.sales.services.buyer_limits)."""

from collections import Counter
from collections.abc import Collection
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from apps.sales.models import Order, Ticket


def normalized_email(email: str) -> str:
    """A buyer's e-mail address as the limit compares it: case and surrounding spaces aside."""
    return email.strip().lower()


def buyer_tickets(
    *, customer_id: int | None, email: str, now: datetime, excluding_order_id: int | None = None
) -> QuerySet[Ticket] | None:
    """The valid tickets the buyer has in orders that are paid or still hold their seats
    (pending, unexpired), matched by their account or (case aside) their e-mail address;
    cancelled, expired and refunded tickets or orders count nothing. None: no buyer to match."""
    whose = Q()
    if customer_id is not None:
        whose |= Q(order__customer_id=customer_id)
    email = normalized_email(email)
    if email:
        whose |= Q(order__email__iexact=email)
    if not whose:
        return None
    tickets = Ticket.objects.filter(whose, status=Ticket.Status.VALID).filter(
        Q(order__status=Order.Status.PAID) | Q(order__status=Order.Status.PENDING, order__expires_at__gt=now)
    )
    if excluding_order_id is not None:
        tickets = tickets.exclude(order_id=excluding_order_id)
    return tickets


def buyer_tickets_by_event(
    *,
    event_ids: Collection[int],
    customer_id: int | None,
    email: str,
    now: datetime,
    excluding_order_id: int | None = None,
) -> Counter[int]:
    """{event id: the buyer's tickets (buyer_tickets)} of these events."""
    tickets = buyer_tickets(
        customer_id=customer_id, email=email, now=now, excluding_order_id=excluding_order_id
    )
    if tickets is None or not event_ids:
        return Counter()
    rows = (
        tickets.filter(ticket_type__event_id__in=event_ids)
        .values("ticket_type__event_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return Counter({row["ticket_type__event_id"]: row["count"] for row in rows})
