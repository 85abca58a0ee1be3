"""Orders: made (online, at the counter, free), paid, cancelled, expired, with their
tickets' capacity taken and given back through apps.sales.inventory."""

import logging
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.audit import Actor, audit_log
from apps.core.money import quantize
from apps.core.schemas import current_schema
from apps.events.models import Event, EventDate, TicketType
from apps.organizers.models import Distribution
from apps.organizers.services import organizer_lock_currency
from apps.payments.exceptions import PaymentsUnavailable
from apps.payments.models import Payment
from apps.payments.services import payment_cancel
from apps.sales import addon_stock, inventory
from apps.sales.exceptions import OrderRejected, SoldOut, VoucherRefused
from apps.sales.holds import Holder, holds_reserve
from apps.sales.models import Order, OrderAddOn, OrderRequest, Ticket, Voucher
from apps.sales.question_forms import AnswerInput
from apps.sales.selectors import fee_of, fee_rules_for, order_of_request
from apps.sales.selectors.taxes import tax_rules_of, taxed_price
from apps.sales.selectors.vouchers import unlocks, voucher_applies, voucher_listed_price
from apps.sales.services import (
    addons,
    waiting_list,  # (it prices offers here: a cycle of modules, not names)
)
from apps.sales.services.buyer_limits import buyer_limits_enforce
from apps.sales.services.confirmations import confirmation_on_commit
from apps.sales.services.passes import pass_bookings_release, pass_bookings_retake, passes_issue
from apps.sales.services.questions import answers_write
from apps.sales.services.vouchers import (
    voucher_buyers_enforce,
    vouchers_release_of_order,
    vouchers_take,
)

SYSTEM = Actor(user=None)
logger = logging.getLogger(__name__)


def reservation_minutes() -> int:
    minutes: int = settings.SALES_RESERVATION_MINUTES
    return minutes


@dataclass(frozen=True)
class OrderLine:
    """Tickets asked for: `quantity` of `ticket_type`, for `event_date` (None for a pass, or
    to mean the ticket type's own date). `price`: set by a service only (a season pass's
    booking price), never from a buyer; else the ticket type's."""

    ticket_type: TicketType
    quantity: int
    event_date: EventDate | None = None
    price: Decimal | None = None
    # Set by a service only (a season pass's renewal, offered to its holders first): on sale
    # before the ticket type's sale start (never after its end).
    before_sale_start: bool = False


def _check_line(line: OrderLine, distribution: Distribution, now: datetime) -> EventDate | None:
    """The date the line's tickets are for (None: a pass); raises OrderRejected when the
    line cannot be sold in this distribution now."""
    ticket_type = line.ticket_type
    event = ticket_type.event
    if event.organizer_id != distribution.organizer_id:
        raise OrderRejected(_("“%(name)s” is not sold by this organizer.") % {"name": ticket_type.name})
    if event.status != Event.Status.PUBLISHED:
        raise OrderRejected(_("“%(event)s” is not on sale.") % {"event": event.name})
    if not any(d.pk == distribution.pk for d in event.distributions.all()):
        raise OrderRejected(
            _("“%(event)s” is not sold through %(channel)s.")
            % {"event": event.name, "channel": distribution.name}
        )
    if line.quantity < 1:
        raise OrderRejected(_("Choose at least one ticket."))
    if (ticket_type.sale_start and now < ticket_type.sale_start and not line.before_sale_start) or (
        ticket_type.sale_end and now >= ticket_type.sale_end
    ):
        raise OrderRejected(_("“%(name)s” is not on sale now.") % {"name": ticket_type.name})
    if ticket_type.is_pass:
        if line.event_date is not None:
            raise OrderRejected(
                _("“%(name)s” is a pass for every date; choose no date.") % {"name": ticket_type.name}
            )
        return None
    event_date = cast(EventDate, ticket_type.event_date)  # not a pass: it has its date
    if line.event_date is not None and line.event_date.pk != event_date.pk:
        raise OrderRejected(_("“%(name)s” is not valid on that date.") % {"name": ticket_type.name})
    if event_date.end <= now:
        raise OrderRejected(_("“%(name)s” is for a date that is over.") % {"name": ticket_type.name})
    return event_date


