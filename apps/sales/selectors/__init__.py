"""Reads of orders and of what is on sale, with who may see what decided by
apps.operators.permissions."""

import hmac
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TypeAlias, TypeGuard, cast

from allauth.account.models import EmailAddress
from django.db.models import Count, F, Min, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from apps.accounts.models import User
from apps.core.cache import cached_many, cached_one, entry_key
from apps.core.emails import pending_window
from apps.core.links import url_on
from apps.core.money import quantize
from apps.core.schemas import current_schema
from apps.events.models import Event, EventDate, TicketType
from apps.events.selectors import event_dates_visible_to
from apps.operators.permissions import (
    Action,
    Someone,
    can,
    distributions_sellable_by,
    is_operator,
    organizers_configurable_by,
)
from apps.organizers.catalog import CATALOG
from apps.organizers.models import Distribution, Organizer
from apps.sales.exceptions import IdempotencyKeyReused
from apps.sales.models import DateStock, FeeRule, Order, OrderRequest, Ticket, TicketTypeStock, Voucher
from apps.sales.selectors.taxes import with_tax_rule
from apps.sales.selectors.vouchers import unlocks
from apps.tenancy.models import Domain


def _operator(user: Someone) -> TypeGuard[User]:
    return is_operator(user)


def orders_visible_to(user: Someone) -> QuerySet[Order]:
    """Orders of the organizers one configures, or sold through a distribution one sells in."""
    if not _operator(user):
        return Order.objects.none()
    if user.is_admin:
        return Order.objects.all()
    return Order.objects.filter(
        Q(organizer__in=organizers_configurable_by(user))
        | Q(distribution__in=distributions_sellable_by(user))
    )


def ticket_types_for_sale(ids: Iterable[int]) -> dict[int, TicketType]:
    """The ticket types an order asks for, with what checking and pricing them reads (their
    event with its distributions, their date, the rule that taxes them: tax_rules_of), from
    the cache."""
    schema_name = current_schema()
    keys = {entry_key(schema_name, CATALOG, "ticket-type", pk): pk for pk in ids}
    return cached_many(schema_name=schema_name, name=CATALOG, keys=keys, load=_ticket_types_loaded)


def _ticket_types_loaded(ids: list[int]) -> dict[int, TicketType]:
    ticket_types = with_tax_rule(
        TicketType.objects.filter(pk__in=ids)
        .select_related("event", "event_date")
        .prefetch_related("event__distributions")
    )
    return {ticket_type.pk: ticket_type for ticket_type in ticket_types}


def distribution_for_sale(user: Someone, pk: int) -> Distribution | None:
    """Distribution `pk` with its organizer, if `user` may sell in it (else None), from the
    cache (the user's role is part of the key, sale permissions are in the catalog)."""
    if not _operator(user):
        return None
    schema_name = current_schema()
    distribution: Distribution | None = cached_one(
        schema_name=schema_name,
        name=CATALOG,
        key=entry_key(schema_name, CATALOG, "sellable", user.pk, int(user.is_admin), pk),
        load=lambda: distributions_sellable_by(user).select_related("organizer").filter(pk=pk).first(),
    )
    return distribution


def fee_rules_applicable(organizer: Organizer, event_ids: Iterable[int]) -> list[FeeRule]:
    """The fee rules that may apply to tickets of these events of the organizer: the events'
    own, the organizer's, the organization's (fee_rules_for picks), from the cache."""
    ids = sorted(event_ids)
    schema_name = current_schema()
    rules: list[FeeRule] = cached_one(
        schema_name=schema_name,
        name=CATALOG,
        key=entry_key(schema_name, CATALOG, "fee-rules", organizer.pk, ",".join(map(str, ids))),
        load=lambda: list(
            FeeRule.objects.filter(
                Q(event_id__in=ids) | Q(organizer=organizer, event=None) | Q(organizer=None, event=None)
            ).order_by("pk")
        ),
    )
    return rules


