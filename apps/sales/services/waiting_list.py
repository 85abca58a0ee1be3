"""The waiting list of sold-out tickets: buyers join it; freed seats are offered to them in
line, each offer a held cart of the seats (issue 15 §4).

An offer takes its seats with the same conditional UPDATE as every sale
(apps.sales.inventory.take, state "held"): it is made only for seats that are free, and two
offers never hold one seat, whatever runs at once. The offer's cart is a pending Order whose
time is the offer's (SALES_WAITING_LIST_OFFER_HOURS): unused, the order expiry sweep gives
its seats back like any cart's, and that same transaction offers them to the next in line.

Seats freed by a cart or an offer expiring, an order cancelled or refunded are offered in the
transaction that frees them (`waiting_list_capacity_freed`), so the public never sees them
while someone in line wants that many; capacity raised in the events app is offered by a
task queued on commit (`capacity_changed` hook), and a beat sweep serves every list with
free seats as the safety net. An entry asking for more seats than are free waits while the
ones behind it that fit are served (pretix skips in the same way).
"""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.core.audit import Actor, audit_log
from apps.core.emails import email_send
from apps.core.money import quantize
from apps.core.tokens import token_sign
from apps.events.models import Event, EventDate, TicketType
from apps.organizers.models import Distribution
from apps.organizers.services import organizer_lock_currency
from apps.sales import inventory, tasks
from apps.sales.exceptions import OrderRejected, SoldOut, WaitingListConflict, WaitingListRejected
from apps.sales.models import DateStock, Order, Ticket, TicketTypeStock, WaitingListEntry
from apps.sales.selectors import organizer_base_url
from apps.sales.services import orders  # (orders calls back here: a cycle of modules, not of names)

SYSTEM = Actor(user=None)
OFFER_PURPOSE = "waiting-list-offer"
# How many entries of one date a serving run looks at, at most (the rest wait for the next).
SERVE_BATCH = 500
logger = logging.getLogger(__name__)


def offer_hours() -> int:
    hours: int = settings.SALES_WAITING_LIST_OFFER_HOURS
    return hours


# --- joining ----------------------------------------------------------------------------------


def _check_join(ticket_type: TicketType, quantity: int, now: datetime) -> EventDate:
    event = ticket_type.event
    if ticket_type.event_date is None:
        raise WaitingListRejected(_("Passes have no waiting list: choose the ticket of one date."))
    event_date = ticket_type.event_date
    if not event.waiting_list:
        raise WaitingListRejected(_("“%(event)s” has no waiting list.") % {"event": event.name})
    if event.status != Event.Status.PUBLISHED or not any(
        d.kind == Distribution.Kind.ONLINE_SHOP for d in event.distributions.all()
    ):
        raise WaitingListRejected(_("“%(event)s” is not on sale.") % {"event": event.name})
    if ticket_type.hidden:  # sold with an access code only: never offered from a list
        raise WaitingListRejected(_("“%(name)s” is not on sale.") % {"name": ticket_type.name})
    if event_date.end <= now or (ticket_type.sale_end and ticket_type.sale_end <= now):
        raise WaitingListRejected(_("“%(name)s” is no longer on sale.") % {"name": ticket_type.name})
    low, high = max(1, ticket_type.min_per_order), ticket_type.max_per_order
    if not low <= quantity <= high:
        raise WaitingListRejected(
            _("Ask for between %(min)s and %(max)s tickets.") % {"min": low, "max": high}, field="quantity"
        )
    left = seats_left(event_date, ticket_type)
    if left is None or left >= quantity:
        raise WaitingListRejected(
            _("These tickets are on sale: reserve them on the event page."), field="quantity"
        )
    return event_date