def _check_totals(lines: Sequence[OrderLine], already: Counter[int]) -> None:
    """Minimum and maximum per order hold for the order's total of each ticket type, however
    many lines (or additions to a cart) ask for it."""
    totals = Counter(already)
    ticket_types = {}
    for line in lines:
        totals[line.ticket_type.pk] += line.quantity
        ticket_types[line.ticket_type.pk] = line.ticket_type
    for pk, ticket_type in ticket_types.items():
        if ticket_type.min_per_order <= totals[pk] <= ticket_type.max_per_order:
            continue
        if already[pk]:
            raise OrderRejected(
                _("“%(name)s”: at most %(max)s tickets per order, and your cart already has %(count)s.")
                % {"name": ticket_type.name, "max": ticket_type.max_per_order, "count": already[pk]}
            )
        raise OrderRejected(
            _("“%(name)s”: order between %(min)s and %(max)s tickets.")
            % {"name": ticket_type.name, "min": ticket_type.min_per_order, "max": ticket_type.max_per_order}
        )


def _pass_date_ids(event: Event, now: datetime) -> list[int]:
    date_ids = list(EventDate.objects.filter(event=event, end__gt=now).values_list("pk", flat=True))
    if not date_ids:
        raise OrderRejected(_("“%(event)s” has no dates to come.") % {"event": event.name})
    return date_ids


def claim_of(tickets: Sequence[Ticket], pass_dates: dict[int, list[int]]) -> inventory.Claim:
    claim = inventory.Claim()
    for ticket in tickets:
        date_ids = [ticket.event_date_id] if ticket.event_date_id else pass_dates[ticket.ticket_type.event_id]
        claim.add(ticket_type_id=ticket.ticket_type_id, date_ids=date_ids)
    return claim


def order_create(
    *,
    distribution: Distribution,
    lines: Sequence[OrderLine],
    email: str,
    payment_method: str,
    buyer_name: str = "",
    customer: User | None = None,
    sold_by: User | None = None,
    language: str = "",
    hold: bool = False,
    holder: Holder | None = None,
    sell_beyond_buyer_limit: bool = False,
    answers: Sequence[AnswerInput] = (),
    add_ons: Sequence[addons.AddOnRequest] = (),
    voucher: Voucher | None = None,
    actor: Actor = SYSTEM,
) -> Order:
    """Make an order, taking its tickets' capacity or raising SoldOut with nothing taken.

    Prices come from the ticket types, never from the buyer. Paid at the counter (cash, card
    terminal) or free, the order is paid at once and its capacity sold; an online payment
    leaves it pending, holding capacity for the reservation time. When seats run out,
    unpaid orders past their time may still hold some: they are expired, and the order is
    tried once more. `hold`: a shop's cart, pending whatever its total until checkout;
    `holder`: who reserves it in the shop, held to the limits of apps.sales.holds. The
    event's limit per buyer (apps.sales.services.buyer_limits) holds for the buyer's account
    or e-mail address, unless a seller says `sell_beyond_buyer_limit` (audited). `answers`:
    to its questions, checked by apps.sales.question_forms, saved with it. `add_ons`
    are priced and their stock taken with the tickets (apps.sales.services.addons). `voucher`:
    the tickets it applies to are priced with it and use it (VoucherRefused when it applies
    to none, is used up or past its limit per buyer); hidden ticket types are sold only with
    a voucher that shows them, or by a seller (`sold_by`).
    """
    arguments: dict[str, Any] = {
        "distribution": distribution,
        "lines": lines,
        "email": email,
        "payment_method": payment_method,
        "buyer_name": buyer_name,
        "customer": customer,
        "sold_by": sold_by,
        "language": language,
        "hold": hold,
        "holder": holder,
        "sell_beyond_buyer_limit": sell_beyond_buyer_limit,
        "answers": answers,
        "add_ons": add_ons,
        "voucher": voucher,
        "actor": actor,
    }
    try:
        return _order_create(**arguments)
    except SoldOut as exc:
        if exc.part == "add_ons":  # unpaid orders past their time may hold the last units
            if not orders_expire_holding_add_ons(exc.ids):
                raise
            return _order_create(**arguments)
        _sold_out_seen(exc.date_ids)
        if not orders_expire(event_date_ids=exc.date_ids):
            raise
    return _order_create(**arguments)