def organizer_base_url(organizer: Organizer) -> str:
    """Where an organizer's storefront is: its verified own domain, else its platform host."""
    schema_name = current_schema()
    domains = Domain.objects.filter(tenant__schema_name=schema_name, organizer_slug=organizer.slug).exclude(
        is_custom=True, verified_at__isnull=True
    )
    domain = domains.order_by("-is_custom", "-is_primary", "pk").values_list("domain", flat=True).first()
    if domain is None:
        # Not None: provisioning gives every organization its primary platform host.
        domain = cast(
            str,
            Domain.objects.filter(tenant__schema_name=schema_name, is_primary=True)
            .values_list("domain", flat=True)
            .first(),
        )
    return url_on(domain, "")


def order_by_secret(code: str, secret: str) -> Order | None:
    """The order behind a public order link, if code and secret match (compared in constant time)."""
    order = Order.objects.select_related("organizer").filter(code=code).first()
    if order is None or not hmac.compare_digest(order.secret, secret):
        return None
    return order


def tickets_visible_to(user: Someone) -> QuerySet[Ticket]:
    """Tickets of the orders one may see (orders_visible_to), and no other: a ticket's code is
    its admission, so whoever may not see an order may neither read, list nor check in its
    tickets, whichever event they belong to. API, control pages and the gate all read this."""
    return Ticket.objects.filter(order__in=orders_visible_to(user))


def event_dates_at_gate(user: Someone) -> QuerySet[EventDate]:
    """Dates one may check tickets in for, from today on in any zone (soonest first, at most 200)."""
    # A day ago: the start of today in every time zone (each date is shown in its own).
    since = timezone.now() - timedelta(days=1)
    return (
        event_dates_visible_to(user)
        .filter(end__gte=since)
        .select_related("event__location", "event__organizer")
        .order_by("start")[:200]
    )


# --- the shop -------------------------------------------------------------------------------

FEW_LEFT = 10


@dataclass(frozen=True)
class Availability:
    """What a buyer may still take: None means no limit."""

    remaining: int | None

    @property
    def sold_out(self) -> bool:
        return self.remaining is not None and self.remaining <= 0

    @property
    def few_left(self) -> bool:
        return self.remaining is not None and 0 < self.remaining <= FEW_LEFT


def event_on_sale(organizer: Organizer, pk: int) -> Event | None:
    """A published event of the organizer offered in its online shop, or None."""
    return (
        Event.objects.filter(
            pk=pk,
            organizer=organizer,
            status=Event.Status.PUBLISHED,
            distributions__organizer=organizer,
            distributions__kind=Distribution.Kind.ONLINE_SHOP,
        )
        .select_related("location", "organizer")
        .first()
    )


# A ticket type on offer, with what is left of it.
Offer: TypeAlias = tuple[TicketType, Availability]


@dataclass(frozen=True)
class ShopListing:
    """An event's offer: per date to come its availability and ticket types, then passes."""

    dates: list[tuple[EventDate, Availability, list[Offer]]]
    passes: list[Offer]


def event_listing(
    event: Event, only: EventDate | None = None, *, voucher: Voucher | None = None, with_hidden: bool = False
) -> ShopListing:
    """What the event page offers now, with what is left of each (held and sold count).
    With `only` (a date of the event to come: a timeslot chosen in the calendar), that
    date's ticket types and the passes, which still take what the least-left date allows.
    Hidden ticket types only with a `voucher` that shows them, or `with_hidden` (the box office)."""
    now = timezone.now()
    to_come = EventDate.objects.filter(event=event, end__gt=now)
    dates = [only] if only is not None else list(to_come.order_by("start"))
    ticket_types = [
        t
        for t in TicketType.objects.filter(event=event)
        .select_related("event")
        .filter(Q(event_date=None) | Q(event_date__in=dates) if only is not None else Q())
        .order_by("price", "name")
        if (t.sale_start is None or t.sale_start <= now)
        and (t.sale_end is None or now < t.sale_end)
        and (not t.hidden or with_hidden or unlocks(voucher, t))
    ]
    date_taken = {s.event_date_id: s.held + s.sold for s in DateStock.objects.filter(event_date__in=dates)}
    type_taken = {
        s.ticket_type_id: s.held + s.sold
        for s in TicketTypeStock.objects.filter(ticket_type__in=ticket_types)
    }
    date_left = {
        d.pk: _left(
            d.capacity if d.capacity is not None else event.location.capacity, date_taken.get(d.pk, 0)
        )
        for d in dates
    }

    def offer(ticket_type: TicketType, on_dates: int | None) -> Offer:
        return ticket_type, Availability(
            _lowest(on_dates, _left(ticket_type.limit, type_taken.get(ticket_type.pk, 0)))
        )

    listing_dates = [
        (
            event_date,
            Availability(date_left[event_date.pk]),
            [offer(t, date_left[event_date.pk]) for t in ticket_types if t.event_date_id == event_date.pk],
        )
        for event_date in dates
    ]
    pass_left = _lowest(*date_left.values())
    if only is not None and any(t.is_pass for t in ticket_types):
        pass_left = _least_left(to_come, event)
    passes = [offer(t, pass_left) for t in ticket_types if t.is_pass and dates]
    return ShopListing(dates=listing_dates, passes=passes)