def waiting_list_join(
    *, ticket_type: TicketType, email: str, quantity: int, language: str = "", actor: Actor = SYSTEM
) -> WaitingListEntry:
    """Put a buyer in line for `quantity` tickets of a sold-out dated ticket type (or one with
    fewer left than that). Raises WaitingListRejected: not on sale, tickets still free, a
    quantity outside the ticket type's minimum and maximum per order, already in line."""
    now = timezone.now()
    email = email.strip()
    event_date = _check_join(ticket_type, quantity, now)
    try:
        with transaction.atomic():
            entry = WaitingListEntry.objects.create(
                event_date=event_date,
                ticket_type=ticket_type,
                email=email,
                quantity=quantity,
                language=language,
            )
            audit_log(actor=actor, action="waiting_list.joined", target=entry, quantity=quantity)
    except IntegrityError:  # sales_waiting_once_per_email
        raise WaitingListRejected(
            _("This e-mail address is already on the waiting list for “%(name)s”.")
            % {"name": ticket_type.name},
            field="email",
        ) from None
    return entry


# --- what is free -----------------------------------------------------------------------------


def seats_left(event_date: EventDate, ticket_type: TicketType | None = None) -> int | None:
    """Seats neither held nor sold on the date (and of the ticket type): None, no limit. A read
    that guides; only inventory.take decides."""
    left = [n for n in (_date_left(event_date), _type_left(ticket_type)) if n is not None]
    return min(left) if left else None


def _date_left(event_date: EventDate) -> int | None:
    capacity = event_date.capacity if event_date.capacity is not None else event_date.event.location.capacity
    if capacity is None:
        return None
    stock = DateStock.objects.filter(event_date=event_date).values_list("held", "sold").first()
    return max(capacity - sum(stock or (0, 0)), 0)


def _type_left(ticket_type: TicketType | None) -> int | None:
    if ticket_type is None or ticket_type.limit is None:
        return None
    stock = TicketTypeStock.objects.filter(ticket_type=ticket_type).values_list("held", "sold").first()
    return max(ticket_type.limit - sum(stock or (0, 0)), 0)


# --- offers -----------------------------------------------------------------------------------


def waiting_list_serve(*, event_date_id: int) -> list[int]:
    """Offer the date's free seats to those in line, first come first served; returns the ids
    of the entries offered. Safe to run at once many times: seats are taken under the stock
    counters' row locks, entries under their own (one serving run skips those another holds)."""
    with transaction.atomic():
        return _serve(event_date_id)


def _serve(event_date_id: int) -> list[int]:
    event_date = EventDate.objects.select_related("event__location", "event__organizer").get(pk=event_date_id)
    now = timezone.now()
    if event_date.end <= now:
        return []
    date_left = _date_left(event_date)
    if date_left == 0:
        return []
    line = WaitingListEntry.objects.filter(event_date=event_date, status=WaitingListEntry.Status.WAITING)
    if date_left is not None:
        line = line.filter(quantity__lte=date_left)
    entries = list(
        line.select_related("ticket_type__event__organizer", "ticket_type__event_date")
        .order_by("created_at", "id")
        .select_for_update(skip_locked=True, of=("self",))[:SERVE_BATCH]
    )
    distribution = _shop_of(event_date.event)
    offered: list[int] = []
    type_left: dict[int, int | None] = {}
    for entry in entries:
        if entry.ticket_type_id not in type_left:
            type_left[entry.ticket_type_id] = _type_left(entry.ticket_type)
        left = type_left[entry.ticket_type_id]
        if (left is not None and entry.quantity > left) or (
            date_left is not None and entry.quantity > date_left
        ):
            continue  # it waits; someone behind it may want fewer
        try:
            with transaction.atomic():  # a refused offer undoes its own counters only
                _offer_make(entry, distribution, now)
        except SoldOut as full:
            if full.part == "dates":
                break  # someone else took the last seats meanwhile
            type_left[entry.ticket_type_id] = 0
            continue
        except OrderRejected as refused:  # off sale, or no shop: the entry keeps its place
            logger.info("waiting list entry %s not offered: %s", entry.pk, refused)
            continue
        offered.append(entry.pk)
        if left is not None:
            type_left[entry.ticket_type_id] = left - entry.quantity
        if date_left is not None:
            date_left -= entry.quantity
            if date_left <= 0:
                break
    return offered