def order_create_once(
    *, caller: User, idempotency_key: str, fingerprint: str, **order_arguments: Any
) -> tuple[Order, bool]:
    """`order_create`, once per (caller, idempotency key): a retried request gets the first
    one's order back, with True (replayed); the same key with another request body raises
    IdempotencyKeyReused. Two sends of one key at once make one order (the key's unique row
    is written in the order's transaction; the second waits for it, then replays)."""
    earlier = order_of_request(caller=caller, key=idempotency_key, fingerprint=fingerprint)
    if earlier is not None:
        return earlier, True
    try:
        with transaction.atomic():
            order = order_create(**order_arguments)
            OrderRequest.objects.create(
                caller=caller, key=idempotency_key, fingerprint=fingerprint, order=order
            )
    except IntegrityError:
        earlier = order_of_request(caller=caller, key=idempotency_key, fingerprint=fingerprint)
        if earlier is None:
            raise
        return earlier, True
    return order, False


# Dates this process saw sold out lately ({(schema, date ids): when}). Only decides when an
# order takes its capacity, never whether: for these, first (a refusal costs one statement),
# for any other, last (the counter row stays locked shortest).
_SOLD_OUT_SEEN: dict[tuple[str, tuple[int, ...]], float] = {}
SOLD_OUT_SEEN_SECONDS = 10


def _sold_out_seen(date_ids: Iterable[int]) -> None:
    if len(_SOLD_OUT_SEEN) > 1000:
        _SOLD_OUT_SEEN.clear()
    schema_name = current_schema()
    _SOLD_OUT_SEEN[(schema_name, tuple(sorted(date_ids)))] = time.monotonic()


def _lately_sold_out(claim: inventory.Claim) -> bool:
    schema_name = current_schema()
    seen = _SOLD_OUT_SEEN.get((schema_name, tuple(sorted(claim.dates))))
    return seen is not None and time.monotonic() - seen < SOLD_OUT_SEEN_SECONDS


def priced_tickets(
    lines: Sequence[OrderLine],
    distribution: Distribution,
    now: datetime,
    already: Counter[int] | None = None,
    *,
    voucher: Voucher | None = None,
    hidden_allowed: bool = False,
) -> tuple[list[Ticket], dict[int, list[int]]]:
    """The unsaved tickets `lines` ask for, priced in the organizer's currency, and the dates
    of each pass's event, each ticket with its tax (apps.sales.selectors.taxes); raises OrderRejected for a line that cannot be sold, or when the
    order's total of a ticket type (with `already`: {ticket type id: count} in the order)
    falls outside its minimum and maximum per order. With `voucher`, the tickets it applies
    to are priced with it (apps.sales.selectors.vouchers), their tax and fee computed on that
    price; a hidden ticket type needs a voucher that shows it, unless `hidden_allowed`."""
    if not lines:
        raise OrderRejected(_("Choose at least one ticket."))
    _check_totals(lines, already or Counter())
    currency = distribution.organizer.currency
    rules = fee_rules_for(distribution.organizer, {line.ticket_type.event_id for line in lines})
    taxes = tax_rules_of(line.ticket_type for line in lines)  # a sale's: read with them, cached
    tickets: list[Ticket] = []
    pass_dates: dict[int, list[int]] = {}
    for line in lines:
        event_date = _check_line(line, distribution, now)
        ticket_type = line.ticket_type
        if event_date is None and ticket_type.event_id not in pass_dates:
            pass_dates[ticket_type.event_id] = _pass_date_ids(ticket_type.event, now)
        if ticket_type.hidden and not hidden_allowed and not unlocks(voucher, ticket_type):
            raise OrderRejected(_("“%(name)s” is not on sale.") % {"name": ticket_type.name})
        # The price the buyer pays, tax included (added tax makes it more than listed); the
        # fee is a percent of that price. A voucher lowers the listed price first.
        listed = ticket_type.price if line.price is None else line.price
        taxed = taxed_price(listed, currency, taxes.get(ticket_type.pk))
        used = voucher if voucher is not None and voucher_applies(voucher, ticket_type) else None
        discount = Decimal(0)
        if used is not None:
            full = taxed
            taxed = taxed_price(
                voucher_listed_price(used, listed, currency), currency, taxes.get(ticket_type.pk)
            )
            discount = full.price - taxed.price
        fee, absorbed = fee_of(rules.get(ticket_type.event_id), taxed.price, currency)
        tickets += [
            Ticket(
                ticket_type=ticket_type,
                event_date=event_date,
                voucher=used,
                discount=discount,
                price=taxed.price,
                fee=fee,
                absorbed_fee=absorbed,
                tax_name=taxed.name,
                tax_rate=taxed.rate,
                tax=taxed.tax,
                tax_included=taxed.included,
            )
            for _i in range(line.quantity)
        ]
    return tickets, pass_dates