def _least_left(dates: QuerySet[EventDate], event: Event) -> int | None:
    """The least any of `dates` has left (one aggregate query); None: none has a limit."""
    location_capacity = event.location.capacity
    cap = Coalesce("capacity", Value(location_capacity)) if location_capacity is not None else F("capacity")
    taken = Coalesce(F("stock__held") + F("stock__sold"), Value(0))
    least: int | None = (
        dates.annotate(cap=cap)
        .filter(cap__isnull=False)
        .aggregate(least=Min(Greatest(F("cap") - taken, Value(0))))["least"]
    )
    return least


def _left(capacity: int | None, taken: int) -> int | None:
    return None if capacity is None else max(capacity - taken, 0)


def _lowest(*values: int | None) -> int | None:
    known = [v for v in values if v is not None]
    return min(known) if known else None


def orders_of_customer(user: User) -> QuerySet[Order]:
    """A customer's orders in this organization: made while logged in, or as a guest with
    the account's verified e-mail address."""
    verified = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    return (
        Order.objects.filter(Q(customer=user) | Q(email__in=list(verified)))
        .exclude(status__in=[Order.Status.EXPIRED, Order.Status.CANCELLED], paid_at__isnull=True)
        .exclude(email="")
        .select_related("organizer")
        .order_by("-created_at")
    )


# --- service fees ---------------------------------------------------------------------------

FEE_EXAMPLE_PRICE = Decimal("10.00")


def fee_rules_visible_to(user: Someone) -> QuerySet[FeeRule]:
    """The fee rules of the fees page: the whole organization's, and those of the organizers
    (and their events) one configures; nothing for who may not open that page."""
    if not can(user, Action.CONFIGURE_FEES):
        return FeeRule.objects.none()
    configurable = organizers_configurable_by(user)
    return (
        FeeRule.objects.filter(
            Q(organizer=None, event=None)
            | Q(organizer__in=configurable)
            | Q(event__organizer__in=configurable)
        )
        .select_related("organizer", "event__organizer")
        .order_by(F("organizer__name").asc(nulls_first=True), F("event__name").asc(nulls_first=True), "pk")
    )


def fee_rule_level(rule: FeeRule) -> str:
    """ "event", "organizer" or "organization": what a rule is set on."""
    if rule.event_id:
        return "event"
    return "organizer" if rule.organizer_id else "organization"


@dataclass(frozen=True)
class FeeExample:
    """What one ticket at `price` costs under a rule, priced by the function orders use."""

    currency: str
    price: Decimal
    fee: Decimal  # paid by the buyer on top of the price
    absorbed: Decimal  # taken from the organizer's share

    @property
    def buyer_pays(self) -> Decimal:
        return self.price + self.fee

    @property
    def organizer_gets(self) -> Decimal:
        return self.price - self.absorbed

    @property
    def total_fee(self) -> Decimal:
        return self.fee + self.absorbed


def fee_example(rule: FeeRule, currency: str, price: Decimal = FEE_EXAMPLE_PRICE) -> FeeExample:
    """One ticket at `price` (in `currency`, with its exponent) under `rule`, as an order
    prices it (fee_of, below), so the example cannot drift from real orders."""
    price = quantize(price, currency)
    fee, absorbed = fee_of(rule, price, currency)
    return FeeExample(currency=currency, price=price, fee=fee, absorbed=absorbed)


@dataclass(frozen=True)
class FeeInForce:
    """The fee rule an event's tickets get (None: no fee), and why: the level it is set on."""

    event: Event
    rule: FeeRule | None
    level: str
    example: FeeExample | None