def _shop_of(event: Event) -> Distribution | None:
    return event.organizer.distributions.filter(kind=Distribution.Kind.ONLINE_SHOP).order_by("pk").first()


def _offer_make(entry: WaitingListEntry, distribution: Distribution | None, now: datetime) -> Order:
    """The entry's held cart: its tickets priced as the shop prices them, their seats taken."""
    if distribution is None:
        raise OrderRejected(_("The organizer has no online shop."))
    lines = [orders.OrderLine(ticket_type=entry.ticket_type, quantity=entry.quantity)]
    tickets, pass_dates = orders.priced_tickets(lines, distribution, now)
    organizer = distribution.organizer
    currency = organizer.currency
    subtotal = quantize(sum((t.price for t in tickets), Decimal(0)), currency)
    fee_total = quantize(sum((t.fee for t in tickets), Decimal(0)), currency)
    tax_total = quantize(sum((t.tax for t in tickets), Decimal(0)), currency)
    if not organizer.currency_locked:
        organizer_lock_currency(organizer=organizer)
    expires_at = now + timedelta(hours=offer_hours())
    order = Order.objects.create(
        organizer=organizer,
        distribution=distribution,
        status=Order.Status.PENDING,
        payment_method=Order.PaymentMethod.STRIPE,
        currency=currency,
        subtotal=subtotal,
        fee_total=fee_total,
        total=subtotal + fee_total,
        tax_total=tax_total,
        holds_capacity=True,
        expires_at=expires_at,
        language=entry.language,
    )
    for ticket in tickets:
        ticket.order = order
    Ticket.objects.bulk_create(tickets)
    inventory.take(orders.claim_of(tickets, pass_dates), state="held")
    entry.status = WaitingListEntry.Status.OFFERED
    entry.order = order
    entry.offered_at = now
    entry.offer_expires_at = expires_at
    entry.save(update_fields=["status", "order", "offered_at", "offer_expires_at"])
    audit_log(actor=SYSTEM, action="waiting_list.offered", target=entry, order=order.code)
    _offer_email(entry, order)
    return order


def offer_token(entry: WaitingListEntry) -> str:
    return token_sign({"entry": entry.pk, "order": entry.order_id}, purpose=OFFER_PURPOSE)


def offer_url(entry: WaitingListEntry) -> str:
    organizer = entry.ticket_type.event.organizer
    return organizer_base_url(organizer) + f"/waiting-list/offers/{offer_token(entry)}/"


def _offer_email(entry: WaitingListEntry, order: Order) -> None:
    event = entry.ticket_type.event
    with translation.override(entry.language or settings.LANGUAGE_CODE):
        context = {
            "entry": entry,
            "event": event,
            "event_date": entry.event_date,
            "organizer": event.organizer,
            "zone": event.time_zone,
            "offer_url": offer_url(entry),
        }
        email_send(
            to=[entry.email],
            subject=_("Tickets are free for you: %(event)s") % {"event": event.name},
            body=render_to_string("sales/email/waiting_list_offer.txt", context),
            html_body=render_to_string("sales/email/waiting_list_offer.html", context),
        )