@transaction.atomic
def _order_create(
    *,
    distribution: Distribution,
    lines: Sequence[OrderLine],
    email: str,
    payment_method: str,
    buyer_name: str = "",
    customer: User | None = None,
    sold_by: User | None = None,
    language: str = "",
    hold: bool = False,
    holder: Holder | None = None,
    sell_beyond_buyer_limit: bool = False,
    answers: Sequence[AnswerInput] = (),
    add_ons: Sequence[addons.AddOnRequest] = (),
    voucher: Voucher | None = None,
    actor: Actor = SYSTEM,
) -> Order:
    now = timezone.now()
    organizer = distribution.organizer
    currency = organizer.currency
    tickets, pass_dates = priced_tickets(
        lines, distribution, now, voucher=voucher, hidden_allowed=sold_by is not None
    )
    if voucher is not None and not any(ticket.voucher is not None for ticket in tickets):
        raise VoucherRefused(_("The code %(code)s is not valid for these tickets.") % {"code": voucher.code})
    add_on_lines = addons.add_ons_priced(
        addons.choices_for_lines(add_ons, [line.quantity for line in lines], tickets),
        organizer=organizer,
        tickets=tickets,
    )
    add_on_price, add_on_tax = addons.add_on_totals(add_on_lines, currency)
    if holder is not None:  # its locks first, before the organizer's row and the counters
        holds_reserve(holder=holder, adding=len(tickets), now=now)
    # Then the buyer's (before the organizer's row and the counters, as everywhere).
    limits_passed = buyer_limits_enforce(
        tickets=tickets, customer=customer, email=email, now=now, override=sell_beyond_buyer_limit
    )
    voucher_buyers_enforce(tickets=tickets, customer=customer, email=email, now=now)
    vouchers_take(tickets, now=now)  # the voucher's row before the organizer's and the counters
    subtotal = quantize(sum((ticket.price for ticket in tickets), Decimal(0)), currency) + add_on_price
    fee_total = quantize(sum((ticket.fee for ticket in tickets), Decimal(0)), currency)
    tax_total = quantize(sum((ticket.tax for ticket in tickets), Decimal(0)), currency) + add_on_tax
    discount_total = quantize(sum((ticket.discount for ticket in tickets), Decimal(0)), currency)
    total = subtotal + fee_total

    if total == 0 and not hold:
        payment_method = Order.PaymentMethod.FREE
    paid_now = not hold and payment_method in (*Order.COUNTER_METHODS, Order.PaymentMethod.FREE)
    claim = claim_of(tickets, pass_dates)
    state: inventory.State = "sold" if paid_now else "held"
    if not organizer.currency_locked:
        # Before any counter row: every sale locks the organizer's row, then counters.
        organizer_lock_currency(organizer=organizer)  # (which drops the cached catalog)
    take_first = _lately_sold_out(claim)
    if take_first:  # most likely refused: before writing anything else
        inventory.take(claim, state=state)

    order = Order.objects.create(
        organizer=organizer,
        distribution=distribution,
        status=Order.Status.PAID if paid_now else Order.Status.PENDING,
        payment_method=payment_method,
        email=email,
        buyer_name=buyer_name,
        customer=customer,
        sold_by=sold_by,
        currency=currency,
        subtotal=subtotal,
        fee_total=fee_total,
        total=total,
        tax_total=tax_total,
        discount_total=discount_total,
        holds_capacity=True,
        expires_at=None if paid_now else now + timedelta(minutes=reservation_minutes()),
        paid_at=now if paid_now else None,
        language=language,
        hold_session=holder.session if holder else "",
        hold_network=(holder.network or None) if holder else None,
    )
    for ticket in tickets:
        ticket.order = order
    Ticket.objects.bulk_create(tickets)
    if answers:
        answers_write(order=order, tickets=tickets, answers=answers)
    audit_log(actor=actor, action="order.created", target=order, status=order.status, total=str(total))
    if limits_passed:
        audit_log(
            actor=actor,
            action="order.buyer_limit_overridden",
            target=order,
            email=email,
            events=[passed.as_audit() for passed in limits_passed],
        )
    if not take_first:
        # Capacity last: the counter rows everyone selling this date updates stay locked
        # from here to COMMIT only. A SoldOut leaves this transaction and undoes the order.
        inventory.take(claim, state=state)
    addons.add_on_lines_save(order, add_on_lines, state=state)  # after the capacity: the lock order
    order = addons.with_add_on_lines(_with_tickets(order, tickets), add_on_lines)
    if order.status == Order.Status.PAID:
        passes_issue(order=order)
        confirmation_on_commit(order)
    return order


