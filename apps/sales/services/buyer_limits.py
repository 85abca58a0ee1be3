"""The limit per buyer: at most Event.max_tickets_per_buyer tickets of an event for one buyer
(one account, or one e-mail address case aside) over all their orders.

Whoever makes or grows an order a buyer is known for (an order made, tickets added to a
logged-in buyer's cart, a cart checked out with its e-mail address) calls
`buyer_limits_enforce` inside that transaction, before it takes any capacity. It locks the
buyer for each limited event (PostgreSQL advisory transaction locks, keyed on schema, event
and buyer, in sorted order so that two sales never deadlock), counts what the buyer already
has (apps.sales.selectors.buyer_limits) and refuses past the limit. The locks last until
COMMIT, when the new tickets are visible to the next count: two checkouts of one buyer at
once queue, and the second sees the first's tickets.

Lock order, the same everywhere: the shop holder's locks (apps.sales.holds), the order's
row, the buyer's locks, the organizer's row, the capacity counters.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.models import User
from apps.core.schemas import current_schema
from apps.events.models import Event
from apps.sales.exceptions import BuyerLimitReached
from apps.sales.models import Ticket
from apps.sales.selectors.buyer_limits import buyer_tickets_by_event, normalized_email


@dataclass(frozen=True)
class LimitPassed:
    """An event whose limit per buyer a sale went past (only with the seller's override)."""

    event: Event
    limit: int
    had: int
    adding: int

    def as_audit(self) -> dict[str, object]:
        return {"event": self.event.pk, "limit": self.limit, "had": self.had, "adding": self.adding}


def buyer_keys(*, event_ids: Iterable[int], customer: User | None, email: str) -> list[str]:
    """The advisory lock keys of one buyer for those events, sorted."""
    whose = []
    if customer is not None:
        whose.append(f"account:{customer.pk}")
    if normalized_email(email):
        whose.append(f"email:{normalized_email(email)}")
    schema_name = current_schema()
    return sorted(f"{schema_name}:buyer:{event_id}:{who}" for event_id in set(event_ids) for who in whose)


def refusal(*, event: Event, limit: int, had: int) -> str:
    """What the buyer is told: the limit, and how many they may still buy."""
    message = ngettext(
        "You can buy at most %(limit)s ticket for “%(event)s”.",
        "You can buy at most %(limit)s tickets for “%(event)s”.",
        limit,
    ) % {"limit": limit, "event": event.name}
    if had >= limit:
        return message + " " + _("You already have %(had)s: you cannot buy any more.") % {"had": had}
    if had:
        return (
            message
            + " "
            + _("You already have %(had)s: you may still buy %(left)s.") % {"had": had, "left": limit - had}
        )
    return message


def buyer_limits_enforce(
    *,
    tickets: Iterable[Ticket],
    customer: User | None,
    email: str,
    now: datetime,
    excluding_order_id: int | None = None,
    override: bool = False,
) -> list[LimitPassed]:
    """Inside the selling transaction: lock the buyer, then raise BuyerLimitReached when
    `tickets` (their ticket types with their events loaded) and what the buyer already has
    (in their other orders when `excluding_order_id` names the order being checked out) pass
    an event's limit. With `override` (a seller at the counter who says so) the sale goes on:
    the events whose limit it passes are returned, for the caller's audit log. An unknown
    buyer (no account, no e-mail address yet) is not limited here: the checkout will be."""
    adding: Counter[int] = Counter()
    events: dict[int, Event] = {}
    for ticket in tickets:
        event = ticket.ticket_type.event
        if event.max_tickets_per_buyer:
            adding[event.pk] += 1
            events[event.pk] = event
    keys = buyer_keys(event_ids=events, customer=customer, email=email)
    if not keys:
        return []
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])
    had = buyer_tickets_by_event(
        event_ids=list(events),
        customer_id=customer.pk if customer is not None else None,
        email=email,
        now=now,
        excluding_order_id=excluding_order_id,
    )
    passed = []
    for event_id in sorted(events):
        event, limit = events[event_id], events[event_id].max_tickets_per_buyer or 0
        if had[event_id] + adding[event_id] <= limit:
            continue
        if not override:
            raise BuyerLimitReached(refusal(event=event, limit=limit, had=had[event_id]))
        passed.append(LimitPassed(event=event, limit=limit, had=had[event_id], adding=adding[event_id]))
    return passed