def waiting_list_offer_now(*, entry_id: int, actor: Actor) -> WaitingListEntry:
    """The organizer's "send offer now": this entry's offer, out of turn, if its seats are
    free; raises WaitingListRejected otherwise (nothing is taken from anyone)."""
    with transaction.atomic():
        entry = (
            WaitingListEntry.objects.select_for_update(of=("self",))
            .select_related(
                "event_date__event__location", "ticket_type__event__organizer", "ticket_type__event_date"
            )
            .get(pk=entry_id)
        )
        if entry.status != WaitingListEntry.Status.WAITING:
            raise WaitingListConflict(_("Only an entry still waiting can be sent an offer."))
        try:
            with transaction.atomic():
                _offer_make(entry, _shop_of(entry.event_date.event), timezone.now())
        except SoldOut:
            raise WaitingListConflict(
                _("Not enough seats are free for %(count)s tickets of “%(name)s”: no offer was sent.")
                % {"count": entry.quantity, "name": entry.ticket_type.name}
            ) from None
        except OrderRejected as refused:
            raise WaitingListConflict(str(refused)) from None
        audit_log(actor=actor, action="waiting_list.offered_by_hand", target=entry)
    return entry


def waiting_list_remove(*, entry_id: int, actor: Actor) -> WaitingListEntry:
    """Take an entry off the list; an open offer's cart is cancelled, its seats going to the
    next in line."""
    with transaction.atomic():
        # The offer's order first, then the entry: the order expiry's lock order.
        order_id = WaitingListEntry.objects.filter(pk=entry_id).values_list("order_id", flat=True).first()
        if order_id is not None:
            Order.objects.select_for_update().filter(pk=order_id).first()
        entry = WaitingListEntry.objects.select_for_update().get(pk=entry_id)
        if entry.status not in WaitingListEntry.ACTIVE:
            raise WaitingListConflict(_("This entry is no longer on the list."))
        held_order = entry.order_id if entry.status == WaitingListEntry.Status.OFFERED else None
        entry.status = WaitingListEntry.Status.REMOVED
        entry.save(update_fields=["status"])
        audit_log(actor=actor, action="waiting_list.removed", target=entry)
        if held_order is not None:
            order = Order.objects.get(pk=held_order)
            if order.status == Order.Status.PENDING:
                orders.order_cancel(order_id=held_order, actor=actor)  # frees and serves the next
    return entry


# --- where capacity frees up ------------------------------------------------------------------


def waiting_list_capacity_freed(*, order: Order | None, date_ids: Iterable[int]) -> None:
    """Inside the transaction that gave seats back (an order expired, cancelled, refunded):
    the order's unused offer ends, and the freed seats go to those in line first."""
    if order is not None and order.paid_at is None:
        WaitingListEntry.objects.filter(order=order, status=WaitingListEntry.Status.OFFERED).update(
            status=WaitingListEntry.Status.EXPIRED
        )
    for event_date_id in dates_waiting(date_ids):
        _serve(event_date_id)


def waiting_list_order_paid(*, order: Order) -> None:
    """An offer's cart got paid (even just after its time ran out): its entry is converted."""
    WaitingListEntry.objects.filter(
        order=order, status__in=[WaitingListEntry.Status.OFFERED, WaitingListEntry.Status.EXPIRED]
    ).update(status=WaitingListEntry.Status.CONVERTED)


def dates_waiting(date_ids: Iterable[int] | None = None) -> list[int]:
    """Of `date_ids` (or all dates to come), those someone waits for, in id order."""
    waiting = WaitingListEntry.objects.filter(
        status=WaitingListEntry.Status.WAITING, event_date__end__gt=timezone.now()
    )
    if date_ids is not None:
        ids = sorted(set(date_ids))
        if not ids:
            return []
        waiting = waiting.filter(event_date_id__in=ids)
    return sorted(set(waiting.values_list("event_date_id", flat=True)))


def waiting_list_capacity_changed(schema_name: str, event_date_ids: list[int]) -> None:
    """Heard on apps.core.hooks.capacity_changed (events' transaction): serve the dates
    someone waits for once the new capacity is committed."""
    for event_date_id in dates_waiting(event_date_ids):
        tasks.waiting_list_serve.delay_on_commit(schema_name=schema_name, event_date_id=event_date_id)


def waiting_lists_serve_all() -> int:
    """The sweep: serve every date to come that someone waits for; returns offers made."""
    return sum(len(waiting_list_serve(event_date_id=pk)) for pk in dates_waiting())