def _with_tickets(order: Order, tickets: list[Ticket]) -> Order:
    """The order with its just-made tickets in place of a prefetch: order.tickets.all() reads
    them without a query (as prefetch_related("tickets") leaves it); any other query on
    order.tickets still goes to the database."""
    prefetched = Ticket.objects.filter(order=order)
    prefetched._result_cache = tickets
    prefetched._prefetch_done = True  # type: ignore[attr-defined]  # Django's prefetch state, not in the stubs
    order._prefetched_objects_cache = {"tickets": prefetched}  # type: ignore[attr-defined]  # (the same)
    return order


def _claim_of_order(order: Order) -> inventory.Claim:
    return claim_of_tickets(
        list(order.tickets.filter(status=Ticket.Status.VALID).select_related("ticket_type"))
    )


def claim_of_tickets(tickets: Sequence[Ticket]) -> inventory.Claim:
    """The capacity saved tickets use: a pass on every date of its event."""
    pass_events = {t.ticket_type.event_id for t in tickets if t.event_date_id is None}
    pass_dates = {
        event_id: list(EventDate.objects.filter(event_id=event_id).values_list("pk", flat=True))
        for event_id in pass_events
    }
    return claim_of(tickets, pass_dates)


@transaction.atomic
def order_mark_paid(*, order_id: int, actor: Actor = SYSTEM) -> Order:
    """Record an order's payment, once: a pending order's held capacity becomes sold.

    Returns the order; an already paid one is returned as it is. An order that expired
    before its payment arrived is sold again if capacity remains, else SoldOut is raised
    and the caller refunds the payment.
    """
    order = Order.objects.select_for_update().get(pk=order_id)
    if order.status == Order.Status.PAID:
        return order
    claim = _claim_of_order(order)
    if order.status == Order.Status.PENDING:
        inventory.settle(claim)
        addon_stock.settle(addons.add_ons_claim(order))
    elif order.status == Order.Status.EXPIRED:
        # Its passes' uses and vouchers' uses were given back: taken again, or refunded as sold
        # out. The passes' rows before the vouchers' (as the expiry released them: the lock order).
        pass_bookings_retake(order=order)
        vouchers_take(order.tickets.filter(status=Ticket.Status.VALID), now=timezone.now(), as_sold_out=True)
        inventory.take(claim, state="sold")
        addon_stock.take(addons.add_ons_claim(order), state="sold")
    else:
        raise OrderRejected(
            _("Order %(code)s is %(status)s.") % {"code": order.code, "status": order.get_status_display()}
        )
    order.status = Order.Status.PAID
    order.holds_capacity = True
    order.paid_at = timezone.now()
    order.expires_at = None
    order.save(update_fields=["status", "holds_capacity", "paid_at", "expires_at"])
    audit_log(actor=actor, action="order.paid", target=order)
    passes_issue(order=order)
    waiting_list.waiting_list_order_paid(order=order)
    confirmation_on_commit(order)
    return order