def fees_in_force(events: Iterable[Event]) -> list[FeeInForce]:
    """For each event (with its organizer loaded), the rule fee_rules_for
    picks for its tickets, as an order would: one query per organizer among the events."""

    events = list(events)
    by_organizer: dict[int, list[Event]] = {}
    for event in events:
        by_organizer.setdefault(event.organizer_id, []).append(event)
    applying: dict[int, FeeRule] = {}
    for organizer_events in by_organizer.values():
        applying |= fee_rules_for(organizer_events[0].organizer, {event.pk for event in organizer_events})
    result = []
    for event in events:
        rule = applying.get(event.pk)
        result.append(
            FeeInForce(
                event=event,
                rule=rule,
                level=fee_rule_level(rule) if rule is not None else "",
                example=fee_example(rule, event.organizer.currency) if rule is not None else None,
            )
        )
    return result


def fee_events_of(user: Someone) -> QuerySet[Event]:
    """Events whose fees one configures, with their organizer, by organizer then name."""
    return (
        Event.objects.filter(organizer__in=organizers_configurable_by(user))
        .select_related("organizer")
        .order_by("organizer__name", "organizer_id", "name", "pk")
    )


def fee_currencies_of(user: Someone) -> list[str]:
    """The currencies of the organizers one configures: an organization-wide rule's fixed
    part is read in each organizer's own currency."""
    return sorted(set(organizers_configurable_by(user).values_list("currency", flat=True)))


def order_of_request(*, caller: User, key: str, fingerprint: str) -> Order | None:
    """The order an earlier API request with this Idempotency-Key made, if any; the same key
    with another body (`fingerprint`) raises IdempotencyKeyReused."""
    request = OrderRequest.objects.select_related("order").filter(caller=caller, key=key).first()
    if request is None:
        return None
    if request.fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    return request.order


def tickets_held(
    *, now: datetime, session: str = "", network: str | None = None
) -> tuple[int, datetime | None]:
    """(how many tickets, when the first of them is released) held right now by the shop
    carts and unpaid orders of one session holder token or one client network."""
    holds = Order.objects.filter(status=Order.Status.PENDING, expires_at__gt=now)
    holds = holds.filter(hold_session=session) if session else holds.filter(hold_network=network)
    held = Ticket.objects.filter(order__in=holds, status=Ticket.Status.VALID).aggregate(
        count=Count("pk"), first_release=Min("order__expires_at")
    )
    return held["count"], held["first_release"]


def orders_awaiting_confirmation() -> list[int]:
    """Paid orders whose tickets e-mail lost its task (broker down at the payment's commit,
    or Redis lost its queue), oldest first: their sweep sends them again."""
    since, until = pending_window()
    return list(
        Order.objects.filter(
            status=Order.Status.PAID, confirmation_sent_at=None, paid_at__range=(since, until)
        )
        .order_by("paid_at", "pk")
        .values_list("pk", flat=True)
    )


def fee_rules_for(organizer: Organizer, event_ids: Collection[int]) -> dict[int, FeeRule]:
    """{event id: the fee rule that applies to its tickets}: the event's own, else its
    organizer's, else the organization's; events with none are left out."""
    rules = fee_rules_applicable(organizer, event_ids)
    by_event = {rule.event_id: rule for rule in rules if rule.event_id}
    fallback = next((r for r in rules if r.event_id is None and r.organizer_id), None) or next(
        (r for r in rules if r.event_id is None and r.organizer_id is None), None
    )
    applying = {event_id: by_event.get(event_id, fallback) for event_id in event_ids}
    return {event_id: rule for event_id, rule in applying.items() if rule is not None}


def fee_of(rule: FeeRule | None, price: Decimal, currency: str) -> tuple[Decimal, Decimal]:
    """(paid by the buyer, absorbed by the organizer) for one ticket; free tickets pay none."""
    zero = quantize(Decimal(0), currency)
    if rule is None or price <= 0:
        return zero, zero
    fee = quantize(rule.fixed + price * rule.percent / 100, currency)
    return (fee, zero) if rule.paid_by == rule.PaidBy.BUYER else (zero, fee)