@transaction.atomic
def order_cancel(*, order_id: int, actor: Actor = SYSTEM) -> Order:
    """Cancel an order: its tickets are void and their capacity returns to sale."""
    order = Order.objects.select_for_update().get(pk=order_id)
    if order.status in (Order.Status.CANCELLED, Order.Status.REFUNDED):
        return order
    if (
        order.status == Order.Status.PAID
        and order.payment_method == Order.PaymentMethod.STRIPE
        and order.total
    ):
        raise OrderRejected(
            _("A paid card order is refunded, not cancelled: its money goes back to the buyer.")
        )
    if order.status == Order.Status.PENDING and order.payment_method == Order.PaymentMethod.STRIPE:
        try:
            order_payment_cancel_pending(order)
        except PaymentsUnavailable:
            # Cancelled all the same: if the buyer still pays it, the payment is refunded.
            logger.warning("order %s cancelled with its payment left open: Stripe unreachable", order.pk)
    state: inventory.State = "held" if order.status == Order.Status.PENDING else "sold"
    pass_bookings_release(order=order)
    if order.holds_capacity:
        vouchers_release_of_order(order.pk)  # (before the counters: the lock order)
    freed = _claim_of_order(order) if order.holds_capacity else inventory.Claim()
    if freed:
        inventory.give_back(freed, state=state)
    addons.add_ons_void(
        addons.add_ons_valid(order),
        status=OrderAddOn.Status.CANCELLED,
        give_back=state if order.holds_capacity else None,
    )
    order.tickets.filter(status=Ticket.Status.VALID).update(
        status=Ticket.Status.CANCELLED, voided_at=timezone.now()
    )
    order.status = Order.Status.CANCELLED
    order.holds_capacity = False
    order.expires_at = None
    order.save(update_fields=["status", "holds_capacity", "expires_at"])
    audit_log(actor=actor, action="order.cancelled", target=order)
    waiting_list.waiting_list_capacity_freed(order=order, date_ids=freed.dates)
    return order


def orders_expire(
    *,
    event_date_ids: Sequence[int] | QuerySet[Any, Any] | None = None,
    now: datetime | None = None,
    voucher_id: int | None = None,
) -> int:
    """Expire pending orders past their time (those using the given dates, or the voucher,
    or all), each in its own transaction, giving their held capacity (and voucher uses) back.
    Returns how many expired. `event_date_ids` may be a query of date ids (read only when
    some order is overdue)."""
    now = now or timezone.now()
    overdue = Order.objects.filter(status=Order.Status.PENDING, expires_at__lte=now)
    if voucher_id is not None:
        overdue = overdue.filter(tickets__voucher_id=voucher_id).distinct()
    if event_date_ids is not None:
        if not overdue.exists():  # (mostly: one probe of the pending-expiry index, no join)
            return 0
        overdue = overdue.filter(
            Q(tickets__event_date_id__in=event_date_ids)
            | Q(tickets__event_date__isnull=True, tickets__ticket_type__event__dates__in=event_date_ids)
        ).distinct()
    expired = 0
    for order_id in overdue.values_list("pk", flat=True):
        expired += _order_expire(order_id=order_id, now=now)
    return expired


@transaction.atomic
def _order_expire(*, order_id: int, now: datetime) -> int:
    order = Order.objects.select_for_update(skip_locked=True).filter(pk=order_id).first()
    # (a pending order's expires_at is set: constraint sales_order_pending_expires)
    if order is None or order.status != Order.Status.PENDING or cast(datetime, order.expires_at) > now:
        return 0  # being paid or expired by someone else right now, or no longer overdue
    pass_bookings_release(order=order, expiring=True)
    vouchers_release_of_order(order.pk)  # (before the counters: the lock order)
    freed = _claim_of_order(order)
    inventory.give_back(freed, state="held")
    addon_stock.give_back(addons.add_ons_claim(order), state="held")  # its lines stay valid, like its tickets
    order.status = Order.Status.EXPIRED
    order.holds_capacity = False
    order.save(update_fields=["status", "holds_capacity"])
    audit_log(actor=SYSTEM, action="order.expired", target=order)
    waiting_list.waiting_list_capacity_freed(order=order, date_ids=freed.dates)  # seats to the line first
    return 1


def orders_expire_holding_add_ons(add_on_ids: Sequence[int]) -> int:
    """Expire the unpaid orders past their time that hold these add-ons; how many expired."""
    now = timezone.now()
    return sum(_order_expire(order_id=pk, now=now) for pk in addons.orders_holding(add_on_ids, now))


def order_payment_cancel_pending(order: Order) -> None:
    """Cancel the order's open card payment, if any (PaymentUnderway when it is being paid)."""
    pending = Payment.objects.filter(
        purpose=Order.PAYMENT_PURPOSE, object_id=order.pk, status=Payment.Status.PENDING
    )
    for payment_id in pending.values_list("pk", flat=True):
        payment_cancel(payment_id=payment_id)
